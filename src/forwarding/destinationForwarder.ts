// One destination as a batch handler of the log (checkpoint, handle) with its delivery loop and its operations.
import type { RecordedEvent } from '../eventstore/eventStore';
import { firstEventOf } from '../eventstore/logAtStart';
import type { BreakerState } from './circuitBreaker';
import type { DeliveryLoop } from './deliveryLoop';
import type { DeliveryStore, OfferedEvent, PendingDelivery } from './deliveryStore';
import { passesFilter } from './eventFilter';
import type { DestinationConfig } from './forwardConfig';
import type { ForwardingLogger } from './forwardingMetrics';
import { replayBounds, type LogReader, type ReplayRange } from './logReader';

/** What the log's processor drives: where to resume, and each batch of events after it. */
export interface ForwardingHandler {
  readonly name: string;
  /** The log position through which every event is recorded as a delivery or filtered out. */
  checkpoint(): bigint;
  /**
   * Records the events that pass the filter as pending deliveries, advancing the checkpoint in the
   * same transaction, and resolves when the window of pending deliveries has room again. Events at
   * or before the checkpoint are skipped. After a rejection, resume from checkpoint().
   */
  handle(events: RecordedEvent[]): Promise<void>;
  start(): void;
  stop(graceMs: number): Promise<void>;
}

export type DestinationState = 'active' | 'paused' | 'breaker-open' | 'failed';

export interface DestinationStatus {
  name: string;
  state: DestinationState;
  breaker: BreakerState;
  checkpoint: bigint;
  /** Every event of the log up to here is delivered, dead-lettered or filtered out. */
  deliveredThrough: bigint;
  /** Log head minus deliveredThrough. */
  lagEvents: number;
  /** Age of the oldest pending delivery's event; 0 when none is pending. */
  lagSeconds: number;
  lastDeliveredPosition: bigint | null;
  lastDeliveredAt: Date | null;
  lastError: { message: string; at: Date } | null;
  deadLetterCount: number;
  pendingCount: number;
  inFlightCount: number;
}

/** The destination was stopped (or failed) while a call waited for room in its window. */
export class ForwarderStoppedError extends Error {
  readonly code = 'FORWARDER_STOPPED';
  constructor(destination: string, cause?: Error) {
    super(`destination ${destination} is stopped${cause === undefined ? '' : `: ${cause.message}`}`, { cause });
    this.name = 'ForwarderStoppedError';
  }
}

/** Events read per page of a replay. */
const REPLAY_PAGE = 256;
/** Dead letters put back per transaction. */
const REDELIVER_CHUNK = 500;

export interface ForwarderDependencies {
  destination: DestinationConfig;
  store: DeliveryStore;
  loop: DeliveryLoop;
  reader: LogReader;
  logger: ForwardingLogger;
  now: () => number;
  initialCheckpoint: bigint;
  /** The log's last position at start. */
  logHead: bigint;
  /** Why the checkpoints in the file are not positions of the log in place (another events.db copied in); null when they are. */
  anotherLog?: string | null;
  /** Told the log's first event when this destination takes it (from checkpoint 0): which log the file follows. */
  logStarted?: (firstEvent: string) => void;
}

export class DestinationForwarder implements ForwardingHandler {
  readonly name: string;
  private position: bigint;
  private paused: boolean;
  private failure: Error | null = null;
  private stopped = false;
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private intakeTurn: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ForwarderDependencies) {
    this.name = deps.destination.name;
    this.position = deps.store.openCheckpoint(deps.initialCheckpoint, deps.now());
    // The log in place is shorter than the one this destination followed (an events.db restored from a backup): the
    // callbacks it takes from here on are new to the destination, at positions the checkpoint would pass over. Or it is
    // another log altogether, whose positions the checkpoint says nothing of. Either way it goes on from the log's end,
    // as a new destination with startFrom "now" would; a replay sends what was there before.
    const problem =
      this.position > deps.logHead
        ? `its checkpoint, position ${this.position}, is past the log's last event, position ${deps.logHead} (was events.db restored from a backup, or replaced?)`
        : this.position > 0n && deps.anotherLog != null
          ? `its checkpoint, position ${this.position}, is of another log: ${deps.anotherLog}`
          : null;
    if (problem !== null) {
      deps.logger.warn(
        { destination: this.name, checkpoint: String(this.position), logHead: String(deps.logHead) },
        `destination ${this.name}: ${problem}: it goes on from the log's last event`,
      );
      deps.store.moveCheckpoint(this.position, deps.logHead, deps.now());
      this.position = deps.logHead;
    }
    const summary = deps.store.summary();
    this.paused = summary.paused;
    if (summary.lastDeliveredPosition !== null) deps.loop.lastDelivered = { position: summary.lastDeliveredPosition, at: summary.lastDeliveredAt ?? 0 };
    if (summary.lastError !== null) deps.loop.lastError = { message: summary.lastError, at: summary.lastErrorAt ?? 0 };
    // Whatever was recorded and not finished before a stop or a crash is sent again.
    deps.loop.add(deps.store.pending());
    deps.loop.setPaused(this.paused);
  }

  checkpoint(): bigint {
    return this.position;
  }

  handle(events: RecordedEvent[]): Promise<void> {
    // One batch at a time: each commit moves the checkpoint from the one before.
    const turn = this.intakeTurn.then(() => this.intake(events));
    this.intakeTurn = turn.catch(() => {});
    return turn;
  }

  start(): void {
    this.throwIfUnusable();
    this.deps.loop.start();
  }

  async stop(graceMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.rejectWaiters(new ForwarderStoppedError(this.name));
    await this.deps.loop.stop(graceMs);
  }

  pause(): void {
    this.setPaused(true);
  }

  resume(): void {
    this.setPaused(false);
  }

  /**
   * Offers a range of the log again, as new deliveries of the same event ids (receivers drop
   * repeats by webhook-id), filtered as usual. It ends at the checkpoint the replay started from:
   * later events come through the intake anyway.
   */
  async replay(range: ReplayRange): Promise<{ offered: number }> {
    const end = this.position;
    const bounds = await replayBounds(this.deps.reader, range, end);
    let after = bounds.after;
    let offered = 0;
    for (;;) {
      const page = await this.deps.reader.readAll(after === undefined ? { maxCount: REPLAY_PAGE } : { after, maxCount: REPLAY_PAGE });
      const stop = page.findIndex((event) => event.position > end || bounds.isBeyond(event));
      const inRange = stop < 0 ? page : page.slice(0, stop);
      await this.admit(inRange, (_chunk, offers) => {
        offered += offers.length;
        return this.deps.store.offer(offers, this.deps.now());
      });
      if (stop >= 0 || page.length < REPLAY_PAGE) return { offered };
      after = page[page.length - 1]!.position;
    }
  }

  /** Puts every dead letter (as of this call) back to pending with fresh attempts, oldest first. */
  async redeliverDeadLetters(): Promise<{ redelivered: number }> {
    const upTo = this.deps.store.lastDeadLetterId();
    let redelivered = 0;
    for (;;) {
      await this.room();
      const limit = Math.min(REDELIVER_CHUNK, this.deps.destination.maxPending - this.deps.loop.queues.size);
      const revived = this.deps.store.reviveDeadLetters(upTo, limit, this.deps.now());
      this.deps.loop.add(revived);
      redelivered += revived.length;
      if (revived.length < limit) return { redelivered };
    }
  }

  /** `head`: the log's last position, for the lag. */
  status(head: bigint): DestinationStatus {
    const now = this.deps.now();
    const { loop } = this.deps;
    loop.flush(); // the dead-letter count is read from the file
    let oldestPosition: bigint | null = null;
    let oldestReceivedAt = now;
    for (const delivery of loop.queues.all()) {
      if (oldestPosition === null || delivery.position < oldestPosition) oldestPosition = delivery.position;
      oldestReceivedAt = Math.min(oldestReceivedAt, delivery.receivedAt);
    }
    const deliveredThrough = oldestPosition !== null && oldestPosition <= this.position ? oldestPosition - 1n : this.position;
    const breaker = loop.breakerState();
    const state: DestinationState = this.failure !== null ? 'failed' : this.paused ? 'paused' : breaker === 'closed' ? 'active' : 'breaker-open';
    const lastError = this.failure !== null ? { message: this.failure.message, at: now } : loop.lastError;
    return {
      name: this.name,
      state,
      breaker,
      checkpoint: this.position,
      deliveredThrough,
      lagEvents: head > deliveredThrough ? Number(head - deliveredThrough) : 0,
      lagSeconds: Math.max(0, (now - oldestReceivedAt) / 1000),
      lastDeliveredPosition: loop.lastDelivered?.position ?? null,
      lastDeliveredAt: loop.lastDelivered === null ? null : new Date(loop.lastDelivered.at),
      lastError: lastError === null ? null : { message: lastError.message, at: new Date(lastError.at) },
      deadLetterCount: this.deps.store.deadLetterCount(),
      pendingCount: loop.queues.size,
      inFlightCount: loop.inFlightCount,
    };
  }

  /**
   * Wakes calls waiting for room; called by the loop as deliveries finish. A full window takes
   * events in again once a quarter of it is free, not at each free place, so that intake commits
   * in chunks rather than one transaction per event.
   */
  progressed(): void {
    if (this.waiters.length === 0 || this.deps.loop.queues.size > this.lowWater()) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) waiter.resolve();
  }

  private lowWater(): number {
    const { maxPending } = this.deps.destination;
    return maxPending - Math.max(1, Math.floor(maxPending / 4));
  }

  /** The loop could not write its results: nothing more is taken in or sent. */
  failed(error: Error): void {
    this.failure = error;
    this.deps.logger.error({ destination: this.name, err: error }, 'forwarding stopped');
    this.rejectWaiters(new ForwarderStoppedError(this.name, error));
  }

  private async intake(events: RecordedEvent[]): Promise<void> {
    this.throwIfUnusable();
    const fresh = events.filter((event) => event.position > this.position);
    if (this.position === 0n && fresh.length > 0) this.deps.logStarted?.(firstEventOf(fresh[0]!));
    await this.admit(fresh, (chunk, offers) => {
      const next = chunk[chunk.length - 1]!.position;
      try {
        const recorded = this.deps.store.intake(this.position, next, offers, this.deps.now());
        this.position = next;
        return recorded;
      } catch (error) {
        // Most likely another process took the checkpoint over: sending on would deliver twice as much.
        this.failed(error as Error);
        void this.deps.loop.stop(0);
        throw error;
      }
    });
    await this.room();
  }

  /**
   * Records events in chunks that fit the window: wait for room, then take as many passing events
   * as there is room for (and the filtered-out ones between them) and commit them at once, with no
   * await in between, so that intake and replays together never overfill the window.
   */
  private async admit(events: readonly RecordedEvent[], commit: (chunk: RecordedEvent[], offers: OfferedEvent[]) => PendingDelivery[]): Promise<void> {
    const { filter, maxPending } = this.deps.destination;
    let start = 0;
    while (start < events.length) {
      await this.room();
      const room = maxPending - this.deps.loop.queues.size;
      const offers: OfferedEvent[] = [];
      let end = start;
      for (; end < events.length; end++) {
        const event = events[end]!;
        if (!passesFilter(filter, event)) continue;
        if (offers.length === room) break;
        offers.push(offeredEvent(event));
      }
      this.deps.loop.add(commit(events.slice(start, end), offers));
      start = end;
    }
  }

  private room(): Promise<void> {
    this.throwIfUnusable();
    if (this.deps.loop.queues.size < this.deps.destination.maxPending) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    this.deps.store.setPaused(paused, this.deps.now());
    this.deps.loop.setPaused(paused);
    this.deps.logger.info({ destination: this.name }, paused ? 'destination paused' : 'destination resumed');
  }

  private throwIfUnusable(): void {
    if (this.failure !== null || this.stopped) throw new ForwarderStoppedError(this.name, this.failure ?? undefined);
  }

  private rejectWaiters(error: Error): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) waiter.reject(error);
  }
}

/** The delivery row of a logged callback: what it carries (body as received, fields) and when it was received. */
export function offeredEvent(event: RecordedEvent): OfferedEvent {
  const { data, metadata } = event;
  const receivedAt = typeof metadata.receivedAt === 'string' ? Date.parse(metadata.receivedAt) : Number.NaN;
  return {
    eventId: event.id,
    eventType: event.type,
    stream: event.stream,
    position: event.position,
    receivedAt: Number.isNaN(receivedAt) ? event.recordedAt.getTime() : receivedAt,
    raw: typeof data.raw === 'string' ? data.raw : JSON.stringify(data),
    fieldsJson: JSON.stringify(data.fields ?? {}),
    contentType: typeof metadata.contentType === 'string' ? metadata.contentType : null,
  };
}
