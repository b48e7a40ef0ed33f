// One destination's deliveries taken from a shared group: in order per stream within this instance, at least once, retried per its policy.
import type { DeliveryFormatter } from './deliveryFormat';
import { offeredEvent } from './destinationForwarder';
import { passesFilter } from './eventFilter';
import type { DestinationConfig } from './forwardConfig';
import { noMetrics, type ForwardingLogger, type ForwardingMetrics } from './forwardingMetrics';
import type { DeliverySender } from './httpSender';
import { judgeAttempt } from './retryPolicy';
import type { SharedMessage, SharedSubscription } from './sharedSubscription';
import { systemClocks, type ForwardingClock } from './forwardingClock';

export interface SharedForwarderOptions {
  destination: DestinationConfig;
  subscription: SharedSubscription;
  sender: DeliverySender;
  format: DeliveryFormatter;
  logger: ForwardingLogger;
  metrics?: ForwardingMetrics;
  /** The system's clocks when left out. */
  clock?: ForwardingClock;
  random?: () => number;
  /** Wait before joining the group again after the connection ended; default 1 s. */
  rejoinDelayMs?: number;
}

export interface SharedForwarderCounts {
  delivered: number;
  parked: number;
  filteredOut: number;
  /** Attempts that failed and were tried again here. */
  retried: number;
  /** Times the group was joined again after the connection ended. */
  rejoined: number;
}

/** What this instance knows of its share: the group's other instances and its past are the server's. */
export interface SharedForwarderProgress {
  lastDeliveredPosition: bigint | null;
  lastDeliveredAt: Date | null;
  lastError: { message: string; at: Date } | null;
  /** Events handed to this instance and not acked or parked yet (waiting behind their stream, or in flight). */
  held: number;
  inFlight: number;
}

/** Runs one destination's share of the group's deliveries until stop(). */
export class SharedForwarder {
  readonly counts: SharedForwarderCounts = { delivered: 0, parked: 0, filteredOut: 0, retried: 0, rejoined: 0 };
  private lastDelivered: { position: bigint; at: Date } | null = null;
  private lastError: { message: string; at: Date } | null = null;
  private held = 0;
  private readonly metrics: ForwardingMetrics;
  private readonly clock: ForwardingClock;
  private readonly random: () => number;
  /** The last delivery queued per stream: a stream's next delivery waits for it (order per stream). */
  private readonly streamTails = new Map<string, Promise<void>>();
  private inFlight = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private stopped = false;
  private running: Promise<void> | undefined;
  private wakeStop: (() => void) | undefined;
  private readonly stopSignal = new Promise<void>((resolve) => (this.wakeStop = resolve));

  constructor(private readonly options: SharedForwarderOptions) {
    this.clock = options.clock ?? systemClocks;
    this.random = options.random ?? Math.random;
    this.metrics = options.metrics ?? noMetrics;
  }

  progress(): SharedForwarderProgress {
    return {
      lastDeliveredPosition: this.lastDelivered?.position ?? null,
      lastDeliveredAt: this.lastDelivered?.at ?? null,
      lastError: this.lastError,
      held: this.held,
      inFlight: this.inFlight,
    };
  }

  private noteError(message: string): void {
    this.lastError = { message, at: new Date(this.clock.wall()) };
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Leaves the group; deliveries waiting for a retry are handed back to the group (nack retry). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeStop?.();
    await this.options.subscription.close();
    await this.running;
    await Promise.all([...this.streamTails.values()]);
  }

  private async run(): Promise<void> {
    const { subscription, logger } = this.options;
    let joined = false;
    while (!this.stopped) {
      try {
        await subscription.ensureGroup();
        if (joined) this.counts.rejoined++;
        joined = true;
        for await (const message of subscription.messages()) {
          if (this.stopped) break;
          this.dispatch(message);
        }
        if (this.stopped) return;
        logger.warn({ group: subscription.group }, 'the shared subscription ended; joining again');
      } catch (error) {
        if (this.stopped) return;
        this.noteError(`the shared subscription ${subscription.group} failed: ${error instanceof Error ? error.message : String(error)}`);
        logger.warn({ err: error, group: subscription.group }, 'the shared subscription failed; joining again');
      }
      await this.pause(this.options.rejoinDelayMs ?? 1000);
    }
  }

  private dispatch(message: SharedMessage): void {
    if (!passesFilter(this.options.destination.filter, message.event)) {
      this.counts.filteredOut++;
      void message.ack().catch(() => undefined); // unacked, the server hands it out again: harmless
      return;
    }
    const stream = message.event.stream;
    const previous = this.streamTails.get(stream) ?? Promise.resolve();
    this.held++;
    const tail = previous.then(() => this.withSlot(() => this.deliver(message))).finally(() => this.held--);
    this.streamTails.set(stream, tail);
    void tail.finally(() => {
      if (this.streamTails.get(stream) === tail) this.streamTails.delete(stream);
    });
  }

  /** At most `concurrency` streams have a delivery in flight at once. */
  private async withSlot(work: () => Promise<void>): Promise<void> {
    while (this.inFlight >= this.options.destination.concurrency) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.inFlight++;
    try {
      await work();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'a shared delivery could not be settled; the server hands it out again');
    } finally {
      this.inFlight--;
      this.slotWaiters.shift()?.();
    }
  }

  /** Attempts until delivered or the policy gives up; retries stay here so that the stream's later events wait behind it. */
  private async deliver(message: SharedMessage): Promise<void> {
    const { destination, sender, format } = this.options;
    const name = destination.name;
    const content = offeredEvent(message.event);
    const { clock } = this;
    // maxAgeSeconds counts on the monotonic clock, as the waits between attempts do.
    const offeredAt = clock.monotonic();
    let lastDelayMs: number | null = null;
    for (let attempts = 1; ; attempts++) {
      if (this.stopped) return message.nack('retry', 'instance stopping');
      const result = await sender.send(format(content, new Date(clock.wall())));
      if (result === 'stopped') return message.nack('retry', 'instance stopping');
      const verdict = judgeAttempt(result, { attempts, offeredAt, lastDelayMs }, destination.retry, clock.monotonic(), this.random, clock.wall());
      this.metrics.observeAttempt(name, verdict.outcome === 'delivered' ? 'success' : 'failure', result.durationMs / 1000);
      if (verdict.outcome === 'delivered') {
        this.counts.delivered++;
        this.lastDelivered = { position: message.event.position, at: new Date(clock.wall()) };
        this.metrics.countDelivery(name, 'delivered');
        return message.ack();
      }
      if (verdict.outcome === 'dead-letter') {
        this.counts.parked++;
        this.noteError(verdict.reason);
        this.metrics.countDelivery(name, 'dead_lettered');
        return message.nack('park', verdict.reason);
      }
      this.noteError(verdict.reason);
      this.counts.retried++;
      lastDelayMs = verdict.delayMs;
      await this.pause(verdict.delayMs);
    }
  }

  /** Sleeps, cut short by stop(). */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), this.stopSignal]);
    clearTimeout(timer);
  }
}
