// Opens forwarding: the state file, and for each configured destination its forwarder (a batch handler of the log) and delivery loop.
import { DeliveryLoop } from './deliveryLoop';
import { deliveryFormatter } from './deliveryFormat';
import { deliveryLog, type DeliveryLog } from './deliveryLog';
import { deliveryStore, type DeliveryStore } from './deliveryStore';
import { DestinationForwarder } from './destinationForwarder';
import type { DestinationConfig, ForwardConfig } from './forwardConfig';
import { openForwardingDb, recordedLogFirstEvent, recordLogFirstEvent } from './forwardingDb';
import { noLogger, noMetrics, type ForwardingLogger, type ForwardingMetrics } from './forwardingMetrics';
import { httpSender, type DeliverySender } from './httpSender';
import type { LogReader } from './logReader';
import { systemClocks, type ForwardingClock } from './forwardingClock';

export interface ForwardingOptions {
  /** The state file, e.g. DATA_DIR/forwarding.db. */
  file: string;
  config: ForwardConfig;
  /** Reads the log for replays. */
  reader: LogReader;
  /** The log's last position now: where a new destination with startFrom "now" begins. */
  logHead: bigint;
  /**
   * The log's first event now (logAtStart.ts; null: empty, or unknown). When the file recorded another, its checkpoints are
   * positions of another log, and each destination goes on from `logHead`.
   */
  logFirstEvent?: string | null;
  metrics?: ForwardingMetrics;
  logger?: ForwardingLogger;
  /** Clocks (the system's when left out) and randomness ([0, 1)) of the delivery rules; injectable for tests. */
  clock?: ForwardingClock;
  random?: () => number;
  /** How often finished deliveries beyond retention are pruned, a few hundred rows at a time; default 10 s. */
  pruneIntervalMs?: number;
  /** Replaces the HTTP client, for tests. */
  sender?: (destination: DestinationConfig) => DeliverySender;
}

export interface Forwarding {
  readonly destinations: readonly DestinationForwarder[];
  destination(name: string): DestinationForwarder | undefined;
  /** The delivery log of every destination (filter by destination name). */
  readonly log: DeliveryLog;
  /** Starts every destination's delivery loop and the pruning. */
  start(): void;
  /**
   * Stops every destination (see DestinationForwarder.stop) and closes the file; with `copyTo`, first writes the whole
   * state, as it is then, to that new file (what a file deleted under it is brought back from).
   */
  close(graceMs: number, copyTo?: string): Promise<void>;
}

/** Rows deleted per destination and pruning step: small steps keep each write transaction short. */
const PRUNE_STEP_ROWS = 500;

export function openForwarding(options: ForwardingOptions): Forwarding {
  const clock = options.clock ?? systemClocks;
  const now = (): number => clock.wall();
  const random = options.random ?? Math.random;
  const logger = options.logger ?? noLogger;
  const metrics = options.metrics ?? noMetrics;
  const db = openForwardingDb(options.file);
  const followed = recordedLogFirstEvent(db);
  const first = options.logFirstEvent ?? null;
  const anotherLog =
    followed !== null && first !== null && followed !== first
      ? `the file followed a log that begins with ${followed}, and the log in place begins with ${first} (event id@position: was events.db replaced by another one, or the store changed?)`
      : null;
  // An empty log records the first event it takes (a log emptied since has checkpoints past its end, moved back).
  let recorded = first;
  if (first !== null && first !== followed) recordLogFirstEvent(db, first);
  const logStarted = (id: string) => {
    if (recorded !== null) return;
    recorded = id;
    recordLogFirstEvent(db, id);
  };
  const { retention } = options.config;
  const stores: DeliveryStore[] = [];
  const senders: DeliverySender[] = [];
  const loops = new Map<string, DeliveryLoop>();

  const destinations = options.config.destinations.map((destination) => {
    const store = deliveryStore(db, destination.name);
    const sender = options.sender?.(destination) ?? httpSender(destination.url, { timeoutMs: destination.timeoutMs, connections: destination.concurrency });
    stores.push(store);
    senders.push(sender);
    let forwarder: DestinationForwarder | undefined;
    const loop = new DeliveryLoop({
      destination,
      store,
      sender,
      format: deliveryFormatter(destination),
      metrics,
      logger,
      clock,
      random,
      onProgress: () => forwarder?.progressed(),
      onFailure: (error) => forwarder?.failed(error),
    });
    loops.set(destination.name, loop);
    const initialCheckpoint = destination.startFrom === 'now' ? options.logHead : 0n;
    forwarder = new DestinationForwarder({ destination, store, loop, reader: options.reader, logger, now, initialCheckpoint, logHead: options.logHead, anotherLog, logStarted });
    return forwarder;
  });

  let pruneTimer: NodeJS.Timeout | undefined;
  const prune = () => {
    const before = now() - retention.days * 86_400_000;
    for (const store of stores) {
      try {
        store.prune(before, retention.maxRowsPerDestination, PRUNE_STEP_ROWS);
      } catch (error) {
        logger.warn({ err: error }, 'pruning finished deliveries failed; trying again later');
      }
    }
  };

  return {
    destinations,
    destination: (name) => destinations.find((d) => d.name === name),
    log: deliveryLog(db, (name) => loops.get(name)?.flush()),
    start() {
      for (const destination of destinations) destination.start();
      pruneTimer ??= setInterval(prune, options.pruneIntervalMs ?? 10_000);
      pruneTimer.unref();
    },
    async close(graceMs, copyTo) {
      clearInterval(pruneTimer);
      await Promise.all(destinations.map((destination) => destination.stop(graceMs)));
      await Promise.all(senders.map((sender) => sender.close()));
      try {
        if (copyTo !== undefined) db.prepare('VACUUM INTO ?').run(copyTo);
      } finally {
        db.close();
      }
    },
  };
}
