// The embedded event store in this thread: one SQLite file, WAL mode, group-committed appends, followed subscriptions.
import {
  StoreUnavailableError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
} from '../eventStore';
import { GroupCommit, type GroupCommitStats } from './groupCommit';
import { LogFollower } from './logFollower';
import { SqliteEventLog, type BatchOutcome, type SerializedAppend, type SqliteEventLogOptions } from './sqliteEventLog';

export interface SqliteEventStoreOptions extends SqliteEventLogOptions {
  /** How often a caught-up subscription re-reads the file, to see appends made by other processes; default 1000 ms. */
  pollIntervalMs?: number;
  /** With a writer thread: how long a commit may take before its appends are refused (StoreUnavailableError); none by default. */
  appendTimeoutMs?: number;
}

export type SqliteEventStoreStats = GroupCommitStats;

/** `readAll` returns at most this many events when no `maxCount` is given. */
export const READ_ALL_DEFAULT_MAX_COUNT = 1000;

/**
 * Reads, appends and subscriptions over one connection. Reading beside a writer on another thread (see
 * SqliteWriterThread) is the same connection with its batches committed on that thread (the constructor's `writerThread`).
 */
export class SqliteEventStore implements EventStore {
  readonly description: string;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private readonly appends: GroupCommit;
  private readonly follower: LogFollower;

  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    return new SqliteEventStore(SqliteEventLog.open(file, options), options);
  }

  /** `writerThread` commits the batches instead of this connection, and announces its commits itself. */
  protected constructor(
    protected readonly log: SqliteEventLog,
    options: SqliteEventStoreOptions,
    writerThread?: (batch: SerializedAppend[]) => Promise<BatchOutcome>,
  ) {
    this.description = log.description;
    this.follower = new LogFollower(log.file, (after, limit, typesWithData) => this.log.readAll(after, limit, typesWithData), options.pollIntervalMs ?? 1000);
    this.appends =
      writerThread === undefined
        ? new GroupCommit((batch) => log.commit(batch), () => this.follower.committed())
        : new GroupCommit(writerThread, undefined, options.appendTimeoutMs === undefined ? undefined : { timeoutMs: options.appendTimeoutMs, description: this.description });
  }

  get stats(): SqliteEventStoreStats {
    return this.appends.stats;
  }

  appendToStream(stream: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    return this.appends.append(stream, events, options.expectedRevision ?? 'any');
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = maxCountOf(options.maxCount, -1); // LIMIT -1: no limit
    return this.log.readStream(stream, options.fromRevision ?? 0n, limit);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = maxCountOf(options.maxCount, READ_ALL_DEFAULT_MAX_COUNT);
    return this.log.readAll(options.after ?? 0n, limit, options.typesWithData);
  }

  async headPosition(): Promise<bigint> {
    return this.log.head();
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    return this.follower.follow(options.after ?? 0n, options.signal, options.typesWithData);
  }

  async checkHealth(): Promise<void> {
    if (this.state !== 'open') throw this.closedError();
    if (this.appends.stalled !== null) throw this.appends.stalled;
    this.log.ping();
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    // Appends accepted before close still get their answer.
    await this.appends.flush();
    this.state = 'closed';
    this.follower.close();
    await this.closeLog();
  }

  protected async closeLog(): Promise<void> {
    this.log.close();
  }

  private closedError(): StoreUnavailableError {
    return new StoreUnavailableError(`${this.description} is closed`);
  }
}

function maxCountOf(maxCount: number | undefined, fallback: number): number {
  if (maxCount === undefined) return fallback;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  return maxCount;
}
