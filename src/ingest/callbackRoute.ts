// POST /callbacks: verify, interpret and durably append a CSS callback, then answer {"code":0}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallbackEventMetadata } from '../domain/callbackEvents';
import { interpretCallback } from '../domain/interpretCallback';
import { StoreUnavailableError, type EventStore } from '../eventstore/eventStore';
import { describeRequestError, sendError } from '../http/errorReply';
import type { CallbackMetrics } from '../metrics/serviceMetrics';
import { appendCallback, parseCallbackText } from './acceptCallback';
import { authenticateCallback, type CallbackAuthConfig } from './authenticateCallback';

export interface CallbackRouteOptions {
  store: EventStore;
  auth: CallbackAuthConfig;
  bodyLimitBytes: number;
  /** Callbacks being handled at once at most; beyond, 503 with Retry-After instead of an ever-growing queue. */
  maxInflightAppends: number;
  /** Unix seconds; injectable so tests can sign for a fixed instant. */
  nowSeconds?: () => number;
  /** Where each callback's outcome and append time are counted; none when metrics are off. */
  metrics?: CallbackMetrics;
  /** What a store error's message becomes before it reaches the client (file paths cut in production). */
  publicText?: (text: string) => string;
}

/** Seconds CSS is told to wait before retrying when the store cannot take a callback. */
const RETRY_AFTER_SECONDS = 5;
const OVERLOAD_RETRY_AFTER_SECONDS = 1;
const OK = '{"code":0}';
// ignoreBOM keeps a byte order mark in the text, so the stored body is exactly the bytes received.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export async function callbackRoutes(app: FastifyInstance, options: CallbackRouteOptions): Promise<void> {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const { metrics } = options;
  const reject = (request: FastifyRequest, reply: FastifyReply, status: number, error: string, message: string) => {
    metrics?.countCallback(null, 'rejected', error);
    return rejectCallback(request, reply, status, error, message);
  };
  // Counted from the moment the headers arrive, before the body is read: under CPU overload the queue
  // forms in parsing and handling, not only in the store, and this is where it must be cut.
  let inflight = 0;
  const countedRequests = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (request, reply) => {
    if (inflight >= options.maxInflightAppends) {
      request.log.warn({ inflight }, 'overloaded: callback refused, CSS will retry');
      metrics?.countCallback(null, 'overloaded');
      reply.header('retry-after', String(OVERLOAD_RETRY_AFTER_SECONDS));
      return sendError(reply, 503, 'overloaded', `${inflight} callbacks are being handled already; retry later`);
    }
    inflight++;
    countedRequests.add(request);
  });
  const release = async (request: FastifyRequest) => {
    if (countedRequests.delete(request)) inflight--;
  };
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);
  // Errors the app's error handler answers: a body over the limit or a broken request is logged here as a
  // rejection; a failure of ours (500) is logged by the handler.
  app.addHook('onError', async (request, _reply, error) => {
    const { status, slug } = describeRequestError(error);
    if (status < 500) logRejection(request, status, slug, error.message);
    metrics?.countCallback(null, status < 500 ? 'rejected' : 'failed', slug);
  });

  // The body is kept byte for byte, whatever content type CSS (or a proxy) declares.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes }, (_request, body, done) =>
    done(null, body),
  );

  app.post<{ Querystring: { token?: string | string[] } }>('/callbacks', async (request, reply) => {
    const receivedAt = new Date();
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      return reject(request, reply, 400, 'empty_body', 'body must be a JSON object, got an empty body');
    }
    let raw: string;
    try {
      raw = utf8.decode(body);
    } catch {
      return reject(request, reply, 400, 'invalid_encoding', 'body is not valid UTF-8');
    }
    const parsed = parseCallbackText(raw);
    if (!parsed.ok) return reject(request, reply, 400, parsed.error, parsed.message);

    const token = Array.isArray(request.query.token) ? request.query.token[0] : request.query.token;
    const auth = authenticateCallback(parsed.payload, token, options.auth, nowSeconds());
    if (!auth.ok) return reject(request, reply, 401, auth.error, auth.message);

    const event = interpretCallback(parsed.payload, raw);
    const metadata: CallbackEventMetadata = {
      receivedAt: receivedAt.toISOString(),
      clientAddress: request.ip,
      authenticatedBy: auth.by,
      ...(auth.keyIndex === undefined ? {} : { keyIndex: auth.keyIndex }),
      requestId: request.id,
    };
    try {
      const appendStarted = performance.now();
      const { stored, position } = await appendCallback(options.store, event, metadata);
      metrics?.observeAppend((performance.now() - appendStarted) / 1000);
      metrics?.countCallback(event.type, stored === 'new' ? 'stored' : 'duplicate');
      request.log.debug({ eventId: event.id, stream: event.stream, type: event.type, stored }, 'callback stored');
      // The global position lets a client wait until the read models include this callback.
      if (position !== undefined) reply.header('callback-position', String(position));
      return reply
        .header('callback-event-id', event.id)
        .header('callback-stored', stored)
        .type('application/json; charset=utf-8')
        .send(OK);
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        request.log.warn({ err: error, eventId: event.id }, 'event store unavailable: callback not stored');
        metrics?.countCallback(event.type, 'store_unavailable');
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        const detail = options.publicText?.(error.message) ?? error.message;
        return sendError(reply, 503, 'store_unavailable', `the event store cannot take callbacks right now: ${detail}`);
      }
      throw error;
    }
  });
}

function rejectCallback(request: FastifyRequest, reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  logRejection(request, status, error, message);
  return sendError(reply, status, error, message);
}

function logRejection(request: FastifyRequest, status: number, error: string, message: string): void {
  request.log.warn({ status, error, reason: message, clientAddress: request.ip }, 'callback rejected');
}
