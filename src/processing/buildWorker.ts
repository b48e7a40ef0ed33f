// The shadow build's thread (buildThread.ts): the build's processor over its own connection to the log, at a lower priority.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../eventstore/sqlite/sqliteEventStore';
import { PROJECTIONS } from '../readmodels';
import type { BuildThreadData, BuildThreadEnd, FromBuildThread, ToBuildThread } from './buildThread';
import { Processor } from './processor';
import type { ProjectionDefinition } from './projectionDefinition';
import { ProjectionSet } from './projectionSet';
import { ProjectionFile } from './readModelFile';
import { lowerThreadPriority } from './threadPriority';

/** How often the thread says where it stands, and looks whether it has caught up. */
const PROGRESS_INTERVAL_MS = 250;

if (parentPort === null) throw new Error('buildWorker runs as a worker thread');
const port = parentPort;
const post = (message: FromBuildThread) => port.postMessage(message);

function run(data: BuildThreadData): void {
  post({ kind: 'started', ...lowerThreadPriority(data.niceness) });
  const order = PROJECTIONS.map((definition) => definition.name);
  const store = SqliteEventStore.open(data.eventsFile, { checkIntegrity: false });
  // A turn after each file's transaction: a stop, posted to this thread, is heard between batches.
  const set = new ProjectionSet(order, 0n, true);
  const files = data.files.map(({ readModel, file }) => {
    const definition: ProjectionDefinition | undefined = PROJECTIONS.find((d) => d.name === readModel);
    if (definition === undefined) throw new Error(`unknown read model ${readModel}`);
    return ProjectionFile.open(file, definition, data.writes);
  });
  for (const file of files) set.add(file);
  const processor = new Processor(store, set, {
    name: 'rebuild',
    runningPhase: 'rebuilding',
    batchSize: data.batchSize,
    typesWithData: () => set.handledTypes(),
  });

  let ending = false;
  const end = async (how: BuildThreadEnd) => {
    if (ending) return;
    ending = true;
    clearInterval(timer);
    await processor.stop();
    // Here, not at the swap on the projector thread: creating the listing indexes of a million rows takes seconds,
    // which the live read models would wait for there.
    if (how === 'caught-up') for (const file of files) file.createQueryIndexes();
    set.close();
    await store.close();
    post({ kind: 'finished', end: how, status: processor.status() });
    port.close();
  };
  const timer = setInterval(() => {
    const status = processor.status();
    if (status.phase === 'stopped') void end('failed');
    else if (processor.caughtUp) void end('caught-up');
    else post({ kind: 'progress', status });
  }, PROGRESS_INTERVAL_MS);
  port.on('message', (message: ToBuildThread) => {
    if (message.kind === 'stop') void end('stopped');
  });
  processor.start();
}

run(workerData as BuildThreadData);
