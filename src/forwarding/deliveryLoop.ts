// Sends one destination's pending deliveries: stream heads only, up to its concurrency, within its rate limit and circuit breaker.
import { describeAttempt, isDestinationFailure, type AttemptResult } from './attemptResult';
import { CircuitBreaker, type BreakerState } from './circuitBreaker';
import type { DeliveryFormatter } from './deliveryFormat';
import type { ForwardingClock } from './forwardingClock';
import type { AttemptRecord, DeliveryStore, PendingDelivery } from './deliveryStore';
import type { DestinationConfig } from './forwardConfig';
import type { ForwardingLogger, ForwardingMetrics } from './forwardingMetrics';
import type { DeliverySender } from './httpSender';
import { judgeAttempt } from './retryPolicy';
import { StreamQueues } from './streamQueues';
import { TokenBucket } from './tokenBucket';

export interface DeliveryLoopDependencies {
  destination: DestinationConfig;
  store: DeliveryStore;
  sender: DeliverySender;
  format: DeliveryFormatter;
  metrics: ForwardingMetrics;
  logger: ForwardingLogger;
  clock: ForwardingClock;
  random: () => number;
  /** Called when pending deliveries finish (room in the window) and when the loop fails. */
  onProgress: () => void;
  /** Called once when writing results fails: the loop stops. */
  onFailure: (error: Error) => void;
}

/**
 * Results are written together every few dozen ms, or as soon as this many wait: one transaction each, and a
 * transaction costs about the same for one row as for fifty. A crash only sends the unwritten ones again; reads of
 * the delivery log and of the status write them first.
 */
const FLUSH_BATCH = 512;
const FLUSH_INTERVAL_MS = 50;

/** A pending delivery as the loop holds it: when it is due and when it was offered, on the monotonic clock. */
export interface ScheduledDelivery extends PendingDelivery {
  dueAt: number;
  offeredAtMonotonic: number;
}

/** Waits (dueAt, heldUntil, the breaker, the rate limit) are on the monotonic clock; what is recorded, on the system's. */
export class DeliveryLoop {
  readonly queues = new StreamQueues<ScheduledDelivery>();
  private readonly breaker: CircuitBreaker;
  private readonly bucket: TokenBucket | null;
  private readonly inFlight = new Set<Promise<void>>();
  private unwritten: AttemptRecord[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private running = false;
  private paused = false;
  /** A Retry-After holds every delivery of the destination back until then (monotonic). */
  private heldUntil = -Infinity;
  private wake: { at: number; timer: NodeJS.Timeout } | null = null;
  lastDelivered: { position: bigint; at: number } | null = null;
  lastError: { message: string; at: number } | null = null;

  constructor(private readonly deps: DeliveryLoopDependencies) {
    const { name, breaker, rateLimit } = deps.destination;
    this.breaker = new CircuitBreaker(breaker, (state) => this.breakerChanged(state));
    this.bucket = rateLimit === undefined ? null : new TokenBucket(rateLimit, deps.clock.monotonic());
    deps.metrics.setBreakerState(name, 'closed');
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  breakerState(): BreakerState {
    return this.breaker.state(this.deps.clock.monotonic());
  }

  start(): void {
    this.running = true;
    this.pump();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.pump();
  }

  add(deliveries: readonly PendingDelivery[]): void {
    const [wall, monotonic] = [this.deps.clock.wall(), this.deps.clock.monotonic()];
    for (const delivery of deliveries) {
      // A delivery waits at most the delay it was given (none before its first attempt): one stored as due further ahead
      // was scheduled by a system clock since set back, while the service was stopped, and would wait out the difference.
      const wait = Math.min(Math.max(0, delivery.nextAttemptAt - wall), delivery.lastDelayMs ?? 0);
      const offeredAgo = Math.max(0, wall - delivery.offeredAt);
      this.queues.add(Object.assign(delivery, { dueAt: monotonic + wait, offeredAtMonotonic: monotonic - offeredAgo }));
    }
    if (deliveries.length > 0) this.pump();
  }

  /** Stops sending; attempts in flight may finish within graceMs, the rest are cut short and stay pending. */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    this.clearWake();
    const settled = Promise.allSettled([...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.deps.sender.abortAll();
    await settled;
    this.flush();
  }

  /** Starts every attempt that may go now, and sets a timer for the next moment one may. */
  private pump(): void {
    if (!this.running || this.paused) return;
    const { destination } = this.deps;
    const now = this.deps.clock.monotonic();
    while (this.queues.inFlight < destination.concurrency) {
      if (now < this.heldUntil) return this.wakeAt(this.heldUntil);
      const breaker = this.breaker.state(now);
      // Half-open with its probe out: that probe's answer pumps again.
      if (breaker === 'open') return this.wakeAt(this.breaker.probeAt() ?? now);
      if (!this.breaker.canAttempt(now)) return;
      const due = this.queues.nextDueAt();
      if (due === null) return;
      if (due > now) return this.wakeAt(due);
      if (this.bucket !== null && !this.bucket.tryTake(now)) return this.wakeAt(this.bucket.nextTokenAt(now));
      const delivery = this.queues.takeDue(now)!;
      this.breaker.attemptStarted(now);
      const attempt = this.attempt(delivery);
      this.inFlight.add(attempt);
      void attempt.finally(() => this.inFlight.delete(attempt));
    }
  }

  private async attempt(delivery: ScheduledDelivery): Promise<void> {
    const { destination, sender, format, clock } = this.deps;
    const sentAt = clock.wall();
    let result: AttemptResult | 'stopped';
    try {
      result = await sender.send(format(delivery, new Date(sentAt)));
    } catch (error) {
      result = { kind: 'network', error: `could not send: ${(error as Error).message}`, durationMs: 0 };
    }
    if (result === 'stopped') {
      this.queues.putBack(delivery);
      return;
    }
    const [finishedAt, monotonic] = [clock.wall(), clock.monotonic()];
    const attempt = delivery.attempts + 1;
    const progress = { attempts: attempt, offeredAt: delivery.offeredAtMonotonic, lastDelayMs: delivery.lastDelayMs };
    const verdict = judgeAttempt(result, progress, destination.retry, monotonic, this.deps.random, finishedAt);
    this.breaker.record(!isDestinationFailure(result), monotonic);
    this.deps.metrics.observeAttempt(destination.name, verdict.outcome === 'delivered' ? 'success' : 'failure', result.durationMs / 1000);
    delivery.attempts = attempt;
    const error = verdict.outcome === 'delivered' ? null : verdict.reason;
    const httpStatus = result.kind === 'response' ? result.status : null;
    const base = { deliveryId: delivery.id, position: delivery.position, attempt, sentAt, finishedAt, httpStatus, durationMs: result.durationMs, error };

    if (verdict.outcome === 'retry') {
      delivery.dueAt = monotonic + verdict.delayMs;
      delivery.nextAttemptAt = finishedAt + verdict.delayMs;
      delivery.lastDelayMs = verdict.delayMs;
      if (verdict.askedFor) this.heldUntil = Math.max(this.heldUntil, delivery.dueAt);
      this.write({ ...base, status: 'pending', nextAttemptAt: delivery.nextAttemptAt, lastDelayMs: delivery.lastDelayMs });
      this.lastError = { message: describeAttempt(result), at: finishedAt };
      this.queues.putBack(delivery);
    } else {
      const status = verdict.outcome === 'delivered' ? 'delivered' : 'dead';
      this.write({ ...base, status, nextAttemptAt: delivery.nextAttemptAt, lastDelayMs: delivery.lastDelayMs });
      this.queues.finish(delivery);
      if (status === 'delivered') {
        this.lastDelivered = { position: delivery.position, at: finishedAt };
        this.deps.metrics.countDelivery(destination.name, 'delivered');
      } else {
        const reason = error ?? 'dead-lettered';
        this.lastError = { message: reason, at: finishedAt };
        this.deps.metrics.countDelivery(destination.name, 'dead_lettered');
        const { eventId, stream, position } = delivery;
        this.deps.logger.warn({ destination: destination.name, eventId, stream, position: String(position), reason }, 'delivery dead-lettered');
      }
      this.deps.onProgress();
    }
    this.pump();
  }

  /** Results wait a few ms to be written together: a crash before then only sends those deliveries again. */
  private write(record: AttemptRecord): void {
    this.unwritten.push(record);
    if (this.unwritten.length >= FLUSH_BATCH) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const records = this.unwritten;
    if (records.length === 0) return;
    this.unwritten = [];
    try {
      this.deps.store.record(records);
    } catch (error) {
      this.running = false;
      this.clearWake();
      this.deps.onFailure(error as Error);
    }
  }

  private wakeAt(at: number): void {
    if (this.wake !== null && this.wake.at <= at) return;
    this.clearWake();
    const timer = setTimeout(() => {
      this.wake = null;
      this.pump();
    }, Math.max(0, at - this.deps.clock.monotonic()));
    this.wake = { at, timer };
  }

  private clearWake(): void {
    if (this.wake !== null) clearTimeout(this.wake.timer);
    this.wake = null;
  }

  private breakerChanged(state: BreakerState): void {
    const { name } = this.deps.destination;
    this.deps.metrics.setBreakerState(name, state);
    const log = state === 'open' ? this.deps.logger.warn : this.deps.logger.info;
    log.call(this.deps.logger, { destination: name, state }, `circuit breaker ${state}`);
  }
}
