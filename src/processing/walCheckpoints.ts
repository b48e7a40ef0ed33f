// WAL checkpoints of the embedded log, the live read models and the forwarding state, from connections of their own on a thread that no commit waits for.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fileIdentity } from '../eventstore/sqlite/fileIdentity';
import { findLiveFile } from './readModelFolder';

/**
 * SQLite copies a WAL back into its database (a checkpoint, with its fsyncs) in the commit that finds the WAL past a
 * threshold: on the writer thread a callback's 200 waited for it, on the projector thread a subscriber did. Run from
 * another thread, PASSIVE (never waiting for a reader or a writer), these copy nearly everything, so the writers' own
 * checkpoint at `WAL_AUTOCHECKPOINT_PAGES` has only the rest to copy. That one still comes: a WAL starts over only
 * once wholly copied back, which a file written every few ms reaches only in its writer's own checkpoint.
 */
export interface WalCheckpointFiles {
  /** The embedded log; null with EventStoreDB (the read models only). */
  eventsFile: string | null;
  readModelsRoot: string;
  /** Files written on other threads (the forwarding state), checkpointed with the read models when they exist. */
  checkpointedAlongside: readonly string[];
  /** How often the log's WAL is checkpointed: its fsync is the one a callback's 200 waits for. */
  logIntervalMs: number;
  /** How often each live read model's is: pages rewritten batch after batch are copied once for many rewrites. */
  readModelIntervalMs: number;
}

/** The log every 250 ms (at 3,000 callbacks/s its WAL grows by ~15 MB a second), the read models every second. */
export const CHECKPOINT_INTERVALS = { logIntervalMs: 250, readModelIntervalMs: 1000 } as const;

/** What is logged when a file's checkpoint fails: its writer's own threshold still bounds its WAL. */
export const checkpointFailedMessage = (file: string, message: string): string =>
  `WAL checkpoint of ${file} failed (its own connections checkpoint it meanwhile): ${message}`;

/** How often the read models' folders are looked at again for the file that is live (a rebuild swaps one in). */
const FILES_EVERY_MS = 5_000;

/** Checkpoints the files on this thread's timers until stopped; a file that fails is said once per spell of failures. */
export function checkpointEvery(files: WalCheckpointFiles, failed: (file: string, message: string) => void): { stop(): void } {
  const open = new Map<string, { db: Database.Database; identity: string }>();
  const failing = new Set<string>();
  let live: string[] = [];
  let liveAt = -Infinity;

  const liveFiles = (): string[] => {
    // The monotonic clock: set back, the wall clock would keep a file swapped in meanwhile out of sight for as long.
    if (performance.now() - liveAt < FILES_EVERY_MS) return live;
    liveAt = performance.now();
    const folders = fs.existsSync(files.readModelsRoot) ? fs.readdirSync(files.readModelsRoot) : [];
    live = folders.flatMap((name) => findLiveFile(path.join(files.readModelsRoot, name)) ?? []);
    // A file no longer live (retired, deleted) lets go of its connection.
    for (const file of open.keys()) {
      if (file !== files.eventsFile && !live.includes(file) && !files.checkpointedAlongside.includes(file)) letGo(file);
    }
    return live;
  };

  const letGo = (file: string): void => {
    open.get(file)?.db.close();
    open.delete(file);
  };

  const checkpoint = (file: string): void => {
    // A file a rebuild replaced is renamed aside, then shrunk and deleted: let go of it at once, not when the live files
    // are looked for again (a checkpoint of the half-shrunk file failed as "malformed" at every upgrade). A file put in
    // its place (forwarding's state written back) is another one: its connection is a new one.
    const identity = fileIdentity(file);
    if (identity === null || (open.has(file) && open.get(file)!.identity !== identity)) {
      letGo(file);
      if (identity === null) return;
    }
    let db = open.get(file)?.db;
    try {
      if (db === undefined) {
        db = new Database(file, { fileMustExist: true });
        // synchronous FULL (SQLite's default): the database is fsynced before the WAL may be started over.
        db.pragma('busy_timeout = 0');
        open.set(file, { db, identity });
      }
      db.pragma('wal_checkpoint(PASSIVE)');
      failing.delete(file);
    } catch (error) {
      letGo(file);
      if (!fs.existsSync(file)) return; // renamed aside meanwhile
      // The file's own connections checkpoint it meanwhile.
      if (!failing.has(file)) failed(file, error instanceof Error ? error.message : String(error));
      failing.add(file);
    }
  };

  const { eventsFile } = files;
  const logTimer = eventsFile === null ? undefined : setInterval(() => checkpoint(eventsFile), files.logIntervalMs);
  const readModelsTimer = setInterval(() => {
    for (const file of [...liveFiles(), ...files.checkpointedAlongside]) checkpoint(file);
  }, files.readModelIntervalMs);
  return {
    stop() {
      clearInterval(logTimer);
      clearInterval(readModelsTimer);
      for (const { db } of open.values()) db.close();
      open.clear();
    },
  };
}
