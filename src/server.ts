// Composition root: wires configuration, event store and HTTP into a running service.
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config';
import { DataFolderLock, ensureDataFolder } from './dataFolder';
import type { EventStore } from './eventstore/eventStore';
import { EventStoreDbEventStore } from './eventstore/eventStoreDbEventStore';
import { SqliteEventStore } from './eventstore/sqliteEventStore';
import { buildHttpApp } from './http/httpApp';
import { authenticationEnabled } from './ingest/authenticateCallback';
import { LedgerThread } from './ledger/ledgerThread';
import { createServiceMetrics, reachabilityProbe } from './metrics/serviceMetrics';
import { Projector, type ProjectionProgress, type ReadModelChange } from './projections/projector';
import { EventLoopTurns } from './graphql/eventLoopTurns';
import { buildGraphqlSchema } from './graphql/schema';
import { createTopics, Topic, type Topics } from './graphql/topics';
import { activityQueries } from './readmodel/activityQueries';
import { callbackQueries } from './readmodel/callbackQueries';
import { quarantineQueries } from './readmodel/quarantineQueries';
import { relayTaskQueries } from './readmodel/relayTaskQueries';
import { sessionQueries } from './readmodel/sessionQueries';
import { openReadModelDb, type ReadModelDatabase } from './readmodel/readModelDb';
import { setAsideDamagedReadModels } from './readmodel/readModelRecovery';

export interface RunningService {
  /** Where it listens, e.g. http://127.0.0.1:4000. */
  url: string;
  store: EventStore;
  readModels: ReadModelDatabase;
  projector: ProjectionProgress;
  /** Open GraphQL subscriptions. */
  subscriberCount(): number;
  close(): Promise<void>;
}

/** The read models live in their own file beside (not inside) the embedded store, whatever the store. */
export const readModelFile = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'readmodels.db');

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'css-callback-ledger' } });
}

export const eventsFile = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'events.db');

export async function openEventStore(config: Config, logger?: Logger): Promise<EventStore> {
  if (config.eventStoreConnectionString !== null) {
    return EventStoreDbEventStore.connect(config.eventStoreConnectionString, {
      appendTimeoutMs: config.appendTimeoutMs,
      ...(logger === undefined ? {} : { logger }),
    });
  }
  ensureDataFolder(config.dataDir);
  return SqliteEventStore.open(eventsFile(config), { checkIntegrity: true });
}

interface Ledger {
  store: EventStore;
  projector: ProjectionProgress;
  /** Stops projecting (checkpoint persisted) and closes the store. */
  close(): Promise<void>;
}

/**
 * The embedded store writes and projects on a thread of its own, so SQLite's synchronous work never holds up the
 * thread that answers callbacks. With EventStoreDB, appends are network I/O and the projector runs on this thread.
 */
async function openLedger(config: Config, logger: Logger): Promise<Ledger> {
  if (config.eventStoreConnectionString === null) {
    const thread = await LedgerThread.start({ eventsFile: eventsFile(config), readModelsFile: readModelFile(config) }, logger);
    return { store: thread, projector: thread, close: () => thread.shutdown() };
  }
  const store = await openEventStore(config, logger);
  const readModels = openReadModelDb(readModelFile(config));
  const projector = new Projector(store, readModels, { logger });
  projector.start();
  return {
    store,
    projector,
    close: async () => {
      await projector.stop();
      readModels.close();
      await store.close();
    },
  };
}

/**
 * A store that cannot be reached at start-up is said so in one line; the service starts anyway
 * (callbacks get 503, GraphQL serves the read models it has) and says when the store is back.
 */
function watchReachability(store: EventStore, logger: Logger, signal: AbortSignal): void {
  const check = async (): Promise<void> => {
    try {
      await store.checkHealth();
      logger.info(`event store ${store.description} is reachable`);
    } catch (error) {
      if (signal.aborted) return;
      logger.warn(`cannot reach the event store: ${error instanceof Error ? error.message : String(error)}; retrying every 5 s`);
      while (!signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 5000).unref());
        if (signal.aborted) return;
        try {
          await store.checkHealth();
          logger.info(`event store ${store.description} is reachable again`);
          return;
        } catch {
          // still down: the warning above stands
        }
      }
    }
  };
  void check();
}

/** Every committed read-model change becomes a message on its subscription topic. */
function publishChange(topics: Topics, change: ReadModelChange): void {
  switch (change.kind) {
    case 'session':
      return topics.publish(Topic.SessionUpdated, change.row);
    case 'relayTask':
      return topics.publish(Topic.RelayTaskUpdated, change.row);
    case 'callback':
      return topics.publish(Topic.CallbackReceived, change.event);
    case 'relayExit':
      return; // its task's update, when it has one, is published as relayTask
  }
}

function describeAuthentication(config: Config, logger: Logger): void {
  const { keys, token, clockSkewSeconds, maxExpiryAheadSeconds, quarantineMaxLateSeconds } = config.callbackAuth;
  if (!authenticationEnabled(config.callbackAuth)) {
    logger.warn(
      'callback authentication is OFF: anyone who can reach POST /callbacks can write events. ' +
        'Set CSS_CALLBACK_KEYS (the CSS callback key) and/or CSS_CALLBACK_TOKEN.',
    );
    return;
  }
  const ways = [
    keys.length > 0
      ? `signature with ${keys.length} key${keys.length > 1 ? 's' : ''} (t from ${clockSkewSeconds} s past to ${maxExpiryAheadSeconds} s ahead; ` +
        `${quarantineMaxLateSeconds === 0 ? 'no quarantine' : `quarantined up to ${quarantineMaxLateSeconds} s late`})`
      : null,
    token !== null ? 'URL token' : null,
  ].filter(Boolean);
  logger.info(`callback authentication is on: ${ways.join(' + ')}`);
}

/**
 * Takes DATA_DIR (one service or rebuild at a time), sets damaged read models aside, then opens the ledger. A damaged
 * event log, an unusable folder or a held lock stops here with one line saying what to do.
 */
async function openDataFolder(config: Config, logger: Logger): Promise<{ lock: DataFolderLock; ledger: Ledger }> {
  const lock = DataFolderLock.take(config.dataDir, 'serve');
  try {
    setAsideDamagedReadModels(readModelFile(config), logger);
    return { lock, ledger: await openLedger(config, logger) };
  } catch (error) {
    lock.release();
    throw error;
  }
}

export async function startService(config: Config, logger: Logger = createLogger(config)): Promise<RunningService> {
  const { lock, ledger } = await openDataFolder(config, logger);
  const { store, projector } = ledger;
  logger.info({ store: store.description }, `event store: ${store.description}`);
  const stopping = new AbortController();
  watchReachability(store, logger, stopping.signal);
  describeAuthentication(config, logger);

  // Queries read through their own connection, whichever thread writes the read models.
  const readModels = openReadModelDb(readModelFile(config));
  // A subscriber whose delivery fails is that subscriber's problem: it is logged, and the projector goes on.
  const topics = createTopics((error) => logger.error({ err: error }, 'delivering a read-model change to a subscriber failed'));
  projector.onChange((change) => publishChange(topics, change));
  const quarantine = quarantineQueries(readModels);
  const graphqlSchema = buildGraphqlSchema({
    store,
    topics,
    sessions: sessionQueries(readModels),
    relayTasks: relayTaskQueries(readModels),
    callbacks: callbackQueries(readModels),
    activity: activityQueries(readModels),
    quarantine,
    turns: new EventLoopTurns(),
  });
  logger.info({ readModels: readModels.name, position: String(projector.status().position) }, `read models: ${readModels.name}`);
  const metrics = createServiceMetrics({
    projectorStatus: () => projector.status(),
    subscriberCount: () => topics.subscriberCount(),
    storeReachable: reachabilityProbe(() => store.checkHealth()),
  });

  const app = await buildHttpApp({
    store,
    projector,
    logger,
    callbackAuth: config.callbackAuth,
    callbackQuarantine: { limits: config.callbackQuarantine, unpromotedCount: quarantine.unpromotedCount },
    callbackRejectionLogIntervalSeconds: config.callbackRejectionLogIntervalSeconds,
    callbackBodyLimitBytes: config.callbackBodyLimitBytes,
    trustProxy: config.trustProxy,
    graphqlSchema,
    graphql: config.graphql,
    topics,
    maxInflightAppends: config.maxInflightAppends,
    requestTimeoutMs: config.httpRequestTimeoutMs,
    maxConnections: config.maxConnections,
    keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
    // The longest an accepted callback waits for its append, and a second to answer.
    drainTimeoutMs: config.appendTimeoutMs + 1_000,
    metrics,
    hidePaths: config.production,
  });
  const closeAll = async () => {
    stopping.abort();
    await app.close();
    logger.info('HTTP closed: stopping the event store and the projector');
    await ledger.close();
    readModels.close();
    lock.release();
    logger.info({ position: String(projector.status().position) }, 'stopped');
  };
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, maxConnections: config.maxConnections }, `listening on ${url} (POST /callbacks, /graphql, GET /healthz, GET /readyz, GET /metrics)`);

  return { url, store, readModels, projector, subscriberCount: () => topics.subscriberCount(), close: closeAll };
}
