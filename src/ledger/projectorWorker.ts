// The projector thread: keeps the read models from the embedded log without holding up the thread that answers HTTP.
import { parentPort, workerData } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import { readLogAtStart } from '../eventstore/logAtStart';
import { SqliteEventStore } from '../eventstore/sqlite/sqliteEventStore';
import { sendableError } from '../eventstore/sqlite/threadErrors';
import { ProjectionHost } from '../processing/projectionHost';
import type { ReadModelChange } from '../processing/projectionDefinition';
import type { ProjectionsStatus } from '../processing/projectionsStatus';
import { PROJECTIONS } from '../readmodels';
import type { FromProjector, ProjectorWorkerData, ReadModelFiles, ToProjector } from './projectorMessages';

/** How often a status change without a batch (retrying, recovered, the log's head) reaches the main thread. */
const STATUS_INTERVAL_MS = 250;

if (parentPort === null) throw new Error('projectorWorker runs as a worker thread');
const port = parentPort;
const post = (message: FromProjector) => port.postMessage(message);

/** Keeps the read models through its own connection to the log, and reports every committed batch to the main thread. */
async function runProjector(store: SqliteEventStore, files: ReadModelFiles & { buildNiceness: number; backgroundNiceness: number }, logger: Logger): Promise<void> {
  // Only the projections: the read models' GraphQL side is never loaded on this thread.
  const host = new ProjectionHost({
    store,
    definitions: PROJECTIONS,
    root: files.readModelsRoot,
    legacyFile: files.legacyFile,
    logAtStart: await readLogAtStart(store),
    logger,
    answerRequests: true,
    buildWrites: 'steady',
    buildThread: { eventsFile: files.eventsFile, niceness: files.buildNiceness },
    backgroundThread: { eventsFile: files.eventsFile, niceness: files.backgroundNiceness, checkpointedAlongside: files.checkpointedAlongside },
  });

  host.start();
  await host.settled(1000);
  post({ kind: 'ready', status: host.status(), serving: host.servingFiles() });
  // From here on the main thread hears of every batch and swap ('ready' said where things stood), each batch's
  // changes in one message with the status after it.
  let changes: ReadModelChange[] = [];
  // What the main thread was last sent, compared (as a signature) only when the timer looks for a change.
  let lastSent: ProjectionsStatus | null = null;
  const send = (message: FromProjector & { status: ProjectionsStatus }) => {
    lastSent = message.status;
    post(message);
  };
  host.onChanges((batch) => changes.push(...batch));
  host.onApplied(() => {
    const sent = changes;
    changes = [];
    send({ kind: 'projected', changes: sent, status: host.status() });
  });
  host.onServing((change) => send({ kind: 'serving', change, status: host.status() }));
  // Phases, errors and the log's head change without a batch (retrying, a build's progress, appends elsewhere).
  const statusTimer = setInterval(() => {
    const status = host.status();
    if (lastSent === null || signature(status) !== signature(lastSent)) send({ kind: 'status', status });
  }, STATUS_INTERVAL_MS);

  port.on('message', (message: ToProjector) => {
    if (message.kind !== 'shutdown') return;
    void (async () => {
      clearInterval(statusTimer);
      // The store has closed: whatever it committed, the read models get before their checkpoints are left.
      await host.stop({ catchUp: true });
      post({ kind: 'projected', changes, status: host.status() });
      await store.close();
      post({ kind: 'stopped' });
      port.close();
    })();
  });
}

/** What the main thread shows of the status: sent again only when it differs. */
const signature = (status: ProjectionsStatus): string =>
  JSON.stringify(status, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

function run(data: ProjectorWorkerData): void {
  const logger = pino({ level: data.logLevel, base: { service: 'css-callback-ledger', thread: 'ledger projector' } });
  try {
    // The store's writer has created or migrated the file and checked it for damage.
    const store = SqliteEventStore.open(data.eventsFile);
    runProjector(store, data, logger).catch(failed);
  } catch (error) {
    failed(error);
  }
  function failed(error: unknown): void {
    post({ kind: 'failed', error: sendableError(error) });
  }
}

run(workerData as ProjectorWorkerData);
