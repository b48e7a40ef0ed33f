// A paced, bounded callback sender: N callbacks/s for a while, a cap on requests in flight, 503s retried after Retry-After.
import http from 'node:http';
import https from 'node:https';
import type { OutgoingCallback } from './simulatedCallbacks';

export interface CallbackAnswer {
  /** The callback's place in the send order, from 0. */
  slot: number;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** The HTTP status; 0 when no answer came (connection refused, reset, timeout). */
  status: number;
  /** `callback-event-id` of a 200. */
  eventId: string | null;
  /** `callback-stored` of a 200. */
  stored: 'new' | 'duplicate' | null;
  /** The `error` slug of a JSON error body, or the network error's code when no answer came. */
  error: string | null;
  retryAfter: string | null;
  /** False when a retry of this callback follows (a 503 with retries left); the final answer decides the outcome. */
  final: boolean;
  /** performance.now() when the request was issued and when the answer's headers arrived. */
  sentAt: number;
  answeredAt: number;
}

export interface SendOptions {
  /** Base URL of the service; each callback's `path` is resolved against it. */
  url: string;
  /** Callbacks per second (new ones; retries come on top, when due). */
  rate: number;
  /** No new callback is sent after this long. */
  durationMs: number;
  /** No more than this many callbacks in all (retries not counted). */
  count?: number;
  /** Requests in flight at most; a slow server slows the sender down instead of piling requests up. */
  maxInFlight: number;
  /** Keep-alive connections (default maxInFlight); beyond them requests wait for a free one inside the agent. */
  connections?: number;
  /** Retries of a callback answered 503 (after its Retry-After); 0 for none. */
  maxRetries: number;
  /** A request without an answer by then is abandoned (CSS waits 20 s). */
  requestTimeoutMs?: number;
  /** After the sending window, retries are still sent when due within this time; later ones are not scheduled. */
  drainMs?: number;
  /** Every answer, retries included, as it arrives. */
  onAnswer?(answer: CallbackAnswer, callback: OutgoingCallback): void;
}

export interface SendReport {
  /** Distinct callbacks sent. */
  sent: number;
  /** Requests, retries included. */
  attempts: number;
  retries: number;
  stoppedBy: 'count' | 'duration';
  /** From the first send to the last new callback's send (performance.now() ms). */
  firstSentAt: number;
  lastSentAt: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
const DEFAULT_DRAIN_MS = 30_000;
/** Retry-After beyond this is cut: CSS itself retries a minute apart. */
const MAX_RETRY_DELAY_MS = 60_000;
const DEFAULT_RETRY_DELAY_MS = 1_000;

/** How many callbacks the schedule has due `elapsedMs` after the start: slot i is due at i / rate seconds. */
export function dueSlots(elapsedMs: number, rate: number): number {
  if (elapsedMs < 0) return 0;
  return Math.floor((elapsedMs * rate) / 1000) + 1;
}

/** The wait a Retry-After header asks for (seconds or an HTTP date), bounded; 1 s when absent or unreadable. */
export function retryDelayMs(header: string | null, nowMs: number): number {
  if (header === null || header.trim() === '') return DEFAULT_RETRY_DELAY_MS;
  const text = header.trim();
  const wait = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - nowMs;
  if (Number.isNaN(wait)) return DEFAULT_RETRY_DELAY_MS;
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(0, wait));
}

/**
 * A kept-alive connection the service closed as it went idle can be picked for a request at that very moment: the
 * request fails (ECONNRESET, EPIPE) before any answer, and is sent again on another connection, up to this many times.
 * Safe to repeat: the service stores a callback once, whatever the number of times it is posted.
 */
const STALE_CONNECTION_RESENDS = 2;

/** Posts one callback; resolves with the answer (status 0 when none came), never rejects. */
export function postOnce(
  target: URL,
  callback: OutgoingCallback,
  agent: http.Agent,
  timeoutMs: number,
): Promise<Omit<CallbackAnswer, 'slot' | 'attempt' | 'final'>> {
  const client = target.protocol === 'https:' ? https : http;
  const sentAt = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Omit<CallbackAnswer, 'slot' | 'attempt' | 'final' | 'sentAt'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, sentAt });
    };
    const failed = (error: string) =>
      settle({ status: 0, eventId: null, stored: null, error, retryAfter: null, answeredAt: performance.now() });
    const answered = (response: http.IncomingMessage) => {
      const answeredAt = performance.now();
      const status = response.statusCode ?? 0;
      const header = (name: string) => {
        const value = response.headers[name];
        return typeof value === 'string' ? value : null;
      };
      if (status === 200) {
        response.resume();
        const stored = header('callback-stored');
        settle({
          status,
          eventId: header('callback-event-id'),
          stored: stored === 'new' || stored === 'duplicate' ? stored : null,
          error: null,
          retryAfter: null,
          answeredAt,
        });
        return;
      }
      // The error slug is in the body: read it (bounded) before answering.
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        if (length < 16_384) chunks.push(chunk);
        length += chunk.length;
      });
      const finish = () =>
        settle({ status, eventId: null, stored: null, error: errorSlug(Buffer.concat(chunks).toString('utf8')), retryAfter: header('retry-after'), answeredAt });
      response.on('end', finish);
      response.on('error', finish);
    };
    const send = (resends: number): void => {
      let gotAnswer = false;
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(callback.body) };
      const request = client.request(target, { method: 'POST', agent, headers }, (response) => {
        gotAnswer = true;
        answered(response);
      });
      request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error('no answer in time'), { code: 'timeout' })));
      request.on('error', (error: NodeJS.ErrnoException) => {
        const stale = !gotAnswer && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        if (stale && resends < STALE_CONNECTION_RESENDS) send(resends + 1);
        else failed(error.code ?? 'request_failed');
      });
      request.end(callback.body);
    };
    send(0);
  });
}

function errorSlug(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') {
      return (parsed as { error: string }).error;
    }
  } catch {
    // not the service's JSON error body
  }
  return 'unknown';
}

interface Retry {
  slot: number;
  attempt: number;
  callback: OutgoingCallback;
  dueAt: number;
}

/**
 * Sends callbacks taken from `source` on a fixed schedule until the count or the duration is reached,
 * with at most `maxInFlight` requests open; when the cap holds the schedule back, the sender falls
 * behind (and its achieved rate shows it) rather than queueing without bound. A 503 is retried once
 * its Retry-After has passed, up to `maxRetries` times, within the drain time after the window.
 */
export async function sendCallbacks(source: Iterator<OutgoingCallback>, options: SendOptions): Promise<SendReport> {
  const base = new URL(options.url);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  const count = options.count ?? Infinity;
  const agentOptions = { keepAlive: true, maxSockets: options.connections ?? options.maxInFlight };
  const agent = base.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);

  const start = performance.now();
  const windowEnd = start + options.durationMs;
  const drainEnd = windowEnd + drainMs;
  let sent = 0;
  let attempts = 0;
  let retries = 0;
  let inFlight = 0;
  let firstSentAt = NaN;
  let lastSentAt = NaN;
  let exhausted = false;
  const pendingRetries: Retry[] = [];

  const report = (): SendReport => ({
    sent,
    attempts,
    retries,
    stoppedBy: sent >= count || exhausted ? 'count' : 'duration',
    firstSentAt,
    lastSentAt,
  });

  try {
    return await new Promise<SendReport>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let kicked = false;
      const kick = () => {
        if (kicked) return;
        kicked = true;
        setImmediate(() => {
          kicked = false;
          tick();
        });
      };

      const dispatch = (slot: number, attempt: number, callback: OutgoingCallback) => {
        inFlight++;
        attempts++;
        void postOnce(new URL(callback.path, base), callback, agent, requestTimeoutMs).then((result) => {
          inFlight--;
          // A retry is only scheduled when it can go out before the drain time ends, so none is left waiting.
          const retryAt = performance.now() + retryDelayMs(result.retryAfter, Date.now());
          const retry = result.status === 503 && attempt <= options.maxRetries && retryAt < drainEnd;
          if (retry) {
            retries++;
            pendingRetries.push({ slot, attempt: attempt + 1, callback, dueAt: retryAt });
          }
          options.onAnswer?.({ ...result, slot, attempt, final: !retry }, callback);
          kick();
        });
      };

      const tick = () => {
        clearTimeout(timer);
        const now = performance.now();
        // Retries first: they are older than anything new.
        pendingRetries.sort((a, b) => a.dueAt - b.dueAt);
        while (pendingRetries.length > 0 && pendingRetries[0]!.dueAt <= now && inFlight < options.maxInFlight) {
          const retry = pendingRetries.shift()!;
          dispatch(retry.slot, retry.attempt, retry.callback);
        }
        const sending = now < windowEnd && sent < count && !exhausted;
        if (sending) {
          const due = Math.min(count, dueSlots(now - start, options.rate));
          while (sent < due && inFlight < options.maxInFlight) {
            const next = source.next();
            if (next.done === true) {
              exhausted = true;
              break;
            }
            if (sent === 0) firstSentAt = performance.now();
            lastSentAt = performance.now();
            dispatch(sent++, 1, next.value);
          }
        }
        const stillSending = now < windowEnd && sent < count && !exhausted;
        if (!stillSending && inFlight === 0 && pendingRetries.length === 0) {
          resolve(report());
          return;
        }
        // Asleep until the next slot, retry or the window's end; a finished request wakes the loop (kick),
        // which is also what a sender held back by the in-flight cap waits for.
        const room = inFlight < options.maxInFlight;
        const nextSlotAt = stillSending && room ? start + (sent * 1000) / options.rate : Infinity;
        const nextRetryAt = pendingRetries.length > 0 && room ? pendingRetries[0]!.dueAt : Infinity;
        const wakeAt = Math.min(nextSlotAt, nextRetryAt, stillSending ? windowEnd : Infinity);
        if (Number.isFinite(wakeAt)) timer = setTimeout(tick, Math.max(1, wakeAt - now));
      };
      tick();
    });
  } finally {
    agent.destroy();
  }
}
