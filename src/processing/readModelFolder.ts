// A read model's folder at start-up: damaged files set aside, stale ones removed, and which file serves or builds.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { findCorruption, type LastRowProbe } from '../eventstore/sqlite/sqliteFileCheck';
import type { ProjectionDefinition } from './projectionDefinition';
import type { LogAtStart } from '../eventstore/logAtStart';
import { parseFileName, readCheckpoint, readMeta, recordLogFirstEvent, removeFile, REMOVING_SUFFIX, type FileMeta } from './readModelFile';

/** A file's metadata, and where its checkpoint stands in the log. */
type FoundMeta = FileMeta & { position: bigint };

export interface FoundFile extends FoundMeta {
  file: string;
}

/** What start-up found for one read model. */
export interface FolderPlan {
  /** The live file of the current version: it serves and the live processor keeps it. */
  live: FoundFile | null;
  /** A live file of another version: it answers queries, as it is, until the current version is built. */
  older: FoundFile | null;
  /** A build of the current version interrupted by a stop or a crash: it resumes from its own checkpoint. */
  building: FoundFile | null;
  /** The generation a new build takes. */
  nextGeneration: number;
}

export const folderOf = (root: string, name: string): string => path.join(root, name);

/** Why a file is set aside: damaged, built from a longer log than the one now in place, or from another log. */
export type SetAsideReason = 'corrupt' | 'ahead' | 'another-log';

/** `v4.2.db.corrupt-20240501T100000Z`: sorts by time, and says why it is there. */
export function setAsideName(file: string, now: Date, reason: SetAsideReason = 'corrupt'): string {
  return `${file}.${reason}-${now.toISOString().replace(/[-:]|\.\d+/g, '')}`;
}

/**
 * How much of the read models' files start-up reads whole (PRAGMA quick_check reads every page) to find damage the cheap
 * checks cannot see: the smallest files first, up to this many bytes in all; the others get the cheap checks alone. CSS
 * waits while start-up reads: read whole up to 512 MiB each, 1.7 GB of read models (200,000 sessions) held the first
 * callback 31-34 s after a start from a cold disk.
 */
export const WHOLE_CHECK_BYTES = 256 * 1024 * 1024;

/** A file's bytes with its WAL's: what reading it whole reads. */
function bytesWithWal(file: string): number {
  const wal = fs.statSync(`${file}-wal`, { throwIfNoEntry: false });
  return fs.statSync(file).size + (wal?.size ?? 0);
}

/** The read-model files of these folders start-up reads whole: the smallest first, while they fit in `budget` bytes together. */
export function filesReadWhole(folders: readonly string[], budget: number): Set<string> {
  const files = folders.flatMap((folder) =>
    fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => parseFileName(name) !== null).map((name) => path.join(folder, name)) : [],
  );
  const sized = files.map((file) => ({ file, bytes: bytesWithWal(file) })).sort((a, b) => a.bytes - b.bytes);
  const chosen = new Set<string>();
  let left = budget;
  for (const { file, bytes } of sized) {
    if (bytes > left) break;
    chosen.add(file);
    left -= bytes;
  }
  return chosen;
}

/** The checkpoint, the metadata and the last row of each table: a truncated or overwritten file fails here, whatever its size. */
export function probesOf(definition: ProjectionDefinition): LastRowProbe[] {
  return [
    { table: 'read_model', sql: 'SELECT * FROM read_model' },
    { table: 'checkpoint', sql: 'SELECT * FROM checkpoint' },
    // Along the key the file declares: one of an older version may lack a key column this version has.
    ...definition.tables.map((table) => ({ table: table.name })),
  ];
}

/**
 * Renames a damaged file (with its -wal and -shm, so the copy stays readable for a post-mortem) and says so. The
 * read model is then built again from the log.
 */
export function setAside(file: string, problem: string, logger: Logger | undefined, now = new Date(), reason: SetAsideReason = 'corrupt'): string {
  const aside = setAsideName(file, now, reason);
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      fs.renameSync(`${file}${suffix}`, `${aside}${suffix}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || suffix === '') throw error;
    }
  }
  logger?.warn(
    { readModels: file, setAside: aside, problem },
    `read models ${file} ${reason === 'corrupt' ? 'are damaged' : 'were built from another log'} (${problem}): moved to ${aside} (with its -wal/-shm); rebuilding them from the event log`,
  );
  return aside;
}

function withFile<T>(file: string, use: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

function readFound(file: string): FoundMeta | null {
  return withFile(file, (db) => {
    const meta = readMeta(db);
    return meta === null ? null : { ...meta, position: readCheckpoint(db).position };
  });
}

/** Why a file cannot go on from its checkpoint over the log in place; null when it can. */
function builtFromAnotherLog(meta: FoundMeta, log: LogAtStart): { reason: SetAsideReason; problem: string } | null {
  if (meta.logFirstEvent !== null && log.firstEvent !== null && meta.logFirstEvent !== log.firstEvent) {
    return {
      reason: 'another-log',
      problem: `it was built from a log that begins with ${meta.logFirstEvent}, and the log in place begins with ${log.firstEvent} (event id@position): was events.db replaced by another one, or the store changed?`,
    };
  }
  if (meta.position > log.head) {
    return {
      reason: 'ahead',
      problem: `its checkpoint, position ${meta.position}, is past the log's last event, position ${log.head}: was events.db restored from a backup, or replaced?`,
    };
  }
  return null;
}

/** What start-up knows when it looks through a read model's folder. */
export interface FolderChecks {
  logger?: Logger;
  /** Where the log stood at start-up, when it could be read: files built from another log are set aside. */
  log?: LogAtStart | null;
  /** The files read whole (see filesReadWhole); null: each up to FULL_CHECK_MAX_BYTES. */
  readWhole?: ReadonlySet<string> | null;
}

/**
 * The files of a read model's folder, damaged ones set aside first (those in `readWhole` read whole; without it, each
 * up to FULL_CHECK_MAX_BYTES), and, when start-up could read the log (`log`),
 * those built from another log than the one in place: from a longer one (an events.db restored from a backup: the
 * file would hold callbacks the log does not have, and skip those it takes up to the file's checkpoint), or from a
 * log that begins with another event (another environment's events.db copied in). A file that does not say which
 * log it was built from (made before files said) is taken as built from the one in place, and says so from then on.
 */
export function findFiles(folder: string, definition: ProjectionDefinition, { logger, log = null, readWhole = null }: FolderChecks = {}): FoundFile[] {
  if (!fs.existsSync(folder)) return [];
  const found: FoundFile[] = [];
  for (const name of fs.readdirSync(folder).sort()) {
    // A replaced file whose deletion a stop cut short.
    if (name.endsWith(REMOVING_SUFFIX)) fs.rmSync(path.join(folder, name), { force: true });
    if (parseFileName(name) === null) continue;
    const file = path.join(folder, name);
    const problem = findCorruption(file, probesOf(definition), readWhole === null ? undefined : readWhole.has(file) ? Infinity : 0);
    if (problem !== null) {
      setAside(file, problem, logger);
      continue;
    }
    const meta = readFound(file);
    if (meta === null || meta.name !== definition.name) {
      setAside(file, 'not a file of this read model', logger);
      continue;
    }
    const mismatch = log === null ? null : builtFromAnotherLog(meta, log);
    if (mismatch !== null) {
      setAside(file, mismatch.problem, logger, new Date(), mismatch.reason);
      continue;
    }
    if (log?.firstEvent != null && meta.logFirstEvent === null && meta.position > 0n) {
      withFile(file, (db) => recordLogFirstEvent(db, log.firstEvent!));
      meta.logFirstEvent = log.firstEvent;
    }
    found.push({ ...meta, file });
  }
  return found;
}

/** Decides what serves and what builds; removes retired files, superseded live ones and builds that cannot resume. */
export function planFolder(folder: string, definition: ProjectionDefinition, checks: FolderChecks = {}): FolderPlan {
  const files = findFiles(folder, definition, checks);
  const nextGeneration = 1 + Math.max(0, ...files.map((f) => f.generation));
  const lives = files.filter((f) => f.state === 'live').sort((a, b) => b.generation - a.generation);
  const newestLive = lives[0] ?? null;
  const resumable = files
    .filter((f) => f.state === 'building' && f.version === definition.version && f.generation > (newestLive?.generation ?? 0))
    .sort((a, b) => b.generation - a.generation);
  const building = resumable[0] ?? null;
  const kept = new Set([newestLive, building].filter((f) => f !== null));
  for (const stale of files) {
    if (kept.has(stale)) continue;
    removeFile(stale.file);
    checks.logger?.info({ readModel: definition.name, file: stale.file }, `removed ${stale.state} read-model file ${stale.file}`);
  }
  const current = newestLive !== null && newestLive.version === definition.version;
  return { live: current ? newestLive : null, older: current ? null : newestLive, building, nextGeneration };
}

/** The live file of a read model, read only (a command beside the service, a test): the newest generation marked live. */
export function findLiveFile(folder: string): string | null {
  if (!fs.existsSync(folder)) return null;
  let best: FoundFile | null = null;
  for (const name of fs.readdirSync(folder)) {
    if (parseFileName(name) === null) continue;
    const file = path.join(folder, name);
    let meta: FoundMeta | null;
    try {
      meta = readFound(file);
    } catch {
      continue; // damaged: the service sets it aside at its next start
    }
    if (meta?.state === 'live' && (best === null || meta.generation > best.generation)) best = { ...meta, file };
  }
  return best?.file ?? null;
}
