// The WAL checkpoints' thread (walCheckpoints.ts): the log, and each live read model in turn.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { findLiveFile } from '../processing/readModelFolder';
import type { FromWalCheckpoints, WalCheckpointsData } from './walCheckpoints';

if (parentPort === null) throw new Error('walCheckpointsWorker runs as a worker thread');
const port = parentPort;

/** How often the read models' folders are looked at again for the file that is live (a rebuild swaps one in). */
const FILES_EVERY_MS = 5_000;

function run(data: WalCheckpointsData): void {
  const open = new Map<string, Database.Database>();
  const failed = new Set<string>();
  let files: string[] = [];
  let filesAt = -Infinity;

  const liveFiles = (): string[] => {
    if (Date.now() - filesAt < FILES_EVERY_MS) return files;
    filesAt = Date.now();
    const folders = fs.existsSync(data.readModelsRoot) ? fs.readdirSync(data.readModelsRoot) : [];
    files = folders.flatMap((name) => findLiveFile(path.join(data.readModelsRoot, name)) ?? []);
    // A file no longer live (retired, deleted) lets go of its connection.
    for (const [file, db] of open) {
      if (file !== data.eventsFile && !files.includes(file)) {
        db.close();
        open.delete(file);
      }
    }
    return files;
  };

  const checkpoint = (file: string): void => {
    let db = open.get(file);
    try {
      if (db === undefined) {
        if (!fs.existsSync(file)) return;
        db = new Database(file, { fileMustExist: true });
        // synchronous FULL (SQLite's default): the database is fsynced before the WAL may be started over.
        db.pragma('busy_timeout = 0');
        open.set(file, db);
      }
      db.pragma('wal_checkpoint(PASSIVE)');
      failed.delete(file);
    } catch (error) {
      // Said once per spell of failures; the file's own connections checkpoint it meanwhile.
      if (!failed.has(file)) port.postMessage({ kind: 'failed', file, message: error instanceof Error ? error.message : String(error) } satisfies FromWalCheckpoints);
      failed.add(file);
      db?.close();
      open.delete(file);
    }
  };

  // The log first: its fsync is what a callback's 200 waits for. The read models' pages, rewritten batch after batch,
  // are copied less often, once for many rewrites.
  const logTimer = data.eventsFile === null ? undefined : setInterval(() => checkpoint(data.eventsFile!), data.logIntervalMs);
  const readModelsTimer = setInterval(() => {
    for (const file of liveFiles()) checkpoint(file);
  }, data.readModelIntervalMs);

  port.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    clearInterval(logTimer);
    clearInterval(readModelsTimer);
    for (const db of open.values()) db.close();
    open.clear();
    port.close();
  });
}

run(workerData as WalCheckpointsData);
