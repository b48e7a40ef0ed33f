// The embedded event store: one SQLite file, WAL mode, group-committed appends, polled subscriptions.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreUnavailableError,
  SubscribeToAllOptions,
  WrongExpectedRevisionError,
} from './eventStore';
import { CorruptEventLogError, refuseCorruptEventLog } from './corruptEventLog';
import { isCorruptionError } from './sqliteFileCheck';

export interface SqliteEventStoreOptions {
  /** How often a caught-up subscription re-reads the file, to see appends made by other processes; default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * How long a write waits for another connection's lock before its batch fails with
   * StoreUnavailableError; default 5000 ms. better-sqlite3 is synchronous: the wait blocks the event loop.
   */
  busyTimeoutMs?: number;
  /** Check the file for damage before opening it (the first opener at start-up): a damaged log is refused, never changed. */
  checkIntegrity?: boolean;
}

/** Counters for observability and metrics (read-only snapshot; `appends / commits` is the group-commit factor). */
export interface SqliteEventStoreStats {
  /** Batch transactions committed, i.e. fsyncs paid by appends. */
  readonly commits: number;
  /** Append calls that resolved successfully. */
  readonly appends: number;
  /** Batches rolled back as a whole (every append in them rejected with StoreUnavailableError). */
  readonly failedBatches: number;
}

/** `readAll` returns at most this many events when no `maxCount` is given. */
export const READ_ALL_DEFAULT_MAX_COUNT = 1000;
const SUBSCRIPTION_BATCH_SIZE = 500;
const SCHEMA_VERSION = 1;

const SCHEMA_V1 = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, so checkpoints stay valid
    event_id    TEXT NOT NULL,
    stream      TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,    -- JSON
    metadata    TEXT NOT NULL,    -- JSON
    recorded_at INTEGER NOT NULL, -- unix ms
    UNIQUE (stream, revision),
    UNIQUE (stream, event_id)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS streams (
    stream   TEXT PRIMARY KEY,
    revision INTEGER NOT NULL     -- revision of the stream's last event
  ) STRICT, WITHOUT ROWID;
`;

interface EventRow {
  position: bigint;
  event_id: string;
  stream: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
  recorded_at: bigint;
}

/** An event serialized once, when the append is called, so the flush only binds strings. */
export interface SerializedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

interface PendingAppend {
  stream: string;
  events: SerializedEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

const EVENT_COLUMNS = 'position, event_id, stream, revision, type, data, metadata, recorded_at';

export class SqliteEventStore implements EventStore {
  readonly description: string;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private queue: PendingAppend[] = [];
  private scheduledFlush: NodeJS.Immediate | undefined;
  /** Bumped after every commit that wrote events; a subscription compares it before it sleeps. */
  private generation = 0;
  private readonly waiters = new Set<() => void>();
  private readonly counters = { commits: 0, appends: 0, failedBatches: 0 };
  private readonly pollIntervalMs: number;
  private readonly statements: Statements;
  private readonly appendInSavepoint: (append: PendingAppend, now: number) => AppendResult;
  private readonly commitBatch: (batch: PendingAppend[]) => Outcome[];

  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    const absolute = path.resolve(file);
    let db: Database.Database | undefined;
    try {
      fs.mkdirSync(path.dirname(absolute), { recursive: true });
      if (options.checkIntegrity === true) refuseCorruptEventLog(absolute);
      db = new Database(absolute);
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL'); // WAL is fsynced at every commit: an append is durable when it resolves
      migrate(db);
      return new SqliteEventStore(db, absolute, options);
    } catch (cause) {
      db?.close();
      if (cause instanceof SchemaTooNewError || cause instanceof CorruptEventLogError) throw cause;
      if (isCorruptionError(cause)) throw new CorruptEventLogError(absolute, `${(cause as { code: string }).code}: ${(cause as Error).message}`);
      const reason = cause instanceof Error ? `: ${cause.message}` : '';
      throw new StoreUnavailableError(`cannot open sqlite:${absolute}${reason}`, { cause });
    }
  }

  private constructor(
    private readonly db: Database.Database,
    file: string,
    options: SqliteEventStoreOptions,
  ) {
    this.description = `sqlite:${file}`;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.statements = prepareStatements(db);
    // Inside the batch transaction each append gets a savepoint, so a rejected append leaves no partial writes.
    this.appendInSavepoint = db.transaction((append: PendingAppend, now: number) => this.writeAppend(append, now));
    // IMMEDIATE takes the write lock up front, so a busy file fails at BEGIN instead of midway.
    this.commitBatch = db.transaction((batch: PendingAppend[]) => {
      const now = Date.now();
      return batch.map((append) => this.tryAppend(append, now));
    }).immediate;
  }

  get stats(): SqliteEventStoreStats {
    return { ...this.counters };
  }

  appendToStream(stream: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    let serialized: SerializedEvent[];
    try {
      serialized = serializeEvents(events);
    } catch (error) {
      return Promise.reject(error); // not JSON-serializable: only this append fails
    }
    return this.appendSerialized(stream, serialized, options);
  }

  /** appendToStream for events serialized by serializeEvents(), e.g. on another thread. */
  appendSerialized(stream: string, serialized: SerializedEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events: serialized, expected: options.expectedRevision ?? 'any', resolve, reject });
      this.scheduledFlush ??= setImmediate(() => this.flush());
    });
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = maxCountOf(options.maxCount, -1); // LIMIT -1: no limit
    return this.reading(() => this.statements.readStream.all(stream, options.fromRevision ?? 0n, limit).map(toRecorded));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = maxCountOf(options.maxCount, READ_ALL_DEFAULT_MAX_COUNT);
    return this.reading(() => this.readAllNow(options.after ?? 0n, limit));
  }

  async headPosition(): Promise<bigint> {
    return this.reading(() => this.statements.head.get() ?? 0n);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    return this.follow(options.after ?? 0n, options.signal);
  }

  /** Wakes caught-up subscriptions now: another connection to the same file has appended. */
  noticeAppendElsewhere(): void {
    this.generation++;
    this.wakeSubscriptions();
  }

  async checkHealth(): Promise<void> {
    this.reading(() => this.statements.ping.get());
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    if (this.scheduledFlush) {
      // Appends accepted before close still get their answer.
      clearImmediate(this.scheduledFlush);
      this.flush();
    }
    this.state = 'closed';
    this.wakeSubscriptions();
    this.db.close();
  }

  private flush(): void {
    this.scheduledFlush = undefined;
    const batch = this.queue;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (cause) {
      this.counters.failedBatches++;
      for (const append of batch) {
        append.reject(new StoreUnavailableError(`${this.description}: append to ${append.stream} not stored`, { cause }));
      }
      return;
    }
    this.counters.commits++;
    let wrote = false;
    outcomes.forEach((outcome, i) => {
      const append = batch[i]!;
      if (!outcome.ok) return append.reject(outcome.error);
      this.counters.appends++;
      wrote ||= outcome.result.appended.length > 0;
      append.resolve(outcome.result);
    });
    if (wrote) {
      this.generation++;
      this.wakeSubscriptions();
    }
  }

  /** Runs one append in its savepoint; errors caused by the request itself fail only that append. */
  private tryAppend(append: PendingAppend, now: number): Outcome {
    try {
      // One event needs no savepoint: every check that can reject it runs before its only insert.
      const result = append.events.length === 1 ? this.writeAppend(append, now) : this.appendInSavepoint(append, now);
      return { ok: true, result };
    } catch (error) {
      if (!isRequestError(error)) throw error; // I/O, busy, full: the whole batch fails
      return { ok: false, error };
    }
  }

  private writeAppend({ stream, events, expected }: PendingAppend, now: number): AppendResult {
    const { hasEvent, streamRevision, insertEvent, setStreamRevision } = this.statements;
    const fresh: SerializedEvent[] = [];
    const duplicates: string[] = [];
    for (const event of events) {
      if (hasEvent.get(stream, event.id) === undefined) fresh.push(event);
      else duplicates.push(event.id);
    }
    const current = streamRevision.get(stream);
    if (fresh.length === 0) {
      return { nextExpectedRevision: current ?? -1n, position: undefined, appended: [], duplicates };
    }
    checkExpectedRevision(stream, expected, current);
    let revision = current ?? -1n;
    let position: bigint | undefined;
    for (const event of fresh) {
      revision++;
      const info = insertEvent.run(event.id, stream, revision, event.type, event.data, event.metadata, now);
      position = info.lastInsertRowid as bigint; // bigint: the statement has safeIntegers on
    }
    setStreamRevision.run(stream, revision);
    return { nextExpectedRevision: revision, position, appended: fresh.map((e) => e.id), duplicates };
  }

  private readAllNow(after: bigint, limit: number): RecordedEvent[] {
    return this.statements.readAll.all(after, limit).map(toRecorded);
  }

  private async *follow(after: bigint, signal: AbortSignal | undefined): AsyncGenerator<RecordedEvent> {
    let last = after;
    while (this.isFollowing(signal)) {
      const seen = this.generation; // taken before the read, so an append during our yields is not missed
      const batch = this.reading(() => this.readAllNow(last, SUBSCRIPTION_BATCH_SIZE));
      for (const event of batch) {
        yield event;
        last = event.position;
        if (!this.isFollowing(signal)) return;
      }
      if (batch.length < SUBSCRIPTION_BATCH_SIZE) await this.waitForAppend(seen, signal);
    }
  }

  private isFollowing(signal: AbortSignal | undefined): boolean {
    return this.state === 'open' && !signal?.aborted;
  }

  /** Resolves on an append by this instance, the poll interval (appends by other processes), abort, or close. */
  private waitForAppend(seen: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.generation !== seen || !this.isFollowing(signal)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wakeSubscriptions(): void {
    for (const wake of this.waiters) wake();
  }

  /** Runs a read, translating "closed" and driver failures into StoreUnavailableError. */
  private reading<T>(read: () => T): T {
    if (this.state === 'closed') throw this.closedError();
    try {
      return read();
    } catch (cause) {
      if (cause instanceof Database.SqliteError) throw new StoreUnavailableError(`${this.description}: read failed`, { cause });
      throw cause;
    }
  }

  private closedError(): StoreUnavailableError {
    return new StoreUnavailableError(`${this.description} is closed`);
  }
}

/** Prepared once per connection: the append path only binds values. */
function prepareStatements(db: Database.Database) {
  return {
    hasEvent: db.prepare<[string, string], number>('SELECT 1 FROM events WHERE stream = ? AND event_id = ?').pluck(),
    streamRevision: db
      .prepare<[string], bigint>('SELECT revision FROM streams WHERE stream = ?')
      .pluck()
      .safeIntegers(true),
    insertEvent: db
      .prepare<[string, string, bigint, string, string, string, number]>(
        'INSERT INTO events (event_id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .safeIntegers(true),
    setStreamRevision: db.prepare<[string, bigint]>(
      'INSERT INTO streams (stream, revision) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision',
    ),
    readStream: db
      .prepare<[string, bigint, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      )
      .safeIntegers(true),
    readAll: db
      .prepare<[bigint, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`)
      .safeIntegers(true),
    ping: db.prepare('SELECT 1').pluck(),
    // The rowid's max: one step down the B-tree.
    head: db.prepare<[], bigint>('SELECT coalesce(max(position), 0) FROM events').pluck().safeIntegers(true),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

/** Creates the schema once per file; `user_version` records what is there, for later migrations. */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new SchemaTooNewError(`${db.name} has schema version ${version}; this build knows up to ${SCHEMA_VERSION}`);
    }
    if (version < 1) {
      db.exec(SCHEMA_V1);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }).immediate();
}

/** Serializes once and drops repeated ids within the call: the first occurrence is the one stored. */
export function serializeEvents(events: NewEvent[]): SerializedEvent[] {
  if (events.length === 1) return [serializeEvent(events[0]!)]; // a callback: nothing to drop, no set to build
  const seen = new Set<string>();
  const serialized: SerializedEvent[] = [];
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    serialized.push(serializeEvent(event));
  }
  return serialized;
}

function serializeEvent(event: NewEvent): SerializedEvent {
  const metadata = event.metadata === undefined ? '{}' : JSON.stringify(event.metadata);
  return { id: event.id, type: event.type, data: JSON.stringify(event.data), metadata };
}

function checkExpectedRevision(stream: string, expected: ExpectedRevision, current: bigint | undefined): void {
  if (expected === 'any') return;
  const matches = expected === 'no_stream' ? current === undefined : current === expected;
  if (!matches) throw new WrongExpectedRevisionError(stream, expected, current ?? 'no_stream');
}

/** Errors that belong to one append (revision conflict, bad values, constraints) rather than to the store. */
function isRequestError(error: unknown): boolean {
  if (error instanceof WrongExpectedRevisionError || error instanceof TypeError || error instanceof RangeError) return true;
  return error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT');
}

function maxCountOf(maxCount: number | undefined, fallback: number): number {
  if (maxCount === undefined) return fallback;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  return maxCount;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: new Date(Number(row.recorded_at)),
  };
}
