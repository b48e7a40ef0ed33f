// A processor: follows the global log from its handler's checkpoint and hands it batches; retries on failure, stops on a lost checkpoint.
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore';
import { positionReached } from './positionReached';

/** Where a processor stands: behind the log's head at start, caught up, a shadow build, waiting to retry, or not running. */
export type ProcessorPhase = 'catching-up' | 'live' | 'rebuilding' | 'retrying' | 'stopped';
export const PROCESSOR_PHASES: readonly ProcessorPhase[] = ['catching-up', 'live', 'rebuilding', 'retrying', 'stopped'];

/** What a processor reads: the log, from a position on, and where its head is. */
export type LogSource = Pick<EventStore, 'readAll' | 'subscribeToAll' | 'headPosition'>;

/** What a processor feeds: a projection set, a forwarder, anything that keeps its own checkpoint. */
export interface BatchHandler {
  /** The position of the last event handled (0 before the first): the processor resumes after it. */
  checkpoint(): bigint;
  /**
   * Handles events after checkpoint(), in log order; once it returns (or resolves), checkpoint() covers them.
   * A thrown error is retried from checkpoint(); a FatalProcessingError stops the processor.
   */
  handle(events: readonly RecordedEvent[]): void | Promise<void>;
  /** Events handled in all, as the handler counts them (from its checkpoint's start); default: counted by the processor. */
  eventsApplied?(): number;
}

/** An error after which retrying cannot help: another writer owns the checkpoint, say. The processor stops. */
export class FatalProcessingError extends Error {
  override name = 'FatalProcessingError';
}

export interface ProcessorStatus {
  name: string;
  phase: ProcessorPhase;
  /** The handler's checkpoint. */
  position: bigint;
  /** The log's last position, as last seen (at least `position`). */
  headPosition: bigint;
  /** Events between the checkpoint and the head. */
  lagEvents: number;
  /** From the append of the newest event handled to now; 0 when caught up. */
  lagSeconds: number;
  eventsApplied: number;
  /** From the append of the last handled event to its batch being handled; null before the first batch. */
  lagMs: number | null;
  lastError: string | null;
}

export interface ProcessorOptions {
  /** Names it in status, logs and metrics. */
  name: string;
  logger?: Logger;
  /** Events per batch at most; default 1000. */
  batchSize?: number;
  /** Wait before resubscribing after a failure; default 1000 ms. */
  retryDelayMs?: number;
  /** `rebuilding` for a shadow processor: its phase while it runs, caught up or not. */
  runningPhase?: 'rebuilding';
  /** How often the log's head is read again while running; default 1000 ms. */
  headRefreshMs?: number;
  /**
   * How long a live batch that is not full waits for more events; default 0 (the next turn of the event loop).
   * A handler that pays per batch (a transaction of its own) takes fewer, larger batches for a few ms of delay.
   */
  gatherMs?: number;
  /**
   * The event types the handler reads, asked for at each read or subscription (a rewind subscribes again); the store
   * may deliver the others hollow. Default: every event whole.
   */
  typesWithData?: () => ReadonlySet<string>;
}

/** The same failure, repeated, is logged in full once and then in one line at most this often. */
const REPEATED_FAILURE_LOG_MS = 60_000;

export class Processor {
  readonly name: string;
  private readonly events = new EventEmitter();
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private phase: ProcessorPhase = 'stopped';
  private head = 0n;
  private headRead = false;
  private reachedHead = false;
  private newestAppendedAt: number | null = null;
  private lagMs: number | null = null;
  private lastError: string | null = null;
  private handled = 0;
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private subscription: AbortController | null = null;
  private resubscribe = false;
  private buffer: RecordedEvent[] = [];
  private scheduledFlush: { cancel(): void } | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private flushError: unknown = null;
  private headTimer: NodeJS.Timeout | undefined;
  /** Failures since a batch was last handled: the same one again (a store that is down) is not logged at every retry. */
  private failing: { attempts: number; since: number; message: string; loggedAt: number; notLogged: number } | null = null;

  constructor(
    private readonly source: LogSource,
    private readonly handler: BatchHandler,
    private readonly options: ProcessorOptions,
  ) {
    this.name = options.name;
    this.batchSize = options.batchSize ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.events.setMaxListeners(0);
  }

  get position(): bigint {
    return this.handler.checkpoint();
  }

  /** Whether it has reached the log's head (as last read) since it started. */
  get caughtUp(): boolean {
    return this.reachedHead;
  }

  /** The log's head as last read; null before the first read. */
  get knownHead(): bigint | null {
    return this.headRead ? this.head : null;
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  status(): ProcessorStatus {
    const position = this.position;
    const head = this.head > position ? this.head : position;
    const behind = head > position;
    const phase = this.phase === 'live' && !this.reachedHead ? 'catching-up' : this.phase;
    return {
      name: this.name,
      phase: this.options.runningPhase !== undefined && (phase === 'live' || phase === 'catching-up') ? this.options.runningPhase : phase,
      position,
      headPosition: head,
      lagEvents: Number(head - position),
      lagSeconds: behind && this.newestAppendedAt !== null ? Math.max(0, Date.now() - this.newestAppendedAt) / 1000 : 0,
      eventsApplied: this.handler.eventsApplied?.() ?? this.handled,
      lagMs: this.lagMs,
      lastError: this.lastError,
    };
  }

  /** Called after each batch is handled, with the new position. */
  onApplied(listener: (position: bigint) => void): () => void {
    this.events.on('applied', listener);
    return () => this.events.off('applied', listener);
  }

  waitForPosition(position: bigint): Promise<void> {
    return positionReached((listener) => this.onApplied(listener), () => this.position, position);
  }

  /** Follows the log in the background: catches up from the checkpoint, then live. */
  start(): void {
    if (this.running !== null) return;
    this.abort = new AbortController();
    this.phase = 'live';
    this.lastError = null;
    this.running = this.follow(this.abort.signal);
    this.headTimer = setInterval(() => void this.refreshHead().catch(() => undefined), this.options.headRefreshMs ?? 1000);
    this.headTimer.unref();
  }

  /** Stops following; events already received are handled first. */
  async stop(): Promise<void> {
    clearInterval(this.headTimer);
    if (this.running === null) return;
    this.abort?.abort();
    await this.running;
    this.running = null;
    if (this.phase !== 'stopped') await this.flush().catch((error: unknown) => this.fail(error));
    this.phase = 'stopped';
  }

  /** Handles everything in the log after the checkpoint, then returns (a rebuild, a shutdown). */
  async catchUp(): Promise<void> {
    await this.refreshHead();
    for (;;) {
      const before = this.position;
      const events = await this.source.readAll({ after: before, maxCount: this.batchSize, ...this.typesWithData() });
      if (events.length === 0) return;
      await this.handleBatch(events);
      // A turn for the thread's timers and messages: the embedded log's reads answer at once, so that without it a
      // catch-up reads batch after batch in one turn (the rebuild command's progress timer waited for the log's head).
      await nextTurn();
      if (this.position <= before) throw new Error(`${this.name}: the handler did not move its checkpoint past ${before}`);
    }
  }

  /** Subscribes again from the handler's checkpoint: it moved back (a read model to build from the start joined it). */
  rewind(): void {
    if (this.subscription === null) return;
    this.resubscribe = true;
    this.subscription.abort();
  }

  private async follow(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const subscription = new AbortController();
      const endSubscription = () => subscription.abort();
      stop.addEventListener('abort', endSubscription, { once: true });
      this.subscription = subscription;
      try {
        await this.refreshHead();
        for await (const event of this.source.subscribeToAll({ after: this.position, signal: subscription.signal, ...this.typesWithData() })) {
          this.buffer.push(event);
          if (this.buffer.length >= this.batchSize) {
            await this.flush();
            await nextTurn(); // as in catchUp: a turn between full batches
          } else this.scheduledFlush ??= this.scheduleFlush();
        }
        await this.flushing;
        if (this.flushError !== null) throw this.flushError;
        if (stop.aborted) return;
        if (this.resubscribe) {
          this.resubscribe = false;
          this.buffer = [];
          continue;
        }
        throw new Error('the event store ended the subscription');
      } catch (error) {
        if (error instanceof FatalProcessingError) {
          this.buffer = [];
          this.phase = 'stopped';
          this.lastError = error.message;
          clearInterval(this.headTimer);
          this.options.logger?.fatal({ err: error }, `${this.name} stopped: ${error.message}`);
          return;
        }
        this.fail(error);
        await delay(this.retryDelayMs, stop);
        if (!stop.aborted) this.phase = 'live';
      } finally {
        stop.removeEventListener('abort', endSubscription);
        this.flushError = null;
        this.subscription = null;
      }
    }
  }

  /** A batch that fails ends the subscription; the loop resubscribes from the checkpoint. */
  private flushInBackground(): void {
    this.flush().catch((error: unknown) => {
      this.flushError ??= error;
      this.subscription?.abort();
    });
  }

  private scheduleFlush(): { cancel(): void } {
    const gatherMs = this.options.gatherMs ?? 0;
    const flush = () => this.flushInBackground();
    if (gatherMs > 0) {
      const timer = setTimeout(flush, gatherMs);
      return { cancel: () => clearTimeout(timer) };
    }
    const immediate = setImmediate(flush);
    return { cancel: () => clearImmediate(immediate) };
  }

  /** Hands what is buffered to the handler, after any batch still being handled. */
  private flush(): Promise<void> {
    this.scheduledFlush?.cancel();
    this.scheduledFlush = undefined;
    const run = this.flushing.then(() => {
      const events = this.buffer;
      this.buffer = [];
      return events.length === 0 ? undefined : this.handleBatch(events);
    });
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async handleBatch(events: readonly RecordedEvent[]): Promise<void> {
    // Events at or before the checkpoint were handled already (a resubscription can deliver them again).
    const checkpoint = this.position;
    const fresh = events[0]!.position > checkpoint ? events : events.filter((e) => e.position > checkpoint);
    if (fresh.length === 0) return;
    const result = this.handler.handle(fresh);
    if (result instanceof Promise) await result;
    const last = fresh[fresh.length - 1]!;
    this.handled += fresh.length;
    this.newestAppendedAt = last.recordedAt.getTime();
    this.lagMs = Math.max(0, Date.now() - this.newestAppendedAt);
    this.lastError = null;
    this.failing = null;
    if (this.position >= this.head) {
      this.head = this.position;
      this.reachedHead = true;
    }
    this.events.emit('applied', this.position);
  }

  private typesWithData(): { typesWithData?: ReadonlySet<string> } {
    return this.options.typesWithData === undefined ? {} : { typesWithData: this.options.typesWithData() };
  }

  private async refreshHead(): Promise<void> {
    const head = await this.source.headPosition();
    this.headRead = true;
    if (head > this.head) this.head = head;
    if (this.position >= this.head) this.reachedHead = true;
  }

  private fail(error: unknown): void {
    this.buffer = [];
    this.phase = 'retrying';
    const message = error instanceof Error ? error.message : String(error);
    this.lastError = message;
    const now = performance.now(); // elapsed time only: a clock set back must not silence the failure for as long
    const failing = this.failing;
    if (failing === null || failing.message !== message) {
      this.failing = { attempts: 1, since: now, message, loggedAt: now, notLogged: 0 };
      this.options.logger?.error({ err: error }, `${this.name} failed, resuming from position ${this.position}`);
      return;
    }
    failing.attempts += 1;
    if (now - failing.loggedAt < REPEATED_FAILURE_LOG_MS) {
      failing.notLogged += 1;
      return;
    }
    const seconds = Math.round((now - failing.since) / 1000);
    this.options.logger?.error(
      { attempts: failing.attempts, failingForSeconds: seconds, notLogged: failing.notLogged, error: message },
      `${this.name} still failing after ${failing.attempts} attempts over ${seconds} s (${failing.notLogged} not logged since the last line), resuming from position ${this.position}: ${message}`,
    );
    failing.loggedAt = now;
    failing.notLogged = 0;
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
