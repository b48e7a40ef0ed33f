// DATA_DIR: a folder this process can write, held by one service (or one rebuild) at a time through a lock the OS releases when its holder dies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

/** DATA_DIR cannot be used: the message names the folder and the operating system's reason. */
export class DataFolderError extends Error {
  override name = 'DataFolderError';
}

/** Another process holds DATA_DIR: the message says which, and what to do. */
export class DataFolderInUseError extends Error {
  override name = 'DataFolderInUseError';
}

/** Errors that mean "not started, for this reason": one line is the whole story, without a stack. */
export const START_REFUSALS = new Set(['DataFolderError', 'DataFolderInUseError', 'CorruptEventLogError', 'ListenError']);

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
 * Creates DATA_DIR when missing and proves it writable (root passes permission checks: only a real write tells), or
 * throws DataFolderError with the folder and the OS's reason. The probe is a file of its own: closing a descriptor of
 * the lock file would drop this process's lock on it (POSIX).
 */
export function ensureDataFolder(dir: string): void {
  try {
    createFolder(dir);
    const probe = path.join(dir, `.write-check-${process.pid}`);
    fs.closeSync(fs.openSync(probe, 'w'));
    fs.rmSync(probe);
  } catch (error) {
    throw refused(dir, error);
  }
}

/** Who holds DATA_DIR now, as it said when it took the lock; null when nobody said (or nobody holds it). */
export function dataFolderHolder(dir: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, HOLDER_FILE), 'utf8')) as Holder;
  } catch {
    return null; // not written yet, or by a version that did not write it
  }
}

function inUseMessage(dir: string, wanted: DataFolderUser): string {
  const holder = dataFolderHolder(dir);
  const who = holder === null ? 'another process' : `\`${holder.command}\` (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
  const advice =
    wanted === 'rebuild'
      ? 'one rebuild at a time: let it finish, then run rebuild again'
      : 'two services cannot share one DATA_DIR: stop the other one, or give this one a DATA_DIR of its own';
  return `DATA_DIR ${dir} is in use by ${who}; ${advice}`;
}

/**
 * An exclusive SQLite lock on DATA_DIR/service.lock, held for the life of the connection: SQLite keeps it as an
 * fcntl lock, which the OS drops when the process ends in any way (kill -9 included), so it never goes stale.
 */
export class DataFolderLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly dir: string,
  ) {}

  /** Creates DATA_DIR when missing and takes its lock, or throws DataFolderError / DataFolderInUseError. */
  static take(dir: string, user: DataFolderUser): DataFolderLock {
    ensureDataFolder(dir);
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
    return new DataFolderLock(db, dir);
  }

  /** Lets the next service or rebuild in. */
  release(): void {
    if (!this.db.open) return;
    fs.rmSync(path.join(this.dir, HOLDER_FILE), { force: true }); // while still held: it describes this process only
    this.db.close();
  }
}
