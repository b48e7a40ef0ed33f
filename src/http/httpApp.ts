// The HTTP app shell: timeouts, connection bounds, request ids and JSON errors everywhere; the features register their own routes.
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { boundConnections, MAX_UNANSWERED_PER_CONNECTION, type ConnectionMetrics } from './connectionBounds';
import { ERRORS, type ErrorSlug } from '../errors/catalogue';
import { describeRequestError, rawErrorResponse, sendError, tooManyPipelined, unsupportedContentEncoding } from './errorReply';
import { periodicReport } from './periodicReport';
import { REQUEST_ID_HEADER, requestIdOf } from './requestId';
import { hostRefusal, type AllowedHosts } from './allowedHosts';

export interface HttpAppOptions {
  logger: Logger;
  /** The body limit of routes that set none of their own (the callback route's). */
  bodyLimitBytes: number;
  trustProxy: boolean | string;
  /** A request not received whole by then is answered 408 and its connection destroyed. */
  requestTimeoutMs: number;
  /** Open connections at most (WebSocket included); further ones are refused at accept. */
  maxConnections: number;
  /** A keep-alive connection waiting this long for its next request is closed. */
  keepAliveTimeoutMs: number;
  /** On stopping, connections still open after this long are cut: no client can hold the stop open. */
  drainTimeoutMs: number;
  connectionMetrics?: ConnectionMetrics;
  /** Counts a POST to a path with no route. */
  countUnroutedPost?: () => void;
  /** Host names browsers may ask under (null: any), and the paths of programs (CSS, probes, scrapers), never checked. */
  browserHosts?: { allowed: AllowedHosts | null; programPaths: readonly string[] };
}

/** How often POSTs to paths with no route are reported after the first (logged at once). */
export const UNROUTED_REPORT_INTERVAL_MS = 60_000;

/** Node's default limit on a request's headers, its request line included: no longer path reaches the router. */
const MAX_PATH_PARAMETER_CHARS = 16 * 1024;

/** What Node's HTTP parser or its timeouts rejected, as status, slug and message. */
function describeClientError(error: Error & { code?: string; rawPacket?: unknown }): [ErrorSlug, string] {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['request_timeout', 'the request was not received in time'];
    case 'HPE_HEADER_OVERFLOW':
      // The bytes received so far (a Buffer, whatever Fastify's types say).
      return overflowOf(Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined);
    case 'HPE_PAUSED_H2_UPGRADE':
      return ['bad_request', 'HTTP/2 is not served here without an upgrade: send HTTP/1.1'];
    default:
      return ['bad_request', `malformed HTTP request: ${error.message}`];
  }
}

/**
 * Node takes 16 KiB of request line and headers together: over it, a request line that had not ended (or was the most
 * of it) is a path too long (414), else the headers are too large (431).
 */
function overflowOf(received: Buffer | undefined): [ErrorSlug, string] {
  const lineEnd = received?.indexOf('\n') ?? -1;
  if (received !== undefined && (lineEnd === -1 || lineEnd > received.length / 2)) {
    return ['uri_too_long', `the request line is over ${MAX_PATH_PARAMETER_CHARS / 1024} KiB, the most request line and headers may hold together`];
  }
  return ['headers_too_large', `the request headers are over ${MAX_PATH_PARAMETER_CHARS / 1024} KiB, the most request line and headers may hold together`];
}

/** Whether a request's Upgrade header offers WebSocket (a comma-separated list of protocols, any case). */
const isWebSocketUpgrade = (request: IncomingMessage): boolean =>
  (request.headers.upgrade ?? '').split(',').some((protocol) => protocol.trim().toLowerCase() === 'websocket');

export function buildHttpApp(options: HttpAppOptions) {
  // The request each connection is receiving: one cut for time ends with the timeout as its error, so the route
  // counts and logs a 408 rather than a client that went away.
  const receiving = new WeakMap<Socket, IncomingMessage>();
  const app = Fastify({
    loggerInstance: options.logger,
    // Per-request logs would cost more than a callback itself; rejections are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy,
    bodyLimit: options.bodyLimitBytes,
    // Not Fastify's requestIdHeader, which would take any header value verbatim into logs and events.
    genReqId: requestIdOf,
    requestTimeout: options.requestTimeoutMs,
    // Fastify's 72 s would outlive the idle timeout of most load balancers and proxies (60 s).
    keepAliveTimeout: options.keepAliveTimeoutMs,
    http: {
      // Node checks request deadlines every 30 s by default: too coarse to cut a slow client off on time.
      connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs / 4),
      // Only a WebSocket upgrade is one: a request that offers another protocol (curl --http2 offers h2c) is answered
      // as the request it is, not refused as a WebSocket at the wrong path.
      shouldUpgradeCallback: isWebSocketUpgrade,
    },
    // A stream's page takes its id from the path: any id whose address fits in a request line (Node's 16 KiB of headers)
    // opens its page, not only those of up to Fastify's 100 characters.
    // `/callbacks/` too: a callback URL in CSS's template with a trailing slash is the likeliest slip, and CSS says
    // nothing of the 404s it gets. Every route takes it (`/graphql/`, `/metrics/`).
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_CHARS, ignoreTrailingSlash: true },
    // A path that is not valid percent-encoding, refused by the router before any route: the JSON error shape too.
    frameworkErrors: (error, _request, reply) => {
      const path = reply.request.raw.url?.split('?')[0] ?? '';
      if (error.code === 'FST_ERR_BAD_URL') return sendError(reply, 'bad_request', `the path ${JSON.stringify(path)} is not valid percent-encoded UTF-8`);
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(reply, 'uri_too_long', `the path is over ${MAX_PATH_PARAMETER_CHARS} characters`);
      return sendError(reply, 'bad_request', error.message);
    },
    // Bytes that are not HTTP at all still get the JSON error shape.
    clientErrorHandler: (error, socket) => {
      const [slug, message] = describeClientError(error);
      if (socket.writable) socket.write(rawErrorResponse(slug, message));
      const request = receiving.get(socket);
      if (slug === 'request_timeout' && request !== undefined && !request.complete) request.destroy(Object.assign(error, { statusCode: 408 }));
      // Destroyed, not half-closed: a client that never closes its side would keep the descriptor, the connection's
      // place under MAX_CONNECTIONS and its request's memory for as long as it likes.
      socket.destroy();
    },
  });
  // Node applies the larger of headersTimeout (60 s by default) and requestTimeout to the whole request.
  app.server.headersTimeout = options.requestTimeoutMs;
  app.server.on('request', (request: IncomingMessage) => receiving.set(request.socket, request));
  const connections = boundConnections(app.server, {
    maxConnections: options.maxConnections,
    logger: options.logger,
    ...(options.connectionMetrics === undefined ? {} : { metrics: options.connectionMetrics }),
  });
  // A POST to a path with no route is most likely CSS with a callback URL that is not quite this service's
  // (`/callback`, a proxy's prefix): its callbacks are answered 404 and CSS says nothing, so the log does.
  let lastUnrouted = { path: '', client: '' };
  const unroutedPosts = periodicReport(options.logger, UNROUTED_REPORT_INTERVAL_MS, (count, first) => ({
    fields: { unrouted: count, ...lastUnrouted },
    message: first
      ? `POST ${lastUnrouted.path} from ${lastUnrouted.client} answered 404: no route there. CSS's callbacks are taken at POST /callbacks: is that the path of the callback URL in CSS's template? Further ones are reported every ${UNROUTED_REPORT_INTERVAL_MS / 1000} s`
      : `${count} POST${count === 1 ? '' : 's'} to paths with no route answered 404 in the last ${UNROUTED_REPORT_INTERVAL_MS / 1000} s, the last to ${lastUnrouted.path} from ${lastUnrouted.client} (CSS's callbacks are taken at POST /callbacks)`,
  }));
  app.addHook('onClose', (_app, done) => {
    connections.stop();
    unroutedPosts.stop();
    done();
  });

  // Every answer names its request, so a caller can find the log lines and the stored event it caused.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  // A client that pipelines requests without reading the answers would have Node parse and start every one of them,
  // each holding its memory until answered: past a few, the request is refused and the connection closed after it.
  app.addHook('onRequest', (request, reply, done) => {
    const unanswered = connections.unansweredOn(request.raw.socket);
    if (unanswered <= MAX_UNANSWERED_PER_CONNECTION) return done();
    reply.header('connection', 'close');
    done(tooManyPipelined(unanswered - 1));
  });

  // No route: answered before the body is read. Fastify would otherwise parse a JSON body for its 404 handler, so that a
  // client posting large bodies to any other path would cost the thread that answers CSS a parse each, unchecked.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    answerUnrouted(request, reply);
  });

  // Browsers' routes answer only the host names allowed (allowedHosts.ts); CSS, probes and scrapers use any name.
  // Refusals are logged as unrouted POSTs are: an operator who serves the dashboard under a new name learns why.
  const allowed = options.browserHosts?.allowed ?? null;
  if (allowed !== null) {
    const programs = new Set(options.browserHosts!.programPaths);
    let lastRefused = { host: '', client: '' };
    const refusedHosts = periodicReport(options.logger, UNROUTED_REPORT_INTERVAL_MS, (count, first) => ({
      fields: { refused: count, ...lastRefused },
      message: first
        ? `a request under the host ${JSON.stringify(lastRefused.host)} from ${lastRefused.client} answered 403 host_not_allowed: while GRAPHQL_API_TOKENS is unset, GraphQL and the pages answer a public host name only when it is the machine's own or in ALLOWED_HOSTS. Further ones are reported every ${UNROUTED_REPORT_INTERVAL_MS / 1000} s`
        : `${count} request${count === 1 ? '' : 's'} under public host names not in ALLOWED_HOSTS answered 403 in the last ${UNROUTED_REPORT_INTERVAL_MS / 1000} s, the last under ${JSON.stringify(lastRefused.host)} from ${lastRefused.client}`,
    }));
    app.addHook('onClose', (_app, done) => {
      refusedHosts.stop();
      done();
    });
    app.addHook('onRequest', (request, reply, done) => {
      const refusal = programs.has(request.routeOptions.url ?? '') ? null : hostRefusal(request.headers.host, allowed);
      if (refusal === null) return done();
      lastRefused = { host: (request.headers.host ?? '').slice(0, 200), client: request.ip };
      refusedHosts.count();
      sendError(reply, 'host_not_allowed', refusal);
    });
  }

  // A compressed body would reach a route as bytes that are not its JSON: refused for what it is instead.
  app.addHook('onRequest', (request, reply, done) => {
    const encoding = request.headers['content-encoding']?.trim();
    if (encoding === undefined || encoding === '' || encoding.toLowerCase() === 'identity') return done();
    reply.header('accept-encoding', 'identity');
    done(unsupportedContentEncoding(encoding));
  });

  // The methods of each route with a fixed path, so that a known path asked with another method hears which it takes.
  const methodsOf = new Map<string, string[]>();
  app.addHook('onRoute', ({ url, method }) => {
    if (/[:*]/.test(url)) return;
    methodsOf.set(url, [...(methodsOf.get(url) ?? []), ...(Array.isArray(method) ? method : [method])]);
  });

  // Stopping: every answer from now on closes its connection. A keep-alive connection that becomes idle after the
  // listener closed would otherwise hold the stop open for the keep-alive timeout (72 s).
  let stopping = false;
  let cutConnections: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    stopping = true;
    cutConnections = setTimeout(() => {
      options.logger.warn(`connections still open ${options.drainTimeoutMs} ms after stopping began: closing them`);
      app.server.closeAllConnections();
    }, options.drainTimeoutMs);
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (stopping) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', (_app, done) => {
    clearTimeout(cutConnections);
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, slug } = describeRequestError(error);
    if (status === 413) {
      return sendError(reply, slug, `body is larger than the limit of ${request.routeOptions.bodyLimit ?? options.bodyLimitBytes} bytes`);
    }
    if (slug === 'unsupported_media_type') {
      // Fastify's own message names neither the type received nor the one wanted; the only bodies parsed as types are JSON.
      const type = request.headers['content-type'];
      return sendError(reply, slug, `a body of ${type === undefined ? 'no content type' : `content type ${JSON.stringify(type)}`} is not taken here: send application/json`);
    }
    if (slug !== 'internal_error') return sendError(reply, slug, error.message, status);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, slug, ERRORS.internal_error.meaning);
  });
  /** A path with no route, or a known path asked with a method it does not take. */
  const answerUnrouted = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0]!;
    const methods = methodsOf.get(path) ?? methodsOf.get(path.replace(/(?<=.)\/$/, ''));
    if (methods === undefined) {
      if (request.method === 'POST') {
        lastUnrouted = { path: path.length > 200 ? `${path.slice(0, 200)}…` : path, client: request.ip };
        unroutedPosts.count();
        options.countUnroutedPost?.();
        return sendError(reply, 'not_found', `no route for POST ${path}: CSS's callbacks are taken at POST /callbacks`);
      }
      return sendError(reply, 'not_found', `no route for ${request.method} ${path}`);
    }
    // OPTIONS answers what the path takes, and no CORS header: a page of another origin still may not call it.
    if (request.method === 'OPTIONS') return reply.code(204).header('allow', [...methods, 'OPTIONS'].join(', ')).send();
    reply.header('allow', methods.join(', '));
    return sendError(reply, 'method_not_allowed', `${path} takes ${methods.join(', ')}, not ${request.method}`);
  };
  app.setNotFoundHandler(answerUnrouted);

  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}
