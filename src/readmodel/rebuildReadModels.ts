// Rebuild: replays the whole log into a fresh read-model file, then puts it in place of the old one.
import fs from 'node:fs';
import type { EventStore } from '../eventstore/eventStore';
import { Projector } from '../projections/projector';
import { openReadModelDb } from './readModelDb';
import { readModelDigest } from './readModelDigest';

export interface RebuildResult {
  eventsApplied: number;
  position: bigint;
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
    const projector = new Projector(store, db, { batchSize: options.batchSize ?? 5000 });
    await projector.catchUp();
    const { eventsApplied, position } = projector.status();
    const digest = readModelDigest(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    removeDatabaseFiles(file);
    fs.renameSync(scratch, file);
    return { eventsApplied, position, durationMs: performance.now() - started, digest };
  } catch (error) {
    if (db.open) db.close();
    removeDatabaseFiles(scratch);
    throw error;
  }
}
