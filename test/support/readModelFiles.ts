// The read-model files of a DATA_DIR, for tests that read what the processors wrote: live files, checkpoints, digests.
import path from 'node:path';
import Database from 'better-sqlite3';
import type { EventStore } from '../../src/eventstore/eventStore';
import type { ReadModelDatabase } from '../../src/processing/projectionDefinition';
import { openForReading, readCheckpoint, type Checkpoint } from '../../src/processing/readModelFile';
import { findLiveFile } from '../../src/processing/readModelFolder';
import { readModelDigest, readModelsDigest } from '../../src/processing/readModelDigest';
import { rebuildHere, type RebuildResult } from '../../src/processing/rebuild';
import type { ServedReadModels } from '../../src/processing/servedReadModels';
import { PROJECTIONS } from '../../src/readmodels';

export const READ_MODEL_NAMES = PROJECTIONS.map((definition) => definition.name);
export const readModelsRootOf = (dataDir: string): string => path.join(dataDir, 'readmodels');

/** The live file of a read model in a DATA_DIR; throws when there is none. */
export function liveFileOf(dataDir: string, name: string): string {
  const file = findLiveFile(path.join(readModelsRootOf(dataDir), name));
  if (file === null) throw new Error(`no live file of read model ${name} in ${dataDir}`);
  return file;
}

/** The digest of each named read model's live file, by name. */
export function liveDigests(dataDir: string, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => {
      const db = openForReading(liveFileOf(dataDir, name));
      try {
        return [name, readModelDigest(db, PROJECTIONS.find((definition) => definition.name === name)!)];
      } finally {
        db.close();
      }
    }),
  );
}

/** Every read model's live file, opened for reading. */
export function openLiveReadModels(dataDir: string): { db(name: string): ReadModelDatabase; close(): void } {
  const dbs = new Map(READ_MODEL_NAMES.map((name) => [name, openForReading(liveFileOf(dataDir, name))]));
  return {
    db: (name) => dbs.get(name)!,
    close: () => dbs.forEach((db) => db.close()),
  };
}

/** The digest of every read model, as `rebuild` prints it. */
export function digestOf(db: (name: string) => ReadModelDatabase): string {
  return readModelsDigest(PROJECTIONS.map((definition) => ({ definition, db: db(definition.name) })));
}

export const servedDigest = (served: ServedReadModels): string => digestOf((name) => served.database(name));

export function liveDigest(dataDir: string): string {
  const live = openLiveReadModels(dataDir);
  try {
    return digestOf(live.db);
  } finally {
    live.close();
  }
}

/** A file's checkpoint; undefined while it does not exist or has no checkpoint yet. */
export function checkpointOf(file: string): Checkpoint | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return readCheckpoint(db);
  } catch {
    return undefined; // not created yet
  } finally {
    db?.close();
  }
}

/** The read models built from the whole log into a folder of their own: the reference to compare with. */
export function referenceRebuild(store: EventStore, dir: string): Promise<RebuildResult> {
  return rebuildHere(store, { root: readModelsRootOf(dir), definitions: PROJECTIONS, names: READ_MODEL_NAMES });
}
