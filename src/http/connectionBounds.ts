// The HTTP server's connections: at most MAX_CONNECTIONS open, shared between clients when they run short, counted, and refusals logged once per interval.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { connectionEvicted, rawErrorResponse } from './errorReply';
import { clientOf, ConnectionShares } from './connectionShares';
import { periodicReport } from './periodicReport';

/** A flood of refused connections is one log line per interval with their count, not one line per socket. */
export const REFUSALS_REPORT_INTERVAL_MS = 5_000;

/**
 * Connections Node accepts beyond MAX_CONNECTIONS, for the moment it takes to decide on them: one is admitted in the
 * place of another client's or closed at once. Beyond these, Node closes new connections as it accepts them.
 */
export const ACCEPT_HEADROOM = 64;

/** Requests a connection may have received and not had answered, the one being handled included (see httpApp). */
export const MAX_UNANSWERED_PER_CONNECTION = 16;

/**
 * Listeners a connection's socket may have: a query answered on a reading thread watches its socket for the client
 * going, up to MAX_UNANSWERED_PER_CONNECTION at once on a pipelining connection, beside Node's and Fastify's own.
 */
const SOCKET_MAX_LISTENERS = MAX_UNANSWERED_PER_CONNECTION + 10;

/** What the HTTP server records about its connections. */
export interface ConnectionMetrics {
  opened(): void;
  closed(): void;
  /** A connection refused at accept because MAX_CONNECTIONS were open. */
  refused(): void;
  /** A connection closed to make room for a client holding fewer. */
  evicted(): void;
}

export interface ConnectionBoundsOptions {
  /** Open connections at most, WebSocket connections included. */
  maxConnections: number;
  logger: Logger;
  metrics?: ConnectionMetrics;
}

/** A connection and what it is doing, for deciding whether it can be given up. */
interface Connection {
  readonly socket: Socket;
  readonly client: string;
  /** Requests received on it and not yet answered: more than one when a client pipelines. */
  unanswered: number;
  /** The last request received on it: still arriving, or being answered while `unanswered` is above 0. */
  request: IncomingMessage | undefined;
  /** Bytes read when its last answer was sent: more since means a request has begun to arrive. */
  readAtLastAnswer: number;
  webSocket: boolean;
}

/**
 * Given up for another client: a connection between requests, or one still receiving its only request (a slow
 * client's). One with a request that has arrived whole is being answered (a callback being stored), and a WebSocket
 * holds subscriptions.
 */
const evictable = (connection: Connection): boolean =>
  !connection.webSocket && (connection.unanswered === 0 || (connection.unanswered === 1 && connection.request?.complete === false));

/**
 * Applies the bounds to `server`. `unansweredOn(socket)` is how many requests its connection has received and not
 * yet answered, the one being handled included; `stop()` reports refusals not yet logged and ends the reporting.
 */
export function boundConnections(server: Server, options: ConnectionBoundsOptions): { unansweredOn(socket: Socket): number; stop(): void } {
  const { maxConnections, logger, metrics } = options;
  server.maxConnections = maxConnections + ACCEPT_HEADROOM;
  const shares = new ConnectionShares<Connection>(maxConnections, evictable);
  const connections = new WeakMap<Socket, Connection>();

  const refusals = periodicReport(logger, REFUSALS_REPORT_INTERVAL_MS, (refused, first) => ({
    fields: { refused, maxConnections },
    message: first
      ? `connection refused: ${maxConnections} connections are open (MAX_CONNECTIONS); further refusals are reported every ${REFUSALS_REPORT_INTERVAL_MS / 1000} s`
      : `${refused} connection${refused === 1 ? '' : 's'} refused in the last ${REFUSALS_REPORT_INTERVAL_MS / 1000} s: ${maxConnections} connections are open (MAX_CONNECTIONS)`,
  }));
  let lastEvicted = { client: '', held: 0 };
  const evictions = periodicReport(logger, REFUSALS_REPORT_INTERVAL_MS, (evicted, first) => ({
    fields: { evicted, maxConnections, client: lastEvicted.client, held: lastEvicted.held },
    message: first
      ? `connection of ${lastEvicted.client} closed to make room for another client: it held ${lastEvicted.held} of MAX_CONNECTIONS (${maxConnections}); further evictions are reported every ${REFUSALS_REPORT_INTERVAL_MS / 1000} s`
      : `${evicted} connection${evicted === 1 ? '' : 's'} closed in the last ${REFUSALS_REPORT_INTERVAL_MS / 1000} s to make room for other clients, the last of ${lastEvicted.client} (holding ${lastEvicted.held} of MAX_CONNECTIONS, ${maxConnections})`,
  }));
  const refuse = (socket?: Socket) => {
    socket?.destroy();
    metrics?.refused();
    refusals.count();
  };

  const evict = (connection: Connection, held: number) => {
    const { socket, client } = connection;
    // A client in the middle of a request is told why; one between requests simply sees its idle connection close.
    if (connection.unanswered > 0 || socket.bytesRead > connection.readAtLastAnswer) {
      const message = `the connection was closed to make room for other clients: ${held} connections were open from ${client} when all ${maxConnections} (MAX_CONNECTIONS) were taken`;
      if (socket.writable) socket.write(rawErrorResponse('too_many_connections', message, { 'retry-after': '1' }));
      // A route reading the body counts the request as refused for this reason, not as a client that went away.
      if (connection.unanswered > 0) connection.request?.destroy(connectionEvicted(message));
    }
    socket.destroy();
    shares.remove(client, connection);
    metrics?.evicted();
    lastEvicted = { client, held };
    evictions.count();
  };

  server.on('connection', (socket: Socket) => {
    const client = clientOf(socket.remoteAddress);
    const placement = shares.place(client);
    if (!placement.admitted) return refuse(socket);
    if (placement.evict !== undefined) evict(placement.evict.connection, placement.evict.held);
    socket.setMaxListeners(SOCKET_MAX_LISTENERS);
    const connection: Connection = { socket, client, unanswered: 0, request: undefined, readAtLastAnswer: 0, webSocket: false };
    connections.set(socket, connection);
    shares.add(client, connection);
    metrics?.opened();
    socket.once('close', () => {
      shares.remove(client, connection);
      metrics?.closed();
    });
  });
  // Before the app's own listener, so that the app sees each request counted (see `unansweredOn`).
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const connection = connections.get(request.socket);
    if (connection === undefined) return;
    connection.unanswered++;
    connection.request = request;
    // 'close' comes once the answer is sent or the connection is lost, whichever ends the response.
    response.once('close', () => {
      connection.unanswered--;
      connection.readAtLastAnswer = request.socket.bytesRead;
    });
  });
  server.on('upgrade', (request: IncomingMessage) => {
    const connection = connections.get(request.socket);
    if (connection !== undefined) connection.webSocket = true;
  });
  // Beyond even the headroom, Node closes connections as it accepts them.
  server.on('drop', () => refuse());

  return {
    unansweredOn: (socket: Socket): number => connections.get(socket)?.unanswered ?? 0,
    stop() {
      refusals.stop();
      evictions.stop();
    },
  };
}
