// GraphQL subscriptions over WebSocket (graphql-ws on ws): who may connect, how much and how fast a client may send and hold, slow ones dropped.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GraphqlConfig } from './graphqlConfig';
import { ERRORS } from '../errors/catalogue';
import { rawErrorResponse } from '../http/errorReply';
import { REQUEST_ID_HEADER, requestIdOf } from '../http/requestId';
import { graphqlError } from './errors';
import { MessageAllowances, threadCpuMs } from './messageAllowance';
import type { SubscriberMetrics } from './subscriberMetrics';
import { operationChecker } from './operationLimits';
import { responseTooLarge, type BudgetedContext } from './responseBudget';
import type { DropReason } from './subscriber';
import type { SubscriptionContext, TopicSubscriber, Topics } from './topics';
import { TurnWebSocket } from './turnWebSocket';
import { upgradeRefusal, upgradeRefused, type UpgradeRefusal } from './webSocketUpgrade';

/** WebSocket close code for a connection_init without a valid token (graphql-ws uses 4403 for Forbidden). */
const FORBIDDEN = 4403;

/**
 * WebSocket close code for a subscriber that fell behind its bounds: 1008 (policy violation) in the private range,
 * because graphql-ws clients give up for good on 1008 and reconnect on 4008, which is what a briefly slow client wants.
 */
const TOO_SLOW = 4008;

/** A client that does not read will not read the close frame either: its socket is cut this long after it. */
const TOO_SLOW_CUT_MS = 1_000;

/** When a WebSocket refused for their number may try again. */
const WEBSOCKETS_RETRY_AFTER_SECONDS = 5;

/** On stopping, how long a subscriber has to answer the 1001 close frame before its socket is cut. */
const SOCKET_CLOSE_GRACE_MS = 2_000;

export interface SubscriptionServerOptions {
  server: Server;
  path: string;
  schema: GraphQLSchema;
  config: GraphqlConfig;
  /** As errors are shown to clients, over HTTP and WebSocket alike. */
  formatError(error: GraphQLFormattedError): GraphQLFormattedError;
  topics: Topics;
  logger: FastifyBaseLogger;
  metrics?: SubscriberMetrics | undefined;
  /** Whether connection_init's payload carries what /graphql asks for (an API token, when tokens are set). */
  admits(connectionParams: Record<string, unknown>): boolean;
}

/** One WebSocket: its subscriber (bounded queues) and the ids of its subscribe operations, counted against the limits. */
interface Connection {
  subscriber: TopicSubscriber;
  operations: Set<string>;
  cut?: NodeJS.Timeout;
  /** Set while the socket is not read, for having sent faster than its allowance. */
  throttled?: NodeJS.Timeout;
  /** Counts a subscribe's check against the socket's allowance (and all sockets'), and stops reading it while in debt. */
  checked(checkMs: number): void;
  /** Whether the peer answered the last ping (or has not been pinged yet). */
  answered: boolean;
  clientAddress: string | undefined;
}

const tooMany = (message: string) => graphqlError('too_many_subscriptions', message);

export function startSubscriptionServer(options: SubscriptionServerOptions): { stop(): Promise<void> } {
  const { schema, config, topics, logger, metrics, formatError } = options;
  // maxPayload is checked on each frame's header, before its body is read: before connection_init is, too.
  // Messages are handled one per turn of the event loop (not a whole read's worth at once), so that callbacks are
  // answered between them, and a socket whose messages wait is not read further.
  const webSockets = new WebSocketServer({
    noServer: true,
    maxPayload: config.webSocketMaxPayloadBytes,
    allowSynchronousEvents: false,
    WebSocket: TurnWebSocket,
  });
  const allowances = new MessageAllowances(config.webSocketMessageRates);
  // Sockets whose wait is over are read again one per turn of the event loop: waiting on the allowance of all sockets,
  // they are all paid at the same moment, and read all at once, each with what had arrived meanwhile, they would
  // put it in debt again many times over.
  const resumptions: Array<() => void> = [];
  const resumeNext = () => {
    resumptions.shift()?.();
    if (resumptions.length > 0) setImmediate(resumeNext);
  };
  const resumeInTurn = (resume: () => void) => {
    if (resumptions.push(resume) === 1) setImmediate(resumeNext);
  };
  const checkOperation = operationChecker(schema, config);
  const connections = new WeakMap<WebSocket, Connection>();
  let openOperations = 0;
  let stopping = false;

  const release = (connection: Connection, id: string) => {
    if (connection.operations.delete(id)) openOperations--;
  };

  /** Sockets held open (with or without subscriptions) take at most their share of the connections. */
  const tooManyWebSockets = (): UpgradeRefusal | null =>
    webSockets.clients.size < config.maxWebSockets
      ? null
      : upgradeRefused('too_many_websockets', `${config.maxWebSockets} GraphQL WebSockets are open, the most GRAPHQL_WS_MAX_CONNECTIONS allows: try again later`);

  /** Why this subscribe is refused, if the socket or the service holds as many subscriptions as allowed. */
  const overLimit = (connection: Connection): GraphQLError | null => {
    if (connection.operations.size >= config.maxSubscriptionsPerSocket) {
      return tooMany(`too many subscriptions on this connection: ${config.maxSubscriptionsPerSocket} are open, the most GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET allows`);
    }
    if (openOperations >= config.maxSubscriptions) {
      return tooMany(`the service has ${config.maxSubscriptions} subscriptions open, the most GRAPHQL_MAX_SUBSCRIPTIONS allows; try again later`);
    }
    return null;
  };

  const dropSlow = (socket: WebSocket, connection: Connection, reason: DropReason, detail: string) => {
    metrics?.countDropped(reason);
    const what = reason === 'most_subscriptions' ? 'GraphQL subscriber dropped' : 'GraphQL subscriber too slow';
    logger.warn({ reason, clientAddress: connection.clientAddress, subscriptions: connection.operations.size }, `${what} (${detail}): WebSocket closed with ${TOO_SLOW}`);
    const closeReason = reason === 'most_subscriptions' ? 'Dropped: more subscriptions than the service can serve' : `Too slow: ${detail}`;
    // A close frame's reason holds 123 bytes at most (ws throws on more).
    socket.close(TOO_SLOW, Buffer.from(closeReason).subarray(0, 123).toString());
    connection.cut = setTimeout(() => socket.terminate(), TOO_SLOW_CUT_MS);
  };

  const subscriptions = useServer(
    {
      schema,
      onConnect: (context) => {
        if (options.admits(context.connectionParams ?? {})) return true;
        context.extra.socket.close(FORBIDDEN, 'Forbidden: connection_init needs a valid API token');
        return false;
      },
      // The same limits as over HTTP (document size, depth, aliases, cost with the variables): checked here, so
      // graphql-ws executes what passed, with the socket's subscriber and the answer's allowance in its context.
      onSubscribe: (context, id, payload) => {
        const connection = connections.get(context.extra.socket);
        if (connection === undefined) return [new GraphQLError('this connection is closing')];
        const refusal = overLimit(connection);
        if (refusal !== null) return [refusal];
        const started = threadCpuMs();
        const checked = checkOperation(payload);
        // A document new to the service, or large, costs the thread more than a message: its check is counted too.
        connection.checked(threadCpuMs() - started);
        if (Array.isArray(checked)) return checked;
        connection.operations.add(id);
        openOperations++;
        const contextValue: SubscriptionContext & BudgetedContext = { ...(checked.contextValue as BudgetedContext), subscriber: connection.subscriber };
        return { ...checked, contextValue };
      },
      onError: (_context, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON())),
      // Each event of a subscription has the whole allowance; the one that went past it is replaced by the error.
      onNext: (_context, _id, _payload, args, result) => {
        const budget = (args.contextValue as BudgetedContext | undefined)?.responseBudget;
        const exceeded = budget?.exceeded === true;
        budget?.reset();
        if (exceeded) return { errors: [formatError(responseTooLarge(budget!.maxBytes).toJSON())] };
        return result.errors === undefined ? undefined : { ...result, errors: result.errors.map((error) => formatError(error.toJSON())) };
      },
      onComplete: (context, id) => {
        const connection = connections.get(context.extra.socket);
        if (connection !== undefined) release(connection, id);
      },
    },
    webSockets,
  );

  const accept = (socket: TurnWebSocket, request: IncomingMessage, transport: Duplex) => {
    socket.writesThrough(transport);
    const connection: Connection = {
      answered: true,
      clientAddress: request.socket.remoteAddress,
      operations: new Set(),
      subscriber: topics.subscriber({
        limits: config.subscriberLimits,
        pendingBytes: () => socket.bufferedAmount,
        onDrop: (reason, detail) => dropSlow(socket, connection, reason, detail),
      }),
      checked: (checkMs) => pauseFor(allowance.checked(checkMs)),
    };
    connections.set(socket, connection);
    socket.on('pong', () => (connection.answered = true));
    // A message over the allowance is handled (it has been read); the socket is then not read until the excess is
    // paid back, messages read meanwhile (the rest of what had arrived) included.
    const allowance = allowances.forSocket();
    const resumeWhenPaid = () => {
      const waitMs = allowance.wait();
      if (waitMs > 0) {
        connection.throttled = setTimeout(() => resumeInTurn(resumeWhenPaid), waitMs);
        return;
      }
      connection.throttled = undefined;
      socket.resume();
    };
    const pauseFor = (waitMs: number) => {
      if (waitMs === 0 || connection.throttled !== undefined) return;
      metrics?.countThrottled();
      socket.pause();
      connection.throttled = setTimeout(() => resumeInTurn(resumeWhenPaid), waitMs);
    };
    socket.on('message', () => pauseFor(allowance.take()));
    socket.on('close', () => {
      clearTimeout(connection.cut);
      clearTimeout(connection.throttled);
      // Forgotten at once: an operation still being set up finds no subscriber and opens no queue.
      connections.delete(socket);
      for (const id of [...connection.operations]) release(connection, id);
    });
    webSockets.emit('connection', socket, request);
    // graphql-ws prints socket errors to stderr and closes with 4500; ws has already closed the socket with the code
    // that says what went wrong (1009 for a message over maxPayload), so a log line is all that is left to do.
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) =>
      logger.info({ code: error.code, clientAddress: request.socket.remoteAddress }, `GraphQL WebSocket closed: ${error.message}`),
    );
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = stopping
      ? upgradeRefused('stopping', ERRORS.stopping.meaning)
      : (upgradeRefusal(request, options.path, config.allowedOrigins, config.allowedHosts) ?? tooManyWebSockets());
    if (refusal === null) {
      webSockets.handleUpgrade(request, socket, head, (webSocket) => accept(webSocket, request, socket));
      return;
    }
    if (refusal.error === 'origin_not_allowed') {
      logger.warn({ origin: request.headers.origin?.slice(0, 200), clientAddress: request.socket.remoteAddress }, 'WebSocket upgrade refused: origin not allowed');
    }
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestIdOf(request) };
    if (refusal.error === 'too_many_websockets') {
      metrics?.countRefused();
      headers['retry-after'] = String(WEBSOCKETS_RETRY_AFTER_SECONDS);
    }
    // Answered before any WebSocket exists; the socket goes once the answer is out.
    socket.once('finish', () => socket.destroy());
    socket.end(rawErrorResponse(refusal.error, refusal.message, headers));
  };
  options.server.on('upgrade', onUpgrade);

  // A peer that went away without closing (a laptop shut, a network gone) would hold its socket and subscriptions for
  // ever, and a proxy closes a WebSocket idle for its own timeout: a ping every interval answers both.
  const pinging = setInterval(() => {
    for (const socket of webSockets.clients) {
      const connection = connections.get(socket);
      if (connection === undefined) continue;
      if (!connection.answered) {
        metrics?.countUnanswered();
        logger.info({ clientAddress: connection.clientAddress, subscriptions: connection.operations.size }, 'GraphQL WebSocket cut: its last ping went unanswered');
        socket.terminate();
        continue;
      }
      connection.answered = false;
      socket.ping();
    }
  }, config.webSocketPingIntervalMs).unref();

  return {
    // Sockets are told "going away" (1001); a subscriber that never answers the close frame is cut after a grace
    // period, not after ws's 30 s close timeout.
    async stop() {
      stopping = true;
      clearInterval(pinging);
      const cut = setTimeout(() => webSockets.clients.forEach((socket) => socket.terminate()), SOCKET_CLOSE_GRACE_MS);
      try {
        await subscriptions.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
