// Rebuild: replays the whole log into a fresh read-model file, then puts it in place of the old one.
import fs from 'node:fs';
import type { EventStore } from '../eventstore/eventStore';
import { Projector } from '../projections/projector';
import { openReadModelDb, withoutListingIndexes } from './readModelDb';
import { readModelDigest } from './readModelDigest';

export interface RebuildResult {
  eventsApplied: number;
  position: bigint;
  /** Replay and index creation; the digest is computed after. */
  durationMs: number;
  digest: string;
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/**
 * Builds into `<file>.rebuild` and renames it over `file` only when complete, so an interrupted
 * rebuild leaves the old read models as they were. Stop the service first: it keeps the old file open.
 */
export async function rebuildReadModels(store: EventStore, file: string, options: { batchSize?: number } = {}): Promise<RebuildResult> {
  const started = performance.now();
  const scratch = `${file}.rebuild`;
  removeDatabaseFiles(scratch);
  const db = openReadModelDb(scratch);
  try {
    // The scratch file is thrown away if anything fails, so it needs no crash safety until it is complete.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -131072'); // 128 MiB
    const projector = new Projector(store, db, { batchSize: options.batchSize ?? 20_000 });
    await withoutListingIndexes(db, () => projector.catchUp());
    const { eventsApplied, position } = projector.status();
    const durationMs = performance.now() - started;
    const digest = readModelDigest(db);
    db.pragma('journal_mode = WAL');
    db.close();
    removeDatabaseFiles(file);
    fs.renameSync(scratch, file);
    return { eventsApplied, position, durationMs, digest };
  } catch (error) {
    if (db.open) db.close();
    removeDatabaseFiles(scratch);
    throw error;
  }
}
