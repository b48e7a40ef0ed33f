// Composition root: wires configuration, event store, the read models' processors, GraphQL and HTTP into a running service.
import pino, { type Logger } from 'pino';
import type { Config } from './config';
import { dashboardRoutes } from './dashboard/dashboardRoutes';
import { DataFolderLock } from './dataFolder';
import type { EventStore } from './eventstore/eventStore';
import { explorerOff, graphiqlExplorer } from './explorer/graphiqlExplorer';
import type { ForwardingControl } from './forwarding/forwardingControl';
import { forwardingPrometheus } from './forwarding/forwardingPrometheus';
import { startForwarding } from './forwarding/startForwarding';
import { EventLoopTurns } from './graphql/eventLoopTurns';
import { GRAPHQL_PATH, graphqlRoutes } from './graphql/graphqlRoutes';
import { countedQueries } from './graphql/readingThreadsPlugin';
import { measuredStatisticsAdmission } from './graphql/statisticsAdmission';
import { registerSubscriberMetrics } from './graphql/subscriberMetrics';
import { createTopics } from './graphql/topics';
import { buildHttpApp } from './http/httpApp';
import { listenRefusal } from './http/listenError';
import { checkOpenFileLimit } from './http/openFileLimit';
import { FixedFileSender } from './http/staticPages';
import { withoutFilePaths } from './http/withoutFilePaths';
import { authenticationEnabled } from './ingest/authenticateCallback';
import { callbackRoutes } from './ingest/callbackRoute';
import { CallbacksInFlight } from './ingest/callbacksInFlight';
import { eventsFile, openLedger, readModelsRoot, type Ledger } from './ledger/openLedger';
import { registerBusinessMetrics } from './readmodels/insights/insights.metrics';
import { createServiceMetrics, METRIC_PREFIX, metricsRoute, reachabilityProbe } from './metrics/serviceMetrics';
import type { ProjectionsView } from './processing/projectionsView';
import { readinessRoute } from './processing/readiness';
import { ServedReadModels } from './processing/servedReadModels';
import { ReadingThreads } from './reading/readingThreads';
import { READ_CACHE_KIB, servedQueries } from './readmodels';
import { publishChanges, readModelsSchema } from './graphqlSchema';
import type { ReadModelServices } from './readmodels/services';

export interface RunningService {
  /** Where it listens, e.g. http://127.0.0.1:4000. */
  url: string;
  store: EventStore;
  /** The query side of the read models: the file and connection each answers from now. */
  readModels: ServedReadModels;
  projector: ProjectionsView;
  forwarding: ForwardingControl;
  /** Open GraphQL subscriptions. */
  subscriberCount(): number;
  /** Settles, with the reason, when the service must stop on its own: another process took DATA_DIR's lock. */
  mustStop: Promise<string>;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'css-callback-ledger' } });
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
  if (token === null) {
    logger.warn(
      'CSS_CALLBACK_TOKEN is not set: relay callbacks (event_type 314), which CSS does not sign, are refused 401. ' +
        'Set it and add ?token=<it> to the callback URL of each relay task.',
    );
  }
}

/**
 * Takes DATA_DIR (one service or rebuild at a time), then opens the ledger (whose projector sets damaged read-model
 * files aside). A damaged event log, an unusable folder or a held lock stops here with one line saying what to do.
 */
async function openDataFolder(config: Config, logger: Logger): Promise<{ lock: DataFolderLock; ledger: Ledger }> {
  const lock = DataFolderLock.take(config.dataDir, 'serve');
  try {
    return { lock, ledger: await openLedger(config, logger) };
  } catch (error) {
    lock.release();
    throw error;
  }
}

export async function startService(config: Config, logger: Logger = createLogger(config)): Promise<RunningService> {
  checkOpenFileLimit(config.openFileLimit);
  const { lock, ledger } = await openDataFolder(config, logger);
  const { store, projections } = ledger;
  const mustStop = new Promise<string>((resolve) =>
    lock.keep(({ outcome, message }) => {
      if (outcome === 'retaken') logger.warn(message);
      else logger.error(message);
      if (outcome === 'lost') resolve(message);
    }),
  );
  logger.info({ store: store.description }, `event store: ${store.description}`);
  const stopping = new AbortController();
  watchReachability(store, logger, stopping.signal);
  describeAuthentication(config, logger);
  // The callbacks being answered, and how long the oldest has waited (a gauge).
  const callbacksInFlight = new CallbacksInFlight();
  const metrics = createServiceMetrics({
    projectorStatus: () => projections.status(),
    storeReachable: reachabilityProbe(() => store.checkHealth()),
    oldestCallbackWaitMs: () => callbacksInFlight.oldestWaitMs(),
    dataDir: config.dataDir,
  });
  let forwarding: ForwardingControl;
  try {
    forwarding = await startForwarding({
      ...config.forwarding,
      dataDir: config.dataDir,
      eventsFile: config.eventStoreConnectionString === null ? eventsFile(config) : null,
      eventStoreConnectionString: config.eventStoreConnectionString,
      store,
      logger,
      metrics: forwardingPrometheus(metrics.registry, () => forwarding.destinations()),
    });
  } catch (error) {
    stopping.abort();
    await ledger.close();
    lock.release();
    throw error;
  }

  // Queries read through connections of their own, whichever thread writes the read models, and follow each swap.
  const readModels = new ServedReadModels(projections.servingFiles(), logger, READ_CACHE_KIB);
  projections.onServing((change) => readModels.swap(change));
  const queries = servedQueries(readModels);
  // A subscriber whose delivery fails is that subscriber's problem: it is logged, and the processors go on.
  const topics = createTopics({ onError: (error) => logger.error({ err: error }, 'delivering a read-model change to a subscriber failed') });
  projections.onChanges((changes) => publishChanges(topics, changes));
  const turns = new EventLoopTurns();
  const services: ReadModelServices = {
    ...queries,
    history: { eventsOf: (stream) => store.readStream(stream) },
    turns,
    statistics: measuredStatisticsAdmission(config.graphql.statistics, turns, metrics.registry),
    forwarding,
  };
  const graphqlSchema = readModelsSchema(services);
  const readingThreads =
    config.graphql.readingThreads === 0
      ? null
      : new ReadingThreads({
          threads: config.graphql.readingThreads,
          files: projections.servingFiles(),
          readCacheKiB: READ_CACHE_KIB,
          graphql: config.graphql,
          history: services.history,
          statistics: services.statistics,
          logger,
        });
  if (readingThreads !== null) projections.onServing((change) => readingThreads.swap(change));
  logger.info(
    { readModels: projections.servingFiles(), position: String(projections.status().position) },
    `read models: ${readModelsRoot(config)}`,
  );
  registerBusinessMetrics([metrics.registry], queries.insights, METRIC_PREFIX);

  // The shell first, then each feature it hosts.
  const app = buildHttpApp({
    logger,
    bodyLimitBytes: config.callbackBodyLimitBytes,
    trustProxy: config.trustProxy,
    requestTimeoutMs: config.httpRequestTimeoutMs,
    maxConnections: config.maxConnections,
    keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
    // The longest an accepted callback waits for its append, and a second to answer.
    drainTimeoutMs: config.appendTimeoutMs + 1_000,
    connectionMetrics: metrics.connections,
    countUnroutedPost: metrics.unroutedPost,
    browserHosts: { allowed: config.graphql.allowedHosts, programPaths: ['/callbacks', '/healthz', '/readyz', '/metrics'] },
  });
  const publicText = config.production ? withoutFilePaths : (text: string) => text;
  await app.register(readinessRoute, { store, projections, publicText });
  await app.register(callbackRoutes, {
    store,
    auth: config.callbackAuth,
    bodyLimitBytes: config.callbackBodyLimitBytes,
    maxInflightAppends: config.maxInflightAppends,
    inFlight: callbacksInFlight,
    metrics: metrics.callbacks,
    quarantine: { limits: config.callbackQuarantine, unpromotedCount: () => queries.quarantine.unpromotedCount() },
    rejectionLogIntervalSeconds: config.callbackRejectionLogIntervalSeconds,
    publicText,
    turns,
  });
  await app.register(metricsRoute, { metrics });
  const fixedFiles = new FixedFileSender();
  if (config.graphql.explorer === 'graphiql') await app.register(graphiqlExplorer, { graphqlPath: GRAPHQL_PATH, fixedFiles });
  if (config.graphql.explorer === 'off') await app.register(explorerOff, { graphqlPath: GRAPHQL_PATH });
  await app.register(graphqlRoutes, {
    schema: graphqlSchema,
    config: config.graphql,
    topics,
    metrics: registerSubscriberMetrics(metrics.registry, () => topics.subscriberCount()),
    publicText,
    turns: services.turns,
    countHeldBack: metrics.graphqlRequestHeldBack,
    // Without reading threads every query is answered here, and counted so.
    readingThreads: { ask: readingThreads?.ask ?? (async () => null), answered: countedQueries(metrics.registry) },
  });
  await app.register(dashboardRoutes, { imageHosts: config.dashboardImageHosts, fixedFiles });
  const closeAll = async () => {
    stopping.abort();
    // In-flight deliveries get FORWARD_SHUTDOWN_GRACE_MS to finish while HTTP drains.
    await Promise.all([app.close(), forwarding.close()]);
    await readingThreads?.close();
    logger.info('HTTP and forwarding closed: stopping the event store and the projector');
    await ledger.close();
    readModels.close();
    lock.release();
    logger.info({ position: String(projections.status().position) }, 'stopped');
  };
  // It listens while its reading threads start: CSS is answered at once, and a query waits for them (see ReadingThreads).
  if (readingThreads !== null) {
    const since = performance.now();
    void readingThreads.firstStart.then(() =>
      logger.info({ threads: config.graphql.readingThreads, ready: readingThreads.ready, ms: Math.round(performance.now() - since) }, 'reading threads started'),
    );
  }
  try {
    await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
      throw listenRefusal(error, config.host, config.port);
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, maxConnections: config.maxConnections }, `listening on ${url} (POST /callbacks, /graphql, GET /healthz, GET /readyz, GET /metrics)`);

  return { url, store, readModels, projector: projections, forwarding, subscriberCount: () => topics.subscriberCount(), mustStop, close: closeAll };
}
