// One connection to the embedded event log (one SQLite file, WAL): schema, group commits of serialized appends, reads.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError, WrongExpectedRevisionError, type AppendResult, type ExpectedRevision, type NewEvent, type RecordedEvent } from '../eventStore';
import { limitBy } from './boundLimit';
import { bound } from './boundValue';
import { CorruptEventLogError, refuseCorruptEventLog } from './corruptEventLog';
import { firstChanged, openedFiles, type OpenedFiles } from './fileIdentity';
import { isCorruptionError } from './sqliteFileCheck';

export interface SqliteEventLogOptions {
  /**
   * How long a write waits for another connection's lock before its batch fails with
   * StoreUnavailableError; default 5000 ms. better-sqlite3 is synchronous: the wait blocks the event loop.
   */
  busyTimeoutMs?: number;
  /** Check the file for damage before opening it (the first opener at start-up): a damaged log is refused, never changed. */
  checkIntegrity?: boolean;
}

/** 1: events and a table of each stream's last revision; 2: events alone (a stream's last revision is one step down its index). */
const SCHEMA_VERSION = 2;

const SCHEMA = `
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
`;

/**
 * The WAL length (pages) at which a commit copies it back into the database itself. The service checkpoints its
 * files from another thread meanwhile (processing/walCheckpoints.ts), so that commit copies only what was written
 * since; but a WAL starts over only once wholly copied back, and beside a writer that commits every few ms only the
 * writer's own checkpoint gets it there: a steady stream of callbacks waits for one at each 10,000 pages.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** An event serialized once, when the append is called, so the commit only binds strings. */
export interface SerializedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

/** One append of a batch, as the commit takes it. */
export interface SerializedAppend {
  stream: string;
  events: SerializedEvent[];
  expected: ExpectedRevision;
}

/** Each append's own answer: stored (or found), or refused on its own (a revision conflict, a bad value). */
export type AppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** What became of a batch: committed (each append with its own outcome), or failed as a whole (each append refused). */
export interface BatchOutcome {
  committed: boolean;
  outcomes: AppendOutcome[];
}

const EVENT_COLUMNS = 'position, event_id, stream, revision, type, data, metadata, recorded_at';

export class SqliteEventLog {
  readonly description: string;
  private readonly statements: Statements;
  private readonly appendInSavepoint: (append: SerializedAppend, now: number) => AppendResult;
  private readonly commitBatch: (batch: SerializedAppend[]) => AppendOutcome[];

  static open(file: string, options: SqliteEventLogOptions = {}): SqliteEventLog {
    const absolute = path.resolve(file);
    let db: Database.Database | undefined;
    try {
      fs.mkdirSync(path.dirname(absolute), { recursive: true });
      if (options.checkIntegrity === true) refuseCorruptEventLog(absolute);
      db = new Database(absolute);
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL'); // WAL is fsynced at every commit: an append is durable when it resolves
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      migrate(db);
      return new SqliteEventLog(db, absolute);
    } catch (cause) {
      db?.close();
      if (cause instanceof SchemaTooNewError || cause instanceof CorruptEventLogError) throw cause;
      if (isCorruptionError(cause)) throw new CorruptEventLogError(absolute, `${(cause as { code: string }).code}: ${(cause as Error).message}`);
      const reason = cause instanceof Error ? `: ${cause.message}` : '';
      throw new StoreUnavailableError(`cannot open sqlite:${absolute}${reason}`, { cause });
    }
  }

  /**
   * The log's file, its WAL and its WAL index as this connection opened them (device and inode). A connection opened
   * after the index was deleted builds one of its own, blind to this one's commits (a rebuild's reads would miss them).
   */
  private readonly opened: OpenedFiles;

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {
    this.description = `sqlite:${file}`;
    this.opened = openedFiles(file);
    this.statements = prepareStatements(db);
    // Inside the batch transaction each append gets a savepoint, so a rejected append leaves no partial writes.
    this.appendInSavepoint = db.transaction((append: SerializedAppend, now: number) => this.writeAppend(append, now));
    // IMMEDIATE takes the write lock up front, so a busy file fails at BEGIN instead of midway.
    this.commitBatch = db.transaction((batch: SerializedAppend[]) => {
      const now = Date.now();
      return batch.map((append) => this.tryAppend(append, now));
    }).immediate;
  }

  /** Commits the batch in one transaction (one fsync); a failure of the store itself refuses every append of it. */
  commit(batch: SerializedAppend[]): BatchOutcome {
    try {
      const outcomes = this.commitBatch(batch);
      // A commit to a deleted log succeeds, and is lost with the process: nothing is acknowledged that a restart would
      // not find (a retry of it is refused alike, duplicate or not).
      this.refuseMovedFile();
      return { committed: true, outcomes };
    } catch (cause) {
      // SQLite's reason ("database or disk is full", "disk I/O error") is what an operator acts on.
      const reason = cause instanceof Error ? `: ${cause.message}` : '';
      const refused = (append: SerializedAppend): AppendOutcome => ({
        ok: false,
        error: new StoreUnavailableError(`${this.description}: append to ${append.stream} not stored${reason}`, { cause }),
      });
      return { committed: false, outcomes: batch.map(refused) };
    }
  }

  readStream(stream: string, fromRevision: bigint, limit: number): RecordedEvent[] {
    return this.reading(() => this.statements.readStream.all(stream, fromRevision, limit).map(toRecorded));
  }

  /** Events after `after`; with `typesWithData`, the others hollow: their data and metadata are neither fetched nor parsed. */
  readAll(after: bigint, limit: number, typesWithData?: ReadonlySet<string>): RecordedEvent[] {
    if (typesWithData === undefined) return this.reading(() => this.statements.readAll.all(after, limit).map(toRecorded));
    const types = JSON.stringify([...typesWithData]);
    return this.reading(() => this.statements.readAllHollowing.all(types, types, after, limit).map(toRecorded));
  }

  head(): bigint {
    return this.reading(() => this.statements.head.get() ?? 0n);
  }

  /** Whether the log answers, and is still the file at its path. */
  ping(): void {
    this.reading(() => this.statements.ping.get());
    this.refuseMovedFile();
  }

  /** Throws StoreUnavailableError when the log's file, its WAL or its index is no longer the one at its path (deleted, moved, replaced). */
  private refuseMovedFile(): void {
    const moved = firstChanged(this.opened);
    if (moved === undefined) return;
    throw new StoreUnavailableError(
      `${this.description}: ${path.basename(moved)} was deleted, moved or replaced while the service ran; nothing more is stored, as a restart would not find it: put the log back in place and restart the service`,
    );
  }

  close(): void {
    this.db.close();
  }

  /** Runs one append in its savepoint; errors caused by the request itself fail only that append. */
  private tryAppend(append: SerializedAppend, now: number): AppendOutcome {
    try {
      // One event needs no savepoint: every check that can reject it runs before its only insert.
      const result = append.events.length === 1 ? this.writeAppend(append, now) : this.appendInSavepoint(append, now);
      return { ok: true, result };
    } catch (error) {
      if (!isRequestError(error)) throw error; // I/O, busy, full: the whole batch fails
      return { ok: false, error };
    }
  }

  private writeAppend({ stream, events, expected }: SerializedAppend, now: number): AppendResult {
    const { hasEvent, streamRevision, insertEvent } = this.statements;
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
    return { nextExpectedRevision: revision, position, appended: fresh.map((e) => e.id), duplicates };
  }

  /** Runs a read, translating driver failures (a closed connection among them) into StoreUnavailableError. */
  private reading<T>(read: () => T): T {
    if (!this.db.open) throw new StoreUnavailableError(`${this.description} is closed`);
    try {
      return read();
    } catch (cause) {
      if (cause instanceof Database.SqliteError) throw new StoreUnavailableError(`${this.description}: read failed`, { cause });
      throw cause;
    }
  }
}

interface EventRow {
  position: bigint;
  event_id: string;
  stream: string;
  revision: bigint;
  type: string;
  /** NULL in a hollow read. */
  data: string | null;
  metadata: string | null;
  recorded_at: bigint;
}

/** Prepared once per connection: the append path only binds values. */
function prepareStatements(db: Database.Database) {
  return {
    hasEvent: db.prepare<[string, string], number>('SELECT 1 FROM events WHERE stream = ? AND event_id = ?').pluck(),
    // The last entry of the stream's range of the (stream, revision) index: no table of its own to write with every append.
    streamRevision: db
      .prepare<[string], bigint>(`SELECT revision FROM events WHERE stream = ${bound('?')} ORDER BY revision DESC LIMIT 1`)
      .pluck()
      .safeIntegers(true),
    insertEvent: db
      .prepare<[string, string, bigint, string, string, string, number]>(
        'INSERT INTO events (event_id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .safeIntegers(true),
    readStream: db
      .prepare<[string, bigint, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ${bound('?')} AND revision >= ? ORDER BY revision ${limitBy('?')}`,
      )
      .safeIntegers(true),
    readAll: db
      .prepare<[bigint, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ${limitBy('?')}`)
      .safeIntegers(true),
    // The types' list is a JSON array, read once per statement; the other rows' data and metadata read as NULL.
    readAllHollowing: db
      .prepare<[string, string, bigint, number], EventRow>(
        `SELECT position, event_id, stream, revision, type,
           CASE WHEN type IN (SELECT value FROM json_each(?)) THEN data END AS data,
           CASE WHEN type IN (SELECT value FROM json_each(?)) THEN metadata END AS metadata,
           recorded_at
         FROM events WHERE position > ? ORDER BY position ${limitBy('?')}`,
      )
      .safeIntegers(true),
    ping: db.prepare('SELECT 1').pluck(),
    // The rowid's max: one step down the B-tree.
    head: db.prepare<[], bigint>('SELECT coalesce(max(position), 0) FROM events').pluck().safeIntegers(true),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
  readonly code = 'SCHEMA_TOO_NEW';
}

/** Creates the schema once per file; `user_version` records what is there, for later migrations. */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new SchemaTooNewError(`${db.name} has schema version ${version}; this build knows up to ${SCHEMA_VERSION}`);
    }
    if (version === SCHEMA_VERSION) return;
    // Version 1 kept each stream's last revision in a table of its own: a random page more written with every append.
    if (version === 1) db.exec('DROP TABLE IF EXISTS streams');
    else db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
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

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    data: row.data === null ? {} : JSON.parse(row.data),
    metadata: row.metadata === null ? {} : JSON.parse(row.metadata),
    recordedAt: new Date(Number(row.recorded_at)),
  };
}
