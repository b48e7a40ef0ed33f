// POST /callbacks: verify, interpret and durably append a CSS callback, then answer {"code":0}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedBy, CallbackEvent, CallbackEventMetadata } from '../domain/callbackEvents';
import { interpretCallback } from '../domain/interpretCallback';
import { StoreUnavailableError, type EventStore } from '../eventstore/eventStore';
import { statusOf, type ErrorSlug } from '../errors/catalogue';
import { describeRequestError, sendError } from '../http/errorReply';
import { ClientRates } from '../http/clientRates';
import { clientOf } from '../http/connectionShares';
import { isLedgerEnvelope } from '../http/ledgerDelivery';
import { periodicReport } from '../http/periodicReport';
import type { CallbackMetrics } from '../metrics/serviceMetrics';
import { appendCallback, parseCallbackText } from './acceptCallback';
import { authenticateCallback, type CallbackAuthConfig, type LateSignature } from './authenticateCallback';
import { CallbacksInFlight } from './callbacksInFlight';
import { callbackQuarantine, type CallbackQuarantine, type CallbackQuarantineOptions } from './quarantineCallback';
import { rejectionLogSampler, type RejectionLogSampler } from './rejectionLogSampler';
import { tokenAsWritten } from './urlToken';

export interface CallbackRouteOptions {
  store: EventStore;
  auth: CallbackAuthConfig;
  bodyLimitBytes: number;
  /** Authenticated callbacks being handled at once at most; beyond, 503 with Retry-After instead of an ever-growing queue. */
  maxInflightAppends: number;
  /** Where the callbacks being handled are counted (the service's metrics read it). */
  inFlight?: CallbacksInFlight;
  /** Unix seconds; injectable so tests can sign for a fixed instant. */
  nowSeconds?: () => number;
  /** Where each callback's outcome and append time are counted; none when metrics are off. */
  metrics?: CallbackMetrics;
  /** Where authentic callbacks with an expired signature are kept; without it they are refused (401 expired). */
  quarantine?: CallbackQuarantineOptions;
  /** A rejection is logged in full once per slug in this many seconds, the others in one summary line; 0: each one. */
  rejectionLogIntervalSeconds?: number;
  /** What a store error's message becomes before it reaches the client (file paths cut in production). */
  publicText?: (text: string) => string;
  /** Each client's refusals, counted: one over its budget waits behind the others (injectable for tests). */
  refusedClients?: ClientRates;
  /**
   * The service's turns of the event loop for work that waits behind the rest (graphql/eventLoopTurns.ts): the callbacks
   * of a client over its budget of refusals take one each before their bodies are read. Without them, they do not wait.
   */
  turns?: { run<T>(slice: () => T): Promise<T> };
}

/** Seconds CSS is told to wait before retrying when the store cannot take a callback. */
const RETRY_AFTER_SECONDS = 5;
const OVERLOAD_RETRY_AFTER_SECONDS = 1;
const OK = '{"code":0}';
/**
 * Refusals a client may cause in a second before its next callbacks wait behind the others'. CSS causes none (unless
 * every callback is refused, a wrong key say, when waiting changes nothing); a scanner or a hostile client causes
 * hundreds, each costing the thread that answers CSS the reading of up to the body limit (64 KB of 5,000 members: 1.6 ms).
 */
export const REFUSALS_PER_SECOND = 20;
/** All clients together: many addresses, each under its own budget, are held back as one would be. */
export const OVERALL_REFUSALS_PER_SECOND = 200;
/** How often callbacks held back from clients refused over and over are reported after the first (logged at once). */
const HELD_BACK_REPORT_INTERVAL_MS = 60_000;
// ignoreBOM keeps a byte order mark in the text, so the stored body is exactly the bytes received.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export async function callbackRoutes(app: FastifyInstance, options: CallbackRouteOptions): Promise<void> {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const { metrics } = options;
  const sampler = rejectionLogSampler(app.log, (options.rejectionLogIntervalSeconds ?? 60) * 1000);
  app.addHook('onClose', async () => sampler.flush());
  const quarantine = options.quarantine === undefined ? null : callbackQuarantine(options.store, options.quarantine);
  const refusedClients = options.refusedClients ?? new ClientRates(REFUSALS_PER_SECOND, { overallPerSecond: OVERALL_REFUSALS_PER_SECOND });
  // Said in the log at once, then every interval while it lasts, with the last client held back.
  let lastHeldBack = '';
  const heldBack = periodicReport(app.log, HELD_BACK_REPORT_INTERVAL_MS, (count, first) => ({
    fields: { heldBack: count, client: lastHeldBack },
    message: first
      ? `client ${lastHeldBack} caused more than ${REFUSALS_PER_SECOND} refusals in a second (or some while all clients together caused more than ` +
        `${OVERALL_REFUSALS_PER_SECOND}): its callbacks are read after the others' until it pauses ` +
        `(one sharing its address with CSS holds CSS's back too: behind a proxy, see TRUST_PROXY; reported every ${HELD_BACK_REPORT_INTERVAL_MS / 1000} s while it lasts)`
      : `${count} callbacks of clients refused over and over were read after the others' in the last ${HELD_BACK_REPORT_INTERVAL_MS / 1000} s, the last of ${lastHeldBack}`,
  }));
  app.addHook('onClose', async () => heldBack.stop());
  const reject = (request: FastifyRequest, reply: FastifyReply, error: ErrorSlug, message: string) => {
    refusedClients.count(clientOf(request.ip));
    metrics?.countCallback(null, 'rejected', error);
    logRejection(sampler, request, error, message);
    return sendError(reply, error, message);
  };
  // Counted from the moment a callback is authenticated to its answer: only callbacks that prove they come from CSS
  // hold a place, so strangers (slow ones above all) cannot keep CSS out. What a request holds before that, its body,
  // is bounded by MAX_CONNECTIONS and the body limit; a request cut for time leaves with its connection.
  const inFlight = options.inFlight ?? new CallbacksInFlight();
  /** The 503 for a callback that finds every place taken, or null when there is room. */
  const refuseWhenFull = (request: FastifyRequest, reply: FastifyReply): FastifyReply | null => {
    const inflight = inFlight.count;
    if (inflight < options.maxInflightAppends) return null;
    sampler.sample('overloaded', () => request.log.warn({ inflight }, 'overloaded: callback refused, CSS will retry'));
    metrics?.countCallback(null, 'overloaded');
    reply.header('retry-after', String(OVERLOAD_RETRY_AFTER_SECONDS));
    return sendError(reply, 'overloaded', `${inflight} callbacks are being handled already; retry later`);
  };
  const admit = (request: FastifyRequest, reply: FastifyReply): void => {
    inFlight.admit(request);
    // The response's close comes whatever ends it, answered or the connection lost: a callback never counts for ever.
    reply.raw.once('close', () => inFlight.release(request));
  };
  // Errors the app's error handler answers: a body over the limit or a broken request is logged here as a
  // rejection; a failure of ours (500) is logged by the handler, a connection closed for another client where it is closed.
  app.addHook('onError', async (request, _reply, error) => {
    const { status, slug } = describeRequestError(error);
    if (status < 500) {
      refusedClients.count(clientOf(request.ip));
      logRejection(sampler, request, slug, error.message, status);
    }
    metrics?.countCallback(null, slug === 'internal_error' ? 'failed' : 'rejected', slug);
  });

  // The body is kept byte for byte, whatever content type CSS (or a proxy) declares.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes }, (_request, body, done) =>
    done(null, body),
  );

  /**
   * Before the body is read: receiving and parsing one costs the thread up to a millisecond or so, so the next callbacks
   * of a client refused over and over (a scanner, a hostile sender of large bodies) wait behind everyone else's, a turn
   * of the event loop each, and CSS's are not kept waiting behind them. They are still read and answered as ever.
   */
  const holdBackRefusedClients = async (request: FastifyRequest) => {
    if (!refusedClients.anyOver) return;
    const client = clientOf(request.ip);
    if (!refusedClients.over(client)) return;
    lastHeldBack = client;
    heldBack.count();
    metrics?.countHeldBack();
    await options.turns?.run(() => undefined);
  };

  app.post<{ Querystring: { token?: string | string[] } }>('/callbacks', { onRequest: holdBackRefusedClients }, async (request, reply) => {
    const receivedAt = new Date();
    // Refused before any work on the body when full; the place is taken below, with no await in between.
    const refused = refuseWhenFull(request, reply);
    if (refused !== null) return refused;
    // Stored, it would be forwarded again in a larger envelope, until the body limit ends the loop.
    if (isLedgerEnvelope(request.headers)) {
      return reject(request, reply, 'ledger_delivery', "this is a css-callback-ledger's standard-webhooks delivery (an envelope), not a CSS callback: point the destination elsewhere, or give it format raw to pass callbacks on to another ledger");
    }
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      return reject(request, reply, 'empty_body', 'body must be a JSON object, got an empty body');
    }
    let raw: string;
    try {
      raw = utf8.decode(body);
    } catch {
      return reject(request, reply, 'invalid_encoding', 'body is not valid UTF-8');
    }
    const parsed = parseCallbackText(raw);
    if (!parsed.ok) return reject(request, reply, parsed.error, parsed.message);

    const token = Array.isArray(request.query.token) ? request.query.token[0] : request.query.token;
    const auth = authenticateCallback(parsed.payload, token, options.auth, nowSeconds(), () => tokenAsWritten(request.url));
    if (!auth.ok) {
      if (auth.quarantine === undefined || quarantine === null) return reject(request, reply, auth.error, auth.message);
      admit(request, reply);
      const metadata = callbackMetadata(request, receivedAt, 'signature', auth.quarantine.keyIndex);
      return keepInQuarantine(quarantine, request, reply, interpretCallback(parsed.payload, raw), metadata, auth.quarantine);
    }
    admit(request, reply);

    const event = interpretCallback(parsed.payload, raw);
    const metadata = callbackMetadata(request, receivedAt, auth.by, auth.keyIndex);
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
      return storeUnavailable(request, reply, event, error);
    }
  });

  /** The callback is authentic but its `t` has passed: kept aside (answered 200, so CSS stops retrying) unless the quarantine's bounds refuse it (503). */
  async function keepInQuarantine(
    quarantine: CallbackQuarantine,
    request: FastifyRequest,
    reply: FastifyReply,
    event: CallbackEvent,
    metadata: CallbackEventMetadata,
    late: LateSignature,
  ): Promise<FastifyReply> {
    const refusal = await quarantine.admit();
    if (refusal !== null) {
      metrics?.countCallback(event.type, 'quarantine_refused', refusal.error);
      logRejection(sampler, request, refusal.error, refusal.message);
      reply.header('retry-after', String(refusal.retryAfterSeconds));
      return sendError(reply, refusal.error, refusal.message);
    }
    try {
      const { stored, position } = await quarantine.keep(event, late, metadata);
      metrics?.countCallback(event.type, 'quarantined');
      sampler.sample('quarantined', () =>
        request.log.warn(
          { eventId: event.id, type: event.type, lateSeconds: late.lateSeconds, stored, clientAddress: request.ip },
          'authentic callback with an expired signature quarantined: list with quarantinedCallbacks, promote with `promote`',
        ),
      );
      if (position !== undefined) reply.header('callback-position', String(position));
      return reply
        .header('callback-event-id', event.id)
        .header('callback-stored', 'quarantined')
        .type('application/json; charset=utf-8')
        .send(OK);
    } catch (error) {
      return storeUnavailable(request, reply, event, error);
    }
  }

  function storeUnavailable(request: FastifyRequest, reply: FastifyReply, event: CallbackEvent, error: unknown): FastifyReply {
    if (!(error instanceof StoreUnavailableError)) throw error;
    // One in full per interval: a store that is down (or a full disk) refuses every callback, each with the same reason.
    sampler.sample('store_unavailable', () => request.log.warn({ err: error, eventId: event.id }, 'event store unavailable: callback not stored'));
    metrics?.countCallback(event.type, 'store_unavailable');
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    const detail = options.publicText?.(error.message) ?? error.message;
    return sendError(reply, 'store_unavailable', `the event store cannot take callbacks right now: ${detail}`);
  }
}

function callbackMetadata(request: FastifyRequest, receivedAt: Date, by: AuthenticatedBy, keyIndex: number | undefined): CallbackEventMetadata {
  return {
    receivedAt: receivedAt.toISOString(),
    clientAddress: request.ip,
    authenticatedBy: by,
    ...(keyIndex === undefined ? {} : { keyIndex }),
    requestId: request.id,
    ...contentTypeOf(request),
  };
}

/** A header of sane length only: it is stored with every event, and forwarded. */
function contentTypeOf(request: FastifyRequest): { contentType?: string } {
  const given = request.headers['content-type'];
  return typeof given === 'string' && given.length > 0 && given.length <= 200 ? { contentType: given } : {};
}

function logRejection(sampler: RejectionLogSampler, request: FastifyRequest, error: ErrorSlug, message: string, status = statusOf(error)): void {
  sampler.sample(error, () => request.log.warn({ status, error, reason: message, clientAddress: request.ip }, 'callback rejected'));
}
