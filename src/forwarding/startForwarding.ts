// Starts forwarding for the service: off without FORWARD_CONFIG, on a thread of its own over the embedded log, in process over EventStoreDB.
import path from 'node:path';
import type { Logger } from 'pino';
import type { LogSource } from '../processing/processor';
import type { ForwardConfig } from './forwardConfig';
import { NO_FORWARDING, type ForwardingControl } from './forwardingControl';
import type { ForwardingMetrics } from './forwardingMetrics';
import { startForwardingRuntime } from './forwardingRuntime';
import { startForwardingThread } from './forwardingThread';

export interface StartForwardingOptions {
  config: ForwardConfig | null;
  dataDir: string;
  shutdownGraceMs: number;
  /** The embedded log's file, read by the forwarding thread through its own connection; null on EventStoreDB. */
  eventsFile: string | null;
  /** The log, for forwarding in process (EventStoreDB). */
  store: LogSource;
  logger: Logger;
  metrics: ForwardingMetrics;
}

/** Forwarding's state: each destination's checkpoint, deliveries and attempts, beside (not inside) the log and read models. */
export const forwardingFile = (dataDir: string): string => path.join(dataDir, 'forwarding', 'forwarding.db');

export async function startForwarding(options: StartForwardingOptions): Promise<ForwardingControl> {
  const { config, logger, metrics, shutdownGraceMs } = options;
  if (config === null) {
    logger.info('forwarding is off (FORWARD_CONFIG is not set)');
    return NO_FORWARDING;
  }
  const file = forwardingFile(options.dataDir);
  if (options.eventsFile !== null) {
    return startForwardingThread({ eventsFile: options.eventsFile, forwardingFile: file, config, shutdownGraceMs, logger, metrics });
  }
  // EventStoreDB: reads are network I/O, so following the log here costs the HTTP thread little.
  return startForwardingRuntime({ source: options.store, file, config, logger, metrics, shutdownGraceMs });
}
