// A rebuild thread: builds its share of the read models from the log, through a connection of its own, and says which files are live and what they hold.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../eventstore/sqlite/sqliteEventStore';
import { PROJECTIONS } from '../readmodels';
import { buildHere, describeBuilt, digestingProgress, type BuildProgress } from './rebuild';
import type { FromRebuildThread, RebuildThreadData } from './rebuildOnThreads';

if (parentPort === null) throw new Error('rebuildThread runs as a worker thread');
const port = parentPort;

async function run(data: RebuildThreadData): Promise<void> {
  // The command checked the file before it started the threads.
  const store = SqliteEventStore.open(data.eventsFile, { checkIntegrity: false });
  try {
    const definitions = PROJECTIONS.filter((definition) => data.names.includes(definition.name));
    const onProgress = (progress: BuildProgress[]) => port.postMessage({ progress } satisfies FromRebuildThread);
    const { files } = await buildHere(store, { root: data.root, definitions, names: data.names, legacyFile: null, onProgress, progressIntervalMs: data.progressIntervalMs });
    onProgress(digestingProgress(files));
    port.postMessage({ swapped: true } satisfies FromRebuildThread);
    port.postMessage({ ok: true, built: describeBuilt(definitions, files) } satisfies FromRebuildThread);
  } finally {
    await store.close();
  }
}

run(workerData as RebuildThreadData).catch((error: unknown) => {
  port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies FromRebuildThread);
});
