// Sends deliveries to one destination over reused connections (an undici Pool): one attempt, bounded in time and in what it reads back.
import { Pool } from 'undici';
import type { AttemptResult } from './attemptResult';
import type { DeliveryRequest } from './deliveryFormat';

/** How much of a failure's response body is kept as its error detail. */
export const RESPONSE_DETAIL_BYTES = 4096;
/** Beyond this much body the connection is dropped rather than drained for reuse. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const TIMED_OUT = Symbol('timed out');
const STOPPED = Symbol('stopped');

export interface DeliverySender {
  /** One POST; 'stopped' when abortAll() cut it short (the delivery stays pending). */
  send(request: DeliveryRequest): Promise<AttemptResult | 'stopped'>;
  /** Cuts every attempt in flight short. */
  abortAll(): void;
  close(): Promise<void>;
}

export interface SenderOptions {
  timeoutMs: number;
  /** Connections kept to the destination: one per stream delivered in parallel. */
  connections: number;
}

export function httpSender(url: string, options: SenderOptions): DeliverySender {
  const target = new URL(url);
  const path = `${target.pathname}${target.search}`;
  // No redirect interceptor is composed in: a 3xx comes back as it is.
  const pool = new Pool(target.origin, {
    connections: options.connections,
    pipelining: 1,
    connectTimeout: options.timeoutMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 4_000,
  });
  const inFlight = new Set<AbortController>();

  async function send(request: DeliveryRequest): Promise<AttemptResult | 'stopped'> {
    const controller = new AbortController();
    inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(TIMED_OUT), options.timeoutMs);
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      const response = await pool.request({ path, method: 'POST', headers: request.headers, body: request.body, signal: controller.signal });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const body = ok ? (await response.body.dump({ limit: DRAIN_LIMIT_BYTES }), '') : await readDetail(response.body);
      return {
        kind: 'response',
        status: response.statusCode,
        retryAfter: headerValue(response.headers['retry-after']),
        location: headerValue(response.headers.location),
        body,
        durationMs: elapsed(),
      };
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason === STOPPED) return 'stopped';
      if (controller.signal.aborted || isTimeout(error)) return { kind: 'timeout', timeoutMs: options.timeoutMs, durationMs: elapsed() };
      return { kind: 'network', error: describeNetworkError(error), durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  }

  return {
    send,
    abortAll() {
      for (const controller of inFlight) controller.abort(STOPPED);
    },
    async close() {
      await pool.destroy();
    },
  };
}

/** The first RESPONSE_DETAIL_BYTES of a body, as text; the rest is drained (or the connection dropped when it is long). */
async function readDetail(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let seen = 0;
  for await (const chunk of body) {
    if (keptBytes < RESPONSE_DETAIL_BYTES) {
      const part = chunk.subarray(0, RESPONSE_DETAIL_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    seen += chunk.length;
    if (seen > DRAIN_LIMIT_BYTES) {
      body.destroy();
      break;
    }
  }
  // A cut multi-byte character becomes U+FFFD rather than an error.
  return Buffer.concat(kept).toString('utf8');
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message === '' ? error.name : error.message;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
