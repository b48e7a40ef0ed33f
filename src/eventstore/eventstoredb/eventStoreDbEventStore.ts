// The EventStoreDB adapter: idempotent appends under a deadline, filtered $all reads, a self-healing $all subscription.
import {
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  InvalidArgumentError,
  MaxAppendSizeExceededError,
  START,
  StreamNotFoundError,
} from '@eventstore/db-client';
import pino, { type Logger } from 'pino';
import { DeadlineError, sleep, withDeadline } from '../deadline';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreUnavailableError,
  SubscribeToAllOptions,
  WrongExpectedRevisionError,
} from '../eventStore';
import { GrpcStatus, collect, errorMessage, grpcCode, isUnreachable } from './eventStoreDbCalls';
import { readAllFiltered } from './eventStoreDbFilteredRead';
import {
  LEDGER_STREAM_PREFIXES,
  describeConnection,
  positionOf,
  toRecordedEvent,
  uniqueEvents,
} from './eventStoreDbMapping';
import { IdempotentAppends } from './eventStoreDbIdempotentAppend';
import { followAll } from './eventStoreDbSubscription';

export interface EventStoreDbOptions {
  /** Bound on a whole append (read, write, retries); CSS gives a callback 20 s. Default 5000 ms. */
  appendTimeoutMs?: number;
  /** Bound on readStream and readAll. Default 10000 ms. */
  readTimeoutMs?: number;
  /** Bound on checkHealth. Default 2000 ms. */
  healthTimeoutMs?: number;
  /** Stream-name prefixes readAll and subscribeToAll deliver; default: the ledger's categories (`session-`, ...). */
  streamPrefixes?: readonly string[];
  /** Where subscription drops (warn) and retried calls (debug) are reported; default: pino on stdout. */
  logger?: Logger;
}

/** `readAll` returns at most this many events when no `maxCount` is given (as the port says). */
const READ_ALL_DEFAULT_MAX_COUNT = 1000;
/** Rounds of a call that found the server unreachable: the client reconnects (or finds the new leader) on the next one. */
const MAX_CALL_ROUNDS = 4;
const RECONNECT_PAUSE_MS = 100;

export class EventStoreDbEventStore implements EventStore {
  readonly description: string;
  private closed = false;
  /** Aborted by close(): ends every running subscription. */
  private readonly closing = new AbortController();
  private readonly appends: IdempotentAppends;
  private readonly appendTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly healthTimeoutMs: number;
  private readonly streamPrefixes: readonly string[];
  private readonly logger: Logger;

  /** Creates the client; it connects lazily, so this succeeds while the server is down (checkHealth tells). */
  static connect(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), describeConnection(connectionString), options);
  }

  private constructor(
    private readonly client: EventStoreDBClient,
    description: string,
    options: EventStoreDbOptions,
  ) {
    this.description = description;
    this.appendTimeoutMs = positive('appendTimeoutMs', options.appendTimeoutMs ?? 5000);
    this.readTimeoutMs = positive('readTimeoutMs', options.readTimeoutMs ?? 10_000);
    this.healthTimeoutMs = positive('healthTimeoutMs', options.healthTimeoutMs ?? 2000);
    this.streamPrefixes = options.streamPrefixes ?? LEDGER_STREAM_PREFIXES;
    this.logger = options.logger ?? pino({ base: { component: 'eventstoredb' } });
    this.appends = new IdempotentAppends(client, description, this.logger);
  }

  async appendToStream(stream: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    const proposed = uniqueEvents(events);
    const expected = options.expectedRevision ?? 'any';
    const deadlineAt = performance.now() + this.appendTimeoutMs;
    try {
      return await withDeadline(this.appendTimeoutMs, (signal) =>
        this.appends.inTurn(stream, signal, () =>
          this.reconnecting(deadlineAt, signal, () => this.appends.appendNew(stream, proposed, expected, deadlineAt, signal)),
        ),
      );
    } catch (error) {
      throw this.translate(error, `append to ${stream}`, this.appendTimeoutMs);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = maxCountOf(options.maxCount);
    if (maxCount === 0) return [];
    const deadlineAt = performance.now() + this.readTimeoutMs;
    const read = (signal: AbortSignal) =>
      collect(this.client.readStream(stream, { fromRevision: options.fromRevision ?? START, ...(maxCount !== undefined && { maxCount }) }), signal);
    try {
      const resolved = await withDeadline(this.readTimeoutMs, (signal) => this.reconnecting(deadlineAt, signal, () => read(signal)));
      return resolved.flatMap((r) => toRecordedEvent(r) ?? []);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw this.translate(error, `read ${stream}`, this.readTimeoutMs);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = maxCountOf(options.maxCount) ?? READ_ALL_DEFAULT_MAX_COUNT;
    if (maxCount === 0) return [];
    const deadlineAt = performance.now() + this.readTimeoutMs;
    try {
      return await withDeadline(this.readTimeoutMs, (signal) =>
        this.reconnecting(deadlineAt, signal, () => this.readAllAfter(options.after ?? 0n, maxCount, deadlineAt, signal)),
      );
    } catch (error) {
      throw this.translate(error, 'read $all', this.readTimeoutMs);
    }
  }

  /** The commit position of the last event of this service's streams (a backwards read of one, filtered as readAll is). */
  async headPosition(): Promise<bigint> {
    this.assertOpen();
    const deadlineAt = performance.now() + this.readTimeoutMs;
    const read = (signal: AbortSignal) =>
      collect(readAllFiltered(this.client, { from: 'end', maxCount: 1, prefixes: this.streamPrefixes, deadlineMs: Math.max(1, deadlineAt - performance.now()) }), signal);
    try {
      const last = await withDeadline(this.readTimeoutMs, (signal) => this.reconnecting(deadlineAt, signal, () => read(signal)));
      return last.length === 0 ? 0n : (positionOf(last[0]!) ?? 0n);
    } catch (error) {
      throw this.translate(error, 'read the head of $all', this.readTimeoutMs);
    }
  }

  /**
   * Every event comes whole, `typesWithData` or not: the server's filter by event type would drop the others, and a
   * follower must still pass over them to reach the head.
   */
  subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    return this.follow(options.after ?? 0n, options.signal);
  }

  private async *follow(after: bigint, callerSignal: AbortSignal | undefined): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const stop = callerSignal ? AbortSignal.any([callerSignal, this.closing.signal]) : this.closing.signal;
    yield* followAll(this.client, { after, stop, prefixes: this.streamPrefixes, logger: this.logger, description: this.description });
  }

  /** A cheap read of $all (its last event) under a short deadline: proves the server answers. */
  async checkHealth(): Promise<void> {
    this.assertOpen();
    const deadlineAt = performance.now() + this.healthTimeoutMs;
    try {
      await withDeadline(this.healthTimeoutMs, (signal) =>
        this.reconnecting(deadlineAt, signal, () =>
          collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }), signal),
        ),
      );
    } catch (error) {
      throw this.translate(error, 'health check', this.healthTimeoutMs);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    await this.client.dispose(); // cancels open reads and subscriptions
  }

  /**
   * Runs `call` again when it found the server unreachable and the deadline leaves room. The client drops a
   * failed channel and connects afresh (to the new leader, after a NotLeader answer) on the next call, so the
   * first call after a server restart or a leader election need not fail. Safe for appends: every round
   * re-reads the stream before writing, so a write that did land is not repeated. `deadlineAt` is on the monotonic
   * clock (`performance.now()`): a system clock set forward would end a call's rounds at once.
   */
  private async reconnecting<T>(deadlineAt: number, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    for (let round = 1; ; round++) {
      try {
        return await call();
      } catch (error) {
        const pause = RECONNECT_PAUSE_MS * round;
        const worthAnotherRound = round < MAX_CALL_ROUNDS && deadlineAt - performance.now() > pause + 50;
        if (this.closed || signal.aborted || !isUnreachable(error) || !worthAnotherRound) throw error;
        this.logger.debug({ err: error, round }, `${this.description} unreachable, trying again in ${pause} ms`);
        await sleep(pause, signal);
      }
    }
  }

  /**
   * Positions: `after` is the commit position of an event we returned (or 0n, the start). $all positions
   * are {commit, prepare} pairs and a forward read from one is inclusive, so we read from
   * {commit: after, prepare: after} and skip events whose commit position is <= after.
   */
  private async readAllAfter(after: bigint, maxCount: number, deadlineAt: number, signal: AbortSignal): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let from = after;
    while (events.length < maxCount) {
      const want = maxCount - events.length + 1; // + the event at `from` itself, which the read includes
      const page = await collect(
        readAllFiltered(this.client, {
          from: from > 0n ? { commit: from, prepare: from } : 'start',
          maxCount: want,
          prefixes: this.streamPrefixes,
          deadlineMs: Math.max(1, deadlineAt - performance.now()),
        }),
        signal,
      );
      for (const resolved of page) {
        const position = positionOf(resolved);
        if (position === undefined || position <= from) continue;
        from = position;
        const event = toRecordedEvent(resolved); // undefined for system events in our streams (a tombstone)
        if (event) events.push(event);
        if (events.length === maxCount) break;
      }
      if (page.length < want) break; // the end of $all
    }
    return events;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(`${this.description} is closed`);
  }

  /** Errors of the request itself pass through; everything about the server becomes StoreUnavailableError. */
  private translate(error: unknown, what: string, timeoutMs: number): unknown {
    if (
      error instanceof StoreUnavailableError ||
      error instanceof WrongExpectedRevisionError ||
      error instanceof TypeError ||
      error instanceof RangeError ||
      error instanceof MaxAppendSizeExceededError ||
      error instanceof InvalidArgumentError
    ) {
      return error;
    }
    if (error instanceof DeadlineError || error instanceof DeadlineExceededError || grpcCode(error) === GrpcStatus.DEADLINE_EXCEEDED) {
      return new StoreUnavailableError(`${this.description} timed out after ${timeoutMs} ms (${what})`, { cause: error });
    }
    if (this.closed) return new StoreUnavailableError(`${this.description} is closed (${what})`, { cause: error });
    if (isUnreachable(error)) {
      return new StoreUnavailableError(`${this.description} is unreachable (${what}): ${errorMessage(error)}`, { cause: error });
    }
    return new StoreUnavailableError(`${this.description}: ${what} failed: ${errorMessage(error)}`, { cause: error });
  }
}

function maxCountOf(maxCount: number | undefined): number | undefined {
  if (maxCount === undefined) return undefined;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  return maxCount;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}

