// Prometheus metrics of one running service: callbacks, appends, connections, projector, store reachability, DATA_DIR's space, process; features add their own.
import fs from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { ErrorSlug, ErrorSlugs } from '../errors/catalogue';
import type { ConnectionMetrics } from '../http/connectionBounds';
import { PROCESSOR_PHASES, type ProcessorPhase } from '../processing/processor';
import type { ProjectionsStatus } from '../processing/projectionsStatus';
import { sharedScrapes } from './sharedScrapes';

export const METRIC_PREFIX = 'css_ledger_';

/**
 * What became of a callback. `failed` is a 500: the service itself broke, nothing was acknowledged. `quarantined`: authentic
 * but expired, kept outside the log; `quarantine_refused`: such a callback refused by the quarantine's bounds (503).
 */
export type CallbackOutcome =
  | 'stored'
  | 'duplicate'
  | 'rejected'
  | ErrorSlugs<'store_unavailable' | 'overloaded'>
  | 'failed'
  | 'quarantined'
  | 'quarantine_refused';

/** The type label of a callback turned away before it was interpreted. */
export const UNKNOWN_CALLBACK_TYPE = 'unknown';

/** What the callback route records; each call is a counter increment or a histogram observation. */
export interface CallbackMetrics {
  /**
   * `type` is the domain event type, or null when the callback was refused before it was interpreted;
   * `error` is the rejection's slug (a constant of the code, so the label's values stay few).
   */
  countCallback(type: string | null, outcome: CallbackOutcome, error?: ErrorSlug): void;
  /** Seconds an append on the callback path took, for appends that stored or found the event. */
  observeAppend(seconds: number): void;
  /** A callback of a client refused over and over waited behind the others' before it was read. */
  countHeldBack(): void;
}

/** Live values the gauges read at scrape time. */
export interface MetricSources {
  /** The read models' processors: the projections as one, each processor, each read model. */
  projectorStatus(): ProjectionsStatus;
  /** Whether the event store answers now; must settle promptly (see reachabilityProbe). */
  storeReachable(): Promise<boolean>;
  /** Milliseconds the oldest authenticated callback still unanswered has waited (0 when none); absent, not exported. */
  oldestCallbackWaitMs?: () => number;
  /** DATA_DIR: its file system's free space is exported, as a full disk stops the log (503 store_unavailable). */
  dataDir?: string;
}

export interface ServiceMetrics {
  callbacks: CallbackMetrics;
  connections: ConnectionMetrics;
  /** Counts a POST to a path with no route: most likely a callback URL in CSS's template that is not quite this service's. */
  unroutedPost(): void;
  /** Counts a GraphQL request over HTTP of a client past its budget of requests a second, which waited a turn. */
  graphqlRequestHeldBack(): void;
  /** Where the features register metrics of their own (GraphQL's subscribers, say). */
  registry: Registry;
  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  scrape(): Promise<string>;
  contentType: string;
}

const PHASES: readonly ProcessorPhase[] = PROCESSOR_PHASES;

/** From 0.5 ms (an embedded-store group commit) to 5 s (APPEND_TIMEOUT_MS's default). */
export const APPEND_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

let processMetrics: Registry | undefined;

/**
 * RSS, heap, CPU, event-loop lag and GC are properties of the process, not of a service: they are set up
 * once per process, because prom-client cannot stop its event-loop monitor and GC observer again, and
 * every service registry shows the same instances.
 */
function processMetricsRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** A registry of its own per service, so several services in one process do not share or collide. */
export function createServiceMetrics(sources: MetricSources): ServiceMetrics {
  const own = new Registry();
  const registers = [own];

  const callbacksTotal = new Counter({
    name: `${METRIC_PREFIX}callbacks_total`,
    help: 'Callbacks received, by the event type they became (unknown when refused before interpretation), outcome and rejection slug',
    labelNames: ['type', 'outcome', 'error'] as const,
    registers,
  });
  const heldBack = new Counter({
    name: `${METRIC_PREFIX}callbacks_held_back_total`,
    help: "Callbacks of clients refused more than 20 times a second (or refused while all clients together were past 200 a second) that waited behind the others' before they were read",
    registers,
  });
  const appendSeconds = new Histogram({
    name: `${METRIC_PREFIX}callback_append_duration_seconds`,
    help: 'Time the event store took to append a callback that was stored or found already stored',
    buckets: APPEND_SECONDS_BUCKETS,
    registers,
  });
  const connectionsOpen = new Gauge({
    name: `${METRIC_PREFIX}http_connections`,
    help: 'HTTP connections open now, WebSocket connections included (at most MAX_CONNECTIONS)',
    registers,
  });
  const connectionsRefused = new Counter({
    name: `${METRIC_PREFIX}http_connections_refused_total`,
    help: 'Connections refused at accept because MAX_CONNECTIONS connections were open',
    registers,
  });
  const connectionsEvicted = new Counter({
    name: `${METRIC_PREFIX}http_connections_evicted_total`,
    help: 'Connections closed to make room for a client holding fewer, because MAX_CONNECTIONS connections were open',
    registers,
  });
  const graphqlHeldBack = new Counter({
    name: `${METRIC_PREFIX}graphql_requests_held_back_total`,
    help: 'GraphQL requests over HTTP of clients past 50 a second (or while all together were past 50 a second) that waited a turn of the event loop before they were read',
    registers,
  });
  const unroutedPosts = new Counter({
    name: `${METRIC_PREFIX}http_unrouted_posts_total`,
    help: "POSTs to a path with no route, answered 404 (is the callback URL in CSS's template this service's /callbacks?)",
    registers,
  });

  new Gauge({
    name: `${METRIC_PREFIX}projector_lag_seconds`,
    help: 'Seconds from the append of the last applied event to its read-model rows being committed (0 before the first)',
    registers,
    collect() {
      this.set((sources.projectorStatus().lagMs ?? 0) / 1000);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}projector_position`,
    help: 'Global log position of the last event in the read models',
    registers,
    collect() {
      this.set(Number(sources.projectorStatus().position));
    },
  });
  new Counter({
    name: `${METRIC_PREFIX}projector_events_applied_total`,
    help: 'Events applied to the read models, as counted by their checkpoint (starts again at 0 after a rebuild)',
    registers,
    collect() {
      this.reset();
      this.inc(sources.projectorStatus().eventsApplied);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}projector_phase`,
    help: 'The projections as one: 1 for the current phase (catching-up, live, rebuilding, retrying or stopped), 0 for the others',
    labelNames: ['phase'] as const,
    registers,
    collect() {
      const { phase } = sources.projectorStatus();
      for (const each of PHASES) this.set({ phase: each }, each === phase ? 1 : 0);
    },
  });
  // One sample per processor and per read model, set afresh at each scrape: a build's processor comes and goes.
  const processors = () => sources.projectorStatus().processors;
  const readModels = () => sources.projectorStatus().readModels;
  const phases = <T extends { phase: ProcessorPhase }>(each: T, labels: Record<string, string>) =>
    PHASES.map((phase): Sample => [{ ...labels, phase }, phase === each.phase ? 1 : 0]);
  sampledGauge(
    registers, 'processor_position', ['processor'],
    'Global log position of the last event each processor handled (projections: the live read models; rebuild: a build beside them)',
    () => processors().map((p) => [{ processor: p.name }, Number(p.position)]),
  );
  sampledGauge(registers, 'processor_lag_events', ['processor'], "Events between each processor's position and the log's head", () =>
    processors().map((p) => [{ processor: p.name }, p.lagEvents]),
  );
  sampledGauge(
    registers, 'processor_lag_seconds', ['processor'],
    'Seconds from the append of the newest event each processor handled to now; 0 when caught up',
    () => processors().map((p) => [{ processor: p.name }, p.lagSeconds]),
  );
  sampledGauge(registers, 'processor_phase', ['processor', 'phase'], "Each processor's phase: 1 for the current one, 0 for the others", () =>
    processors().flatMap((p) => phases(p, { processor: p.name })),
  );
  sampledGauge(
    registers, 'read_model_position', ['read_model'],
    'Global log position of the file each read model answers from (absent while an older file answers)',
    () => readModels().flatMap((r): Sample[] => (r.position === null ? [] : [[{ read_model: r.name }, Number(r.position)]])),
  );
  sampledGauge(
    registers, 'read_model_phase', ['read_model', 'phase'],
    "Each read model's phase: 1 for the current one (rebuilding: an older file answers while the new one builds), 0 for the others",
    () => readModels().flatMap((r) => phases(r, { read_model: r.name })),
  );
  new Gauge({
    name: `${METRIC_PREFIX}event_store_reachable`,
    help: 'Whether the event store answered a health check at scrape time (1) or not, or not within 1 s (0)',
    registers,
    async collect() {
      this.set((await sources.storeReachable()) ? 1 : 0);
    },
  });

  const { oldestCallbackWaitMs } = sources;
  if (oldestCallbackWaitMs !== undefined) {
    new Gauge({
      name: `${METRIC_PREFIX}callback_oldest_wait_seconds`,
      help: 'How long the oldest authenticated callback still unanswered has waited, at scrape time (0 when none waits)',
      registers,
      collect() {
        this.set(oldestCallbackWaitMs() / 1000);
      },
    });
  }

  const { dataDir } = sources;
  if (dataDir !== undefined) {
    const space: Array<[name: string, help: string, bytes: (stats: fs.StatsFs) => number]> = [
      ['data_dir_available_bytes', "Bytes of DATA_DIR's file system the service may still write (its events, read models and forwarding state)", (stats) => stats.bavail * stats.bsize],
      ['data_dir_size_bytes', "Size in bytes of DATA_DIR's file system", (stats) => stats.blocks * stats.bsize],
    ];
    for (const [name, help, bytes] of space) {
      new Gauge({
        name: `${METRIC_PREFIX}${name}`,
        help,
        registers,
        // Read at scrape time; a file system that cannot be asked (the folder gone) leaves no sample.
        async collect() {
          this.reset();
          const stats = await fs.promises.statfs(dataDir).catch(() => null);
          if (stats !== null) this.set(bytes(stats));
        },
      });
    }
  }

  const processRegistry = processMetricsRegistry();
  return {
    callbacks: {
      countCallback(type, outcome, error) {
        const labels = { type: type ?? UNKNOWN_CALLBACK_TYPE, outcome };
        callbacksTotal.inc(error === undefined ? labels : { ...labels, error });
      },
      observeAppend: (seconds) => appendSeconds.observe(seconds),
      countHeldBack: () => heldBack.inc(),
    },
    connections: {
      opened: () => connectionsOpen.inc(),
      closed: () => connectionsOpen.dec(),
      refused: () => connectionsRefused.inc(),
      evicted: () => connectionsEvicted.inc(),
    },
    unroutedPost: () => unroutedPosts.inc(),
    graphqlRequestHeldBack: () => graphqlHeldBack.inc(),
    registry: own,
    // Merged at each rendering: the features register theirs after this is made.
    scrape: sharedScrapes(() => Registry.merge([processRegistry, own]).metrics()),
    contentType: own.contentType,
  };
}

type Sample = [labels: Record<string, string>, value: number];

/** A gauge whose samples are all read at scrape time, those of the last scrape dropped first. */
function sampledGauge(registers: Registry[], name: string, labelNames: string[], help: string, samples: () => Sample[]): void {
  new Gauge({
    name: `${METRIC_PREFIX}${name}`,
    help,
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const [labels, value] of samples()) this.set(labels, value);
    },
  });
}

/** How long a scrape waits for the store's health check before it reports the store unreachable. */
export const REACHABILITY_TIMEOUT_MS = 1000;

/**
 * The store's reachability, checked at scrape time rather than taken from the start-up watch in server.ts
 * (which stops watching once the store is reachable, so it would miss a later outage). A check that has
 * not answered within `timeoutMs` counts as unreachable, so a scrape never hangs on a silent store; checks
 * still running are shared, so scrapes that pile up do not pile up checks.
 */
export function reachabilityProbe(checkHealth: () => Promise<void>, timeoutMs = REACHABILITY_TIMEOUT_MS): () => Promise<boolean> {
  let running: Promise<boolean> | null = null;
  return async () => {
    // A check that throws at once is an unreachable store too.
    const check = (running ??= new Promise<void>((resolve) => resolve(checkHealth())).then(
      () => true,
      () => false,
    ));
    void check.finally(() => {
      if (running === check) running = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([check, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** GET /metrics: the exposition text of `metrics`. */
export async function metricsRoute(app: FastifyInstance, options: { metrics: Pick<ServiceMetrics, 'scrape' | 'contentType'> }): Promise<void> {
  const { metrics } = options;
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.scrape()));
}
