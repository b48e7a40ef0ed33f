// One read-model file (DATA_DIR/readmodels/<name>/v<version>.<generation>.db): its metadata, its guarded checkpoint, its rows.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RecordedEvent } from '../eventstore/eventStore';
import { firstEventOf } from '../eventstore/logAtStart';
import { WAL_AUTOCHECKPOINT_PAGES } from '../eventstore/sqlite/sqliteEventLog';
import { FatalProcessingError } from './processor';
import type { OpenProjection, ProjectionDefinition, ReadModelDatabase } from './projectionDefinition';

/** building: a shadow fills it, nobody reads it yet; live: it serves; retired: replaced, to be deleted. */
export type FileState = 'building' | 'live' | 'retired';

export interface FileMeta {
  name: string;
  version: number;
  generation: number;
  state: FileState;
  /** The first event of the log the file was built from (logAtStart.ts); null until it applied one. */
  logFirstEvent: string | null;
}

export interface Checkpoint {
  position: bigint;
  /** Events the file's checkpoint has passed over, from its build's start: the log's count once caught up. */
  eventsApplied: number;
}

const PROCESSING_SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_model (
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    state         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    log_first_event TEXT
  ) STRICT;
  -- One row: the last applied global position, written in the same transaction as the rows it covers.
  CREATE TABLE IF NOT EXISTS checkpoint (
    position       INTEGER NOT NULL,
    events_applied INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
  ) STRICT;
`;

export const fileNameOf = (version: number, generation: number): string => `v${version}.${generation}.db`;

/** `v4.2.db` → version 4, generation 2; null for anything else (-wal, -shm, a file set aside). */
export function parseFileName(name: string): { version: number; generation: number } | null {
  const match = /^v(\d+)\.(\d+)\.db$/.exec(name);
  return match === null ? null : { version: Number(match[1]), generation: Number(match[2]) };
}

/** Another processor moved the checkpoint since this one read it: two writers believe they own the file. */
export class CheckpointConflictError extends FatalProcessingError {
  override name = 'CheckpointConflictError';
}

export function readMeta(db: ReadModelDatabase): FileMeta | null {
  // `*`: a file made before log_first_event has no such column.
  const row = db
    .prepare<[], Omit<FileMeta, 'logFirstEvent'> & { log_first_event?: string | null }>('SELECT * FROM read_model')
    .get();
  if (row === undefined) return null;
  return { name: row.name, version: row.version, generation: row.generation, state: row.state, logFirstEvent: row.log_first_event ?? null };
}

/** Gives a file made before log_first_event the column (empty): the next start-up records the log in place. */
function addLogColumn(db: ReadModelDatabase): void {
  const columns = db.prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)').all('read_model');
  if (columns.length > 0 && !columns.some((column) => column.name === 'log_first_event')) {
    db.exec('ALTER TABLE read_model ADD COLUMN log_first_event TEXT');
  }
}

/** Records which log a file's events come from (start-up, for a file that does not say yet). */
export function recordLogFirstEvent(db: ReadModelDatabase, id: string): void {
  addLogColumn(db);
  db.prepare('UPDATE read_model SET log_first_event = ?').run(id);
}

export function readCheckpoint(db: ReadModelDatabase): Checkpoint {
  const row = db
    .prepare<[], { position: bigint; events_applied: bigint }>('SELECT position, events_applied FROM checkpoint')
    .safeIntegers(true)
    .get();
  return row === undefined ? { position: 0n, eventsApplied: 0 } : { position: row.position, eventsApplied: Number(row.events_applied) };
}

/** Durable against a process crash and a power loss (WAL, synchronous NORMAL): what a live file needs. */
function servingPragmas(db: ReadModelDatabase): void {
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma('cache_size = -16384'); // 16 MiB
}

/**
 * How a file nobody reads yet is written. `bulk` (the rebuild command, nothing else on the disk): its pages reach the
 * disk when the kernel writes them back. `steady` (beside a serving service): each of its WAL checkpoints (every
 * 1,000 pages) is written through to the disk. In bulk the kernel writes hundreds of megabytes back at once, every
 * half a minute, and the queries on the live files wait behind that.
 */
export type BuildWrites = 'bulk' | 'steady';

/**
 * A file nobody reads yet: a process crash still loses nothing committed (WAL), a power loss may damage it, and
 * the start-up check then sets it aside and builds again. In bulk its page cache is 32 MiB: the rebuild command builds
 * ten files at once, and at 128 MiB each it held 0.9 GB more on the scale data set, no faster. Beside a serving service
 * (one file at a time) it stays 128 MiB: its pages spilled to the WAL sooner would be more writes for the queries to
 * wait behind.
 */
function buildingPragmas(db: ReadModelDatabase, writes: BuildWrites): void {
  db.pragma(`synchronous = ${writes === 'steady' ? 'NORMAL' : 'OFF'}`);
  db.pragma(`cache_size = -${writes === 'steady' ? 131_072 : 32_768}`); // KiB: 128 or 32 MiB
}

/**
 * How stale a live file's stored checkpoint may grow while batches pass that hold nothing it handles. Those batches cost
 * no transaction: the checkpoint moves in memory, and reaches the file with the next batch it handles, at the first such
 * batch this long after the last write, or when the file is closed. A crash meanwhile replays those events into nothing.
 */
export const UNHANDLED_CHECKPOINT_MS = 1_000;

/** A read-model file opened for writing by a processor, with its definition's projection. */
export class ProjectionFile<Change = unknown> {
  readonly db: ReadModelDatabase;
  private meta: FileMeta;
  private current: Checkpoint;
  /** The checkpoint as the file holds it, and when it was written (monotonic ms; -Infinity: read at open): `current` may be ahead. */
  private stored: Checkpoint;
  private storedAt = -Infinity;
  /** The log's first event, applied and not yet recorded in the file (with the next checkpoint it writes). */
  private firstEventSeen: string | null = null;
  private readonly projection: OpenProjection<Change>;
  private readonly handles: ReadonlySet<string>;
  private readonly advance;
  private readonly applyInTransaction: (events: readonly RecordedEvent[], handled: readonly RecordedEvent[]) => { changes: Change[]; next: Checkpoint };

  /** Creates the file of a new build: tables (without the listing indexes, made at the end), metadata, checkpoint 0. */
  static create<C>(folder: string, definition: ProjectionDefinition<C>, generation: number, state: FileState, writes: BuildWrites = 'bulk'): ProjectionFile<C> {
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, fileNameOf(definition.version, generation));
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
    const db = openWritable(file);
    db.transaction(() => {
      db.exec(PROCESSING_SCHEMA);
      for (const table of definition.tables) db.exec(table.ddl(state !== 'building'));
      db.prepare('INSERT INTO read_model (name, version, generation, state, created_at) VALUES (?, ?, ?, ?, ?)').run(
        definition.name, definition.version, generation, state, Date.now(),
      );
      db.prepare('INSERT INTO checkpoint (position, events_applied, updated_at) VALUES (0, 0, ?)').run(Date.now());
    })();
    return new ProjectionFile(file, db, definition, writes);
  }

  /** Opens an existing file of this definition's version; `writes` is how it is written while it builds. */
  static open<C>(file: string, definition: ProjectionDefinition<C>, writes: BuildWrites = 'bulk'): ProjectionFile<C> {
    return new ProjectionFile(file, openWritable(file), definition, writes);
  }

  private constructor(
    readonly file: string,
    db: ReadModelDatabase,
    readonly definition: ProjectionDefinition<Change>,
    writes: BuildWrites,
  ) {
    this.db = db;
    const meta = readMeta(db);
    if (meta === null || meta.name !== definition.name || meta.version !== definition.version) {
      db.close();
      throw new Error(`${file} is not a file of read model ${definition.name} version ${definition.version}`);
    }
    addLogColumn(db);
    this.meta = meta;
    if (meta.state === 'building') buildingPragmas(db, writes);
    else servingPragmas(db);
    this.current = this.stored = readCheckpoint(db);
    this.handles = new Set(definition.canHandle);
    this.projection = definition.open(db);
    const guarded = db.prepare<[bigint, number, number, bigint]>(
      'UPDATE checkpoint SET position = ?, events_applied = ?, updated_at = ? WHERE position = ?',
    );
    const recordFirstEvent = db.prepare<[string]>('UPDATE read_model SET log_first_event = ?');
    this.advance = (previous: Checkpoint, next: Checkpoint) => {
      if (guarded.run(next.position, next.eventsApplied, Date.now(), previous.position).changes !== 1) {
        throw new CheckpointConflictError(
          `read model ${definition.name} (${file}) was moved past position ${previous.position} by another writer: ` +
            'two processors believe they own it, so this one stops (is a second service running on the same files?)',
        );
      }
      if (this.firstEventSeen !== null) recordFirstEvent.run(this.firstEventSeen);
    };
    this.applyInTransaction = db.transaction((events: readonly RecordedEvent[], handled: readonly RecordedEvent[]) => {
      const changes = handled.length === 0 ? [] : this.projection.apply(handled);
      const next = { position: events[events.length - 1]!.position, eventsApplied: this.current.eventsApplied + events.length };
      this.advance(this.stored, next);
      return { changes, next };
    });
  }

  get name(): string {
    return this.definition.name;
  }

  get generation(): number {
    return this.meta.generation;
  }

  get state(): FileState {
    return this.meta.state;
  }

  get checkpoint(): Checkpoint {
    return this.current;
  }

  /** Reads the checkpoint again: another connection (a build's thread) moves it while this one waits. */
  reloadCheckpoint(): void {
    this.current = this.stored = readCheckpoint(this.db);
  }

  /** Applies the events after its checkpoint, rows and checkpoint in one transaction; the changes, once committed. */
  apply(events: readonly RecordedEvent[]): Change[] {
    const checkpoint = this.current.position;
    const fresh = events[0]!.position > checkpoint ? events : events.filter((e) => e.position > checkpoint);
    if (fresh.length === 0) return [];
    // A file's first event is the log's first (it reads from the start): it names the log the file is built from.
    if (checkpoint === 0n && this.meta.logFirstEvent === null) this.firstEventSeen ??= firstEventOf(fresh[0]!);
    const handled = fresh.filter((event) => this.handles.has(event.type));
    if (handled.length === 0 && this.meta.state === 'live' && performance.now() - this.storedAt < UNHANDLED_CHECKPOINT_MS) {
      this.current = { position: fresh[fresh.length - 1]!.position, eventsApplied: this.current.eventsApplied + fresh.length };
      return [];
    }
    let outcome: { changes: Change[]; next: Checkpoint };
    try {
      outcome = this.applyInTransaction(fresh, handled);
    } catch (error) {
      this.projection.rolledBack?.();
      throw error;
    }
    this.projection.committed?.();
    if (this.firstEventSeen !== null) {
      this.meta = { ...this.meta, logFirstEvent: this.firstEventSeen };
      this.firstEventSeen = null;
    }
    this.current = this.stored = outcome.next;
    this.storedAt = performance.now();
    return outcome.changes;
  }

  /**
   * Creates the listing indexes a build left out (IF NOT EXISTS: an interrupted build may have made some), each in a
   * transaction of its own: written through one at a time (`steady`), not as one burst of hundreds of MB.
   */
  createQueryIndexes(): void {
    for (const table of this.definition.tables) for (const index of table.queryIndexes()) this.db.exec(index.ddl);
  }

  /** Built and caught up: from now on it serves, durably. */
  markLive(): void {
    this.setState('live');
    servingPragmas(this.db);
  }

  markRetired(): void {
    this.setState('retired');
  }

  /** Writes the checkpoint where it stands in memory (past batches it had nothing to do with), then closes the file. */
  close(): void {
    if (!this.db.open) return;
    try {
      if (this.current.position !== this.stored.position) this.advance(this.stored, this.current);
      this.stored = this.current;
    } catch (error) {
      // Another writer moved it on: the file is its own now, and what this one skipped changed no row.
      if (!(error instanceof CheckpointConflictError)) throw error;
    } finally {
      this.db.close();
    }
  }

  private setState(state: FileState): void {
    this.db.prepare('UPDATE read_model SET state = ?').run(state);
    this.meta = { ...this.meta, state };
  }
}

function openWritable(file: string): ReadModelDatabase {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * How much of a served file each query connection keeps in its page cache, unless its read model says otherwise
 * (`ReadModel.readCacheKiB`). A lookup or a page of a listing reads a handful of pages, which the kernel's cache gives
 * back in microseconds. With SQLite's default of 16 MiB for each of the service's query connections, the query
 * benchmark on the scale data set peaked ~30 MB higher, for answers no faster.
 */
export const QUERY_CACHE_KIB = 2048;

/**
 * Opens a read-model file for queries; its connection never writes (query_only: a read-only open fails on a WAL file
 * without its -shm). `cacheKiB` sizes its page cache (SQLite's default, 16 MiB, when left out).
 */
export function openForReading(file: string, cacheKiB?: number): ReadModelDatabase {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('query_only = ON');
  if (cacheKiB !== undefined) db.pragma(`cache_size = -${cacheKiB}`);
  return db;
}

/** Deletes a file with its -wal and -shm. */
export function removeFile(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** What a file being deleted is renamed to first: no read model's name, and start-up finishes deleting it. */
export const REMOVING_SUFFIX = '.removing';
/** How much of a file being deleted is freed at a time, and the pause between steps. */
const SHRINK_STEP_BYTES = 32 * 1024 * 1024;
const SHRINK_PAUSE_MS = 10;

/**
 * removeFile for a file of gigabytes beside threads that answer. Freeing a file's blocks holds the filesystem's journal,
 * and every thread that needs it meanwhile waits: a 1.9 GB file deleted at once held the service's threads for ~1.1 s.
 * Renamed aside first (a start-up finds no half-freed read model), then shrunk a few tens of MB at a time, then deleted;
 * on libuv's pool, off the calling thread.
 */
export async function removeFileAside(file: string): Promise<void> {
  const aside = `${file}${REMOVING_SUFFIX}`;
  try {
    await fs.promises.rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const suffix of ['-wal', '-shm']) await fs.promises.rm(`${file}${suffix}`, { force: true });
  let size = await fs.promises.stat(aside).then((stat) => stat.size, () => 0);
  while (size > 0) {
    size = Math.max(0, size - SHRINK_STEP_BYTES);
    await fs.promises.truncate(aside, size);
    await new Promise((resolve) => setTimeout(resolve, SHRINK_PAUSE_MS));
  }
  await fs.promises.rm(aside, { force: true });
}
