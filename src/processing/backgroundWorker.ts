// The background lane's thread (backgroundThread.ts): its files, each brought to the position asked, from its own connection to the log.
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordedEvent } from '../eventstore/eventStore';
import { SqliteEventStore } from '../eventstore/sqlite/sqliteEventStore';
import { PROJECTIONS } from '../readmodels';
import type { BackgroundThreadData, FromBackgroundThread, ToBackgroundThread } from './backgroundThread';
import { FatalProcessingError } from './processor';
import type { ProjectionDefinition } from './projectionDefinition';
import { ProjectionFile } from './readModelFile';
import { lowerThreadPriority } from './threadPriority';
import { checkpointEvery } from './walCheckpoints';

/** Events read from the log per page while a file catches up to the position asked. */
const PAGE = 1000;

if (parentPort === null) throw new Error('backgroundWorker runs as a worker thread');
const port = parentPort;
const post = (message: FromBackgroundThread) => port.postMessage(message);

function run(data: BackgroundThreadData): void {
  post({ kind: 'started', ...lowerThreadPriority(data.niceness) });
  const store = SqliteEventStore.open(data.eventsFile, { checkIntegrity: false });
  const files = new Map<string, ProjectionFile>();
  // Low-priority work like the files' own: no commit waits for it (see walCheckpoints.ts).
  const checkpoints =
    data.checkpoints === undefined
      ? null
      : checkpointEvery({ eventsFile: data.eventsFile, ...data.checkpoints }, (file, message) => post({ kind: 'checkpointFailed', file, message }));

  const fileAt = (file: string): ProjectionFile => {
    const open = files.get(file);
    if (open === undefined) throw new Error(`${file} is not open on the background thread`);
    return open;
  };

  // The files ask for the same stretch of the log one after another: it is read once, whole for every file's types.
  let lastPage: { after: bigint; events: RecordedEvent[] } | null = null;
  const pageAfter = async (after: bigint): Promise<RecordedEvent[]> => {
    if (lastPage?.after === after) return lastPage.events;
    const typesWithData = new Set([...files.values()].flatMap((file) => file.definition.canHandle));
    lastPage = { after, events: await store.readAll({ after, maxCount: PAGE, typesWithData }) };
    return lastPage.events;
  };

  /** Applies the log after the file's checkpoint through `through`, a page at a time (each its own transaction). */
  const applyThrough = async (file: ProjectionFile, through: bigint): Promise<unknown[]> => {
    const changes: unknown[] = [];
    while (file.checkpoint.position < through) {
      const page = await pageAfter(file.checkpoint.position);
      const events: RecordedEvent[] = page.filter((event) => event.position <= through);
      if (events.length === 0) throw new Error(`the log holds nothing after ${file.checkpoint.position} up to ${through}`);
      changes.push(...file.apply(events));
    }
    return changes;
  };

  const handle = async (message: ToBackgroundThread): Promise<void> => {
    switch (message.kind) {
      case 'open': {
        const definition: ProjectionDefinition | undefined = PROJECTIONS.find((d) => d.name === message.readModel);
        if (definition === undefined) throw new Error(`unknown read model ${message.readModel}`);
        files.set(message.file, ProjectionFile.open(message.file, definition));
        // A page read before may have left this file's types hollow.
        lastPage = null;
        return;
      }
      case 'apply':
        try {
          const file = fileAt(message.file);
          const changes = await applyThrough(file, message.through);
          post({ kind: 'applied', id: message.id, checkpoint: file.checkpoint, changes });
        } catch (error) {
          post({ kind: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error), fatal: error instanceof FatalProcessingError });
        }
        return;
      case 'retire':
        files.get(message.file)?.markRetired();
        return;
      case 'close':
        files.get(message.file)?.close();
        files.delete(message.file);
        return;
      case 'stop':
        checkpoints?.stop();
        for (const file of files.values()) file.close();
        files.clear();
        await store.close();
        port.close();
        return;
    }
  };

  // One message at a time, in the order posted: a file is closed only after the batches asked of it before.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message: ToBackgroundThread) => {
    queue = queue.then(() => handle(message)).catch((error: unknown) => {
      // An open that failed: the lane's next batch for that file fails and retries, and says so.
      process.emitWarning(`background read models: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
}

run(workerData as BackgroundThreadData);
