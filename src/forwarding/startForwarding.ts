// Starts forwarding for the service: off without FORWARD_CONFIG, on a thread of its own over the embedded log, through shared groups (or in process) over EventStoreDB.
import type { EventStoreDBClient } from '@eventstore/db-client';
import type { Logger } from 'pino';
import type { LogSource } from '../processing/processor';
import type { DestinationConfig, EventStoreDbForwardingMode, ForwardConfig } from './forwardConfig';
import { NO_FORWARDING, type ForwardingControl } from './forwardingControl';
import { forwardingFile } from './forwardingDb';
import type { ForwardingMetrics } from './forwardingMetrics';
import { startForwardingThread } from './forwardingThread';
import type { SharedSubscription } from './sharedSubscription';

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
  /** EventStoreDB's connection string; null on the embedded store. */
  eventStoreConnectionString: string | null;
  eventStoreDbMode: EventStoreDbForwardingMode;
  /** The destination's shared group; EventStoreDB's persistent subscription unless a test hands its own. */
  sharedSubscriptionOf?: (destination: DestinationConfig) => SharedSubscription;
}

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
  // Forwarding in process, its HTTP client and EventStoreDB's are loaded only on EventStoreDB: the embedded store's
  // service forwards from the thread above, and its main thread would hold them for nothing.
  if (options.eventStoreDbMode === 'shared') return startSharedOnEventStoreDb(options, config);
  // EventStoreDB: reads are network I/O, so following the log here costs the HTTP thread little.
  const { startForwardingRuntime } = require('./forwardingRuntime') as typeof import('./forwardingRuntime');
  return startForwardingRuntime({ source: options.store, file, config, logger, metrics, shutdownGraceMs });
}

function startSharedOnEventStoreDb(options: StartForwardingOptions, config: ForwardConfig): ForwardingControl {
  const { logger, metrics, shutdownGraceMs } = options;
  const { startSharedForwarding } = require('./sharedForwardingRuntime') as typeof import('./sharedForwardingRuntime');
  let subscriptionOf = options.sharedSubscriptionOf;
  let client: EventStoreDBClient | null = null;
  if (subscriptionOf === undefined) {
    if (options.eventStoreConnectionString === null) throw new Error('shared forwarding needs EVENTSTORE_CONNECTION_STRING');
    const { EventStoreDBClient } = require('@eventstore/db-client') as typeof import('@eventstore/db-client');
    const { eventStoreDbSharedSubscription } = require('./eventStoreDbSharedSubscription') as typeof import('./eventStoreDbSharedSubscription');
    // A client of its own: the groups' long-lived streams do not share the store's connection with appends.
    const own = EventStoreDBClient.connectionString(options.eventStoreConnectionString);
    client = own;
    subscriptionOf = (destination) => eventStoreDbSharedSubscription(own, destination);
  }
  const control = startSharedForwarding({ config, subscriptionOf, logger, metrics, shutdownGraceMs });
  return {
    ...control,
    async close() {
      await control.close();
      await client?.dispose();
    },
  };
}
