// The HTTP surface: callbacks, health and readiness, GraphQL and the dashboard, with JSON errors everywhere.
import Fastify, { LogController, type FastifyError } from 'fastify';
import type { Logger } from 'pino';
import type { EventStore } from '../eventstore/eventStore';
import type { CallbackAuthConfig } from '../ingest/authenticateCallback';
import type { ProjectionProgress } from '../projections/projector';
import type { GraphQLSchema } from 'graphql';
import { dashboardRoutes } from '../dashboard/dashboardRoutes';
import { graphqlRoutes } from '../graphql/graphqlRoutes';
import type { GraphqlConfig } from '../config';
import { callbackRoutes } from '../ingest/callbackRoute';
import type { ServiceMetrics } from '../metrics/serviceMetrics';
import { describeRequestError, sendError } from './errorReply';
import { REQUEST_ID_HEADER, requestIdOf } from './requestId';

export interface HttpAppOptions {
  store: EventStore;
  projector: Pick<ProjectionProgress, 'status'>;
  logger: Logger;
  callbackAuth: CallbackAuthConfig;
  callbackBodyLimitBytes: number;
  trustProxy: boolean | string;
  graphqlSchema: GraphQLSchema;
  graphql: GraphqlConfig;
  maxInflightAppends: number;
  /** Slow clients are cut off after this. */
  requestTimeoutMs: number;
  /** On stopping, connections still open after this long are cut: no client can hold the stop open. */
  drainTimeoutMs: number;
  /** Served at GET /metrics, and fed by the callback route. */
  metrics?: ServiceMetrics;
  nowSeconds?: () => number;
}

/** What Node's HTTP parser or its timeouts rejected, as status, slug, reason phrase and message. */
function describeClientError(error: Error): [number, string, string, string] {
  switch ((error as { code?: string }).code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'request_timeout', 'Request Timeout', 'the request was not received in time'];
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'headers_too_large', 'Request Header Fields Too Large', 'the request headers are too large'];
    default:
      return [400, 'bad_request', 'Bad Request', `malformed HTTP request: ${error.message}`];
  }
}

export async function buildHttpApp(options: HttpAppOptions) {
  const app = Fastify({
    loggerInstance: options.logger,
    // Per-request logs would cost more than a callback itself; rejections are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy,
    bodyLimit: options.callbackBodyLimitBytes,
    // Not Fastify's requestIdHeader, which would take any header value verbatim into logs and events.
    genReqId: requestIdOf,
    requestTimeout: options.requestTimeoutMs,
    // Node checks request deadlines every 30 s by default: too coarse to cut a slow client off on time.
    http: { connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs / 4) },
    // Bytes that are not HTTP at all still get the JSON error shape.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return socket.destroy();
      const [status, slug, reason, message] = describeClientError(error);
      const body = JSON.stringify({ code: status, error: slug, message });
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\n` +
          `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    },
  });
  // Node applies the larger of headersTimeout (60 s by default) and requestTimeout to the whole request.
  app.server.headersTimeout = options.requestTimeoutMs;

  // Every answer names its request, so a caller can find the log lines and the stored event it caused.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
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
      return sendError(reply, 413, slug, `body is larger than the limit of ${request.routeOptions.bodyLimit ?? options.callbackBodyLimitBytes} bytes`);
    }
    if (status < 500) return sendError(reply, status, slug, error.message);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, slug, 'the request failed inside the service; nothing was acknowledged');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'not_found', `no route for ${request.method} ${request.url.split('?')[0]}`),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const { phase, position, eventsApplied, lagMs, lastError } = options.projector.status();
    const projector = { phase, position: String(position), eventsApplied, lagMs, lastError };
    try {
      await options.store.checkHealth();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return reply.code(503).send({ code: 503, error: 'not_ready', message: `event store unreachable: ${detail}`, projector });
    }
    if (phase !== 'running') {
      return reply.code(503).send({ code: 503, error: 'not_ready', message: `projector is ${phase}`, projector });
    }
    return { status: 'ready', store: options.store.description, projector };
  });

  await app.register(callbackRoutes, {
    store: options.store,
    auth: options.callbackAuth,
    bodyLimitBytes: options.callbackBodyLimitBytes,
    maxInflightAppends: options.maxInflightAppends,
    nowSeconds: options.nowSeconds,
    metrics: options.metrics?.callbacks,
  });
  const { metrics } = options;
  if (metrics !== undefined) {
    app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.scrape()));
  }
  await app.register(graphqlRoutes, { schema: options.graphqlSchema, config: options.graphql });
  await app.register(dashboardRoutes);
  return app;
}
