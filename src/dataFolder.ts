// DATA_DIR: a folder this process can write, held by one service (or one rebuild) at a time through a lock the OS releases when its holder dies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fileIdentity } from './eventstore/sqlite/fileIdentity';

/** DATA_DIR cannot be used: the message names the folder and the operating system's reason. */
export class DataFolderError extends Error {
  override name = 'DataFolderError';
}

/** Another process holds DATA_DIR: the message says which, and what to do. */
export class DataFolderInUseError extends Error {
  override name = 'DataFolderInUseError';
}

/** Errors that mean "not started, for this reason": one line is the whole story, without a stack. */
export const START_REFUSALS = new Set(['DataFolderError', 'DataFolderInUseError', 'CorruptEventLogError', 'ListenError', 'OpenFileLimitError']);

export type DataFolderUser = 'serve' | 'rebuild';

const LOCK_FILE = 'service.lock';
/** Who holds the lock, for the message of whoever is refused: the lock itself cannot be read while it is held. */
const HOLDER_FILE = 'service.lock.json';

export interface Holder {
  command: DataFolderUser;
  pid: number;
  host: string;
  since: string;
}

function refused(dir: string, error: unknown): DataFolderError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DataFolderError(`DATA_DIR ${dir} cannot be used: ${reason}`, { cause: error });
}

/**
 * Creates the folder and its missing parents, one level at a time. (Node's recursive mkdir never returns when a
 * parent refuses with ENOENT, as /proc does.) A file where the folder should be is ENOTDIR.
 */
function createFolder(dir: string, depth = 0): void {
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (fs.statSync(dir).isDirectory()) return;
      throw Object.assign(new Error(`ENOTDIR: it is a file, not a folder`), { code: 'ENOTDIR' });
    }
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw error;
    createFolder(parent, depth + 1);
    fs.mkdirSync(dir);
  }
}

/**
 * Creates DATA_DIR when missing and proves it writable (root passes permission checks: only a real write tells), and
 * the files and folders in it writable by this process, or throws DataFolderError with the folder and the OS's reason
 * (or what cannot be written). The probe is a file of its own: closing a descriptor of the lock file would drop this
 * process's lock on it (POSIX). `canWrite` is for the tests, which run as root.
 */
export function ensureDataFolder(dir: string, canWrite: (file: string) => boolean = writable): void {
  try {
    createFolder(dir);
    const probe = path.join(dir, `.write-check-${process.pid}`);
    fs.closeSync(fs.openSync(probe, 'w'));
    fs.rmSync(probe);
  } catch (error) {
    throw refused(dir, error);
  }
  const unwritable = unwritableEntries(dir, canWrite);
  if (unwritable.length > 0) throw new DataFolderError(unwritableMessage(dir, unwritable));
}

const writable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** How deep the files of DATA_DIR are looked at (`readmodels/<read model>/<file>`), and how many at most. */
const WRITABLE_CHECK_DEPTH = 3;
const WRITABLE_CHECK_MOST = 10_000;
/** What the service writes in DATA_DIR itself (with their SQLite companions, -wal, -shm, ...): anything else there is not its business. */
const OWN_ENTRIES = /^(events\.db|readmodels\.db|service\.lock)(-wal|-shm|-journal|\.json)?$|^(readmodels|forwarding)$/;

/**
 * The service's files and folders under `dir` this process cannot write (paths relative to it), symbolic links left
 * alone. A DATA_DIR left by a run as another user (root, say) would otherwise refuse at its first write with SQLite's
 * "attempt to write a readonly database", which names no file.
 */
function unwritableEntries(dir: string, canWrite: (file: string) => boolean): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (folder: string, depth: number) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (++seen > WRITABLE_CHECK_MOST) return;
      const file = path.join(folder, entry.name);
      if (depth === 1 && !OWN_ENTRIES.test(entry.name)) continue;
      if (entry.isSymbolicLink() || !(entry.isFile() || entry.isDirectory())) continue;
      if (!canWrite(file)) found.push(path.relative(dir, file));
      if (entry.isDirectory() && depth < WRITABLE_CHECK_DEPTH) walk(file, depth + 1);
    }
  };
  walk(dir, 1);
  return found;
}

function unwritableMessage(dir: string, unwritable: readonly string[]): string {
  const described = unwritable.slice(0, 5).map((file) => {
    const { uid, mode } = fs.lstatSync(path.join(dir, file));
    return `${file} (owner uid ${uid}, mode ${(mode & 0o777).toString(8)})`;
  });
  const more = unwritable.length > described.length ? `, and ${unwritable.length - described.length} more` : '';
  const uid = process.geteuid?.();
  return (
    `DATA_DIR ${dir} cannot be used: ${unwritable.length} of its files and folders cannot be written by this process` +
    `${uid === undefined ? '' : ` (uid ${uid})`}: ${described.join(', ')}${more}. Left by a run as another user? ` +
    'Give them to the user the service runs as (chown -R), or run it as their owner'
  );
}

/** Who holds DATA_DIR now, as it said when it took the lock; null when nobody said (or nobody holds it). */
export function dataFolderHolder(dir: string): Holder | null {
  let said: Partial<Holder> | null;
  try {
    said = JSON.parse(fs.readFileSync(path.join(dir, HOLDER_FILE), 'utf8')) as Partial<Holder> | null;
  } catch {
    return null; // not written yet, or by a version that did not write it
  }
  // Anything else there (an edit, a half-written file) says nothing about the holder.
  const told =
    typeof said === 'object' && said !== null && (said.command === 'serve' || said.command === 'rebuild') && Number.isSafeInteger(said.pid) &&
    typeof said.host === 'string' && typeof said.since === 'string';
  return told ? (said as Holder) : null;
}

function inUseMessage(dir: string, wanted: DataFolderUser): string {
  const holder = dataFolderHolder(dir);
  // This process's own word, when its lock file was replaced by one another process holds and which said nothing.
  const said = holder !== null && !(holder.pid === process.pid && holder.host === os.hostname());
  const who = said ? `\`${holder.command}\` (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'another process';
  const advice =
    wanted === 'rebuild'
      ? 'one rebuild at a time: let it finish, then run rebuild again'
      : 'two services cannot share one DATA_DIR: stop the other one, or give this one a DATA_DIR of its own';
  return `DATA_DIR ${dir} is in use by ${who}; ${advice}`;
}

/** What keeping the lock found: taken again after its file was deleted or replaced, or held by another process since. */
export type LockKept = { outcome: 'retaken' | 'lost' | 'unusable'; message: string };

/** How often a holder checks that service.lock is still the file it locked. */
const LOCK_CHECK_MS = 1_000;

/**
 * An exclusive SQLite lock on DATA_DIR/service.lock, held for the life of the connection: SQLite keeps it as an
 * fcntl lock, which the OS drops when the process ends in any way (kill -9 included), so it never goes stale.
 */
export class DataFolderLock {
  private identity: string | null;
  private checking: NodeJS.Timeout | null = null;

  private constructor(
    private db: Database.Database,
    private readonly dir: string,
    private readonly user: DataFolderUser,
  ) {
    this.identity = fileIdentity(path.join(dir, LOCK_FILE));
  }

  /** Creates DATA_DIR when missing and takes its lock, or throws DataFolderError / DataFolderInUseError. */
  static take(dir: string, user: DataFolderUser): DataFolderLock {
    ensureDataFolder(dir);
    return new DataFolderLock(lockFile(dir, user), dir, user);
  }

  /**
   * Checks every second that service.lock is still the file this process locked. A lock on a deleted or replaced file
   * keeps nobody out (a tmp cleaner, a careless `rm`): it is taken again at its path, or, when another process took
   * that first, `lost` is reported, for this holder to stop.
   */
  keep(report: (kept: LockKept) => void): void {
    const file = path.join(this.dir, LOCK_FILE);
    let unusableSaid = false;
    this.checking = setInterval(() => {
      if (!this.db.open || fileIdentity(file) === this.identity) return;
      try {
        const db = lockFile(this.dir, this.user);
        this.db.close();
        this.db = db;
        this.identity = fileIdentity(file);
        unusableSaid = false;
        report({ outcome: 'retaken', message: `${file} was deleted or replaced while this ${this.user} held DATA_DIR: its lock is taken again` });
      } catch (error) {
        if (error instanceof DataFolderInUseError) {
          // The holder file is the new holder's now: it stays.
          if (this.checking !== null) clearInterval(this.checking);
          this.db.close();
          report({
            outcome: 'lost',
            message: `${file} was deleted or replaced while this ${this.user} held DATA_DIR, and another process took it since (${error.message}): this one stops`,
          });
        } else if (!unusableSaid) {
          unusableSaid = true;
          report({ outcome: 'unusable', message: `${file} was deleted or replaced while this ${this.user} held DATA_DIR, and cannot be taken again (${error instanceof Error ? error.message : String(error)}); trying every second` });
        }
      }
    }, LOCK_CHECK_MS).unref();
  }

  /** Lets the next service or rebuild in. */
  release(): void {
    if (this.checking !== null) clearInterval(this.checking);
    if (!this.db.open) return;
    fs.rmSync(path.join(this.dir, HOLDER_FILE), { force: true }); // while still held: it describes this process only
    this.db.close();
  }
}

/** Opens DATA_DIR/service.lock and takes its exclusive lock, saying who holds it, or throws DataFolderError / DataFolderInUseError. */
function lockFile(dir: string, user: DataFolderUser): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path.join(dir, LOCK_FILE), { timeout: 0 });
  } catch (error) {
    throw refused(dir, error);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // A write transaction takes the exclusive lock; in EXCLUSIVE locking mode it is kept until the connection closes.
    db.exec('BEGIN EXCLUSIVE');
    db.pragma(`user_version = ${process.pid}`);
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new DataFolderInUseError(inUseMessage(dir, user));
    throw refused(dir, error);
  }
  const holder: Holder = { command: user, pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  try {
    fs.writeFileSync(path.join(dir, HOLDER_FILE), `${JSON.stringify(holder)}\n`);
  } catch {
    // only the message of a refused process misses it
  }
  return db;
}
