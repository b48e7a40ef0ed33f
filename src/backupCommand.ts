// `backup <folder>`: a consistent copy of what cannot be rebuilt (the embedded log, forwarding's state), beside a running service.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from './config';
import { forwardingFile } from './forwarding/forwardingDb';
import { eventsFile, requireEventLog } from './ledger/openLedger';

export interface BackedUpFile {
  /** Where it was copied to. */
  file: string;
  bytes: number;
}

export interface BackupResult {
  events: BackedUpFile & { count: number; headPosition: bigint };
  forwarding: BackedUpFile | null;
  durationMs: number;
}

/** Refused before anything was written: nothing to copy, or a copy already there. */
export class BackupRefusedError extends Error {
  override name = 'BackupRefusedError';
}

/**
 * Copies DATA_DIR's events.db, then forwarding.db when there is one, into `folder` under the same names, so that the
 * folder is a DATA_DIR of its own: a service started on it builds the read models from its log. Each file is one
 * snapshot, taken by SQLite in a read transaction (`VACUUM INTO`): the service goes on taking callbacks meanwhile, and
 * what it commits after the snapshot is not in the copy. The log first: restored together, forwarding's checkpoints
 * are then never behind what the log's copy holds but past it at worst, which start-up sees (README: Start-up checks).
 * Each copy is written beside its name, synced, then renamed: an interrupted backup leaves no file that looks whole.
 */
export function backupDataDir(config: Pick<Config, 'dataDir' | 'eventStoreConnectionString'>, folder: string): BackupResult {
  if (config.eventStoreConnectionString !== null) {
    throw new BackupRefusedError(
      "backup copies the embedded log, and the events are in EventStoreDB: back them up with EventStoreDB's own tools (the read models in DATA_DIR are rebuilt from them)",
    );
  }
  requireEventLog(config, 'to back up');
  const log = eventsFile(config);
  if (fs.existsSync(folder) && !fs.statSync(folder).isDirectory()) throw new BackupRefusedError(`${folder} is a file: back up into a folder (an empty one, or one to be made)`);
  const startedAt = performance.now();
  const target = { events: eventsFile({ dataDir: folder }), forwarding: forwardingFile(folder) };
  for (const file of Object.values(target)) {
    if (fs.existsSync(file)) throw new BackupRefusedError(`${file} exists already: back up into an empty folder, or move the earlier backup away`);
  }

  const events = copySnapshot(log, target.events);
  const copy = new Database(target.events, { readonly: true });
  let count: number;
  let headPosition: bigint;
  try {
    count = copy.prepare<[], number>('SELECT count(*) FROM events').pluck().get()!;
    headPosition = copy.prepare<[], bigint>('SELECT coalesce(max(position), 0) FROM events').pluck().safeIntegers(true).get()!;
  } finally {
    copy.close();
  }
  const forwardingState = forwardingFile(config.dataDir);
  const forwarding = fs.existsSync(forwardingState) ? copySnapshot(forwardingState, target.forwarding) : null;
  return { events: { ...events, count, headPosition }, forwarding, durationMs: performance.now() - startedAt };
}

/** One snapshot of `from` written to `to`: VACUUM INTO a file beside it, synced, renamed, the folder synced. */
function copySnapshot(from: string, to: string): BackedUpFile {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const partial = `${to}.partial`;
  // What an interrupted backup left: never a copy anyone took for whole.
  fs.rmSync(partial, { force: true });
  const db = new Database(from, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(partial);
  } finally {
    db.close();
  }
  syncFile(partial);
  fs.renameSync(partial, to);
  syncFile(path.dirname(to));
  return { file: to, bytes: fs.statSync(to).size };
}

function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function describeBackup(result: BackupResult, folder: string): string {
  const forwarding = result.forwarding === null ? '' : ` and forwarding.db (${megabytes(result.forwarding.bytes)})`;
  return (
    `backed up events.db (${result.events.count} events up to position ${result.events.headPosition}, ${megabytes(result.events.bytes)})${forwarding} ` +
    `to ${folder} in ${(result.durationMs / 1000).toFixed(1)} s: a DATA_DIR of its own (a service started on it builds the read models); ` +
    'to restore, stop the service and copy its files into DATA_DIR\n'
  );
}
