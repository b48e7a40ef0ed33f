// The HTTP server's connections: at most MAX_CONNECTIONS open, those open counted, refusals counted and logged once per interval.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/** A flood of refused connections is one log line per interval with their count, not one line per socket. */
export const REFUSALS_REPORT_INTERVAL_MS = 5_000;

/** What the HTTP server records about its connections. */
export interface ConnectionMetrics {
  opened(): void;
  closed(): void;
  /** A connection refused at accept because MAX_CONNECTIONS were open. */
  refused(): void;
}

export interface ConnectionBoundsOptions {
  /** Open connections at most, WebSocket connections included; Node refuses further accepts (its 'drop' event). */
  maxConnections: number;
  logger: Logger;
  metrics?: ConnectionMetrics;
}

/** Applies the bounds to `server`; `stop()` reports refusals not yet logged and ends the reporting. */
export function boundConnections(server: Server, options: ConnectionBoundsOptions): { stop(): void } {
  const { maxConnections, logger, metrics } = options;
  server.maxConnections = maxConnections;

  server.on('connection', (socket: Socket) => {
    metrics?.opened();
    socket.once('close', () => metrics?.closed());
  });

  let unreported = 0;
  let reporting: NodeJS.Timeout | undefined;
  const report = (): boolean => {
    if (unreported === 0) return false;
    const first = reporting === undefined;
    logger.warn(
      { refused: unreported, maxConnections },
      first
        ? `connection refused: ${maxConnections} connections are open (MAX_CONNECTIONS); further refusals are reported every ${REFUSALS_REPORT_INTERVAL_MS / 1000} s`
        : `${unreported} connection${unreported === 1 ? '' : 's'} refused in the last ${REFUSALS_REPORT_INTERVAL_MS / 1000} s: ${maxConnections} connections are open (MAX_CONNECTIONS)`,
    );
    unreported = 0;
    return true;
  };
  const reportPeriodically = () => {
    reporting = report() ? setTimeout(reportPeriodically, REFUSALS_REPORT_INTERVAL_MS).unref() : undefined;
  };
  server.on('drop', () => {
    metrics?.refused();
    unreported++;
    if (reporting === undefined) reportPeriodically();
  });

  return {
    stop() {
      clearTimeout(reporting);
      report();
      reporting = undefined;
    },
  };
}
