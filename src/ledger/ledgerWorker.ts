// The ledger's threads: one writes the embedded event log, one projects it; neither holds up the thread that answers HTTP.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import { SqliteEventStore } from '../eventstore/sqliteEventStore';
import { Projector, type ProjectorStatus, type ReadModelChange } from '../projections/projector';
import { openReadModelDb } from '../readmodel/readModelDb';
import { sendableError, type AppendOutcome, type AppendRequest, type FromLedger, type LedgerWorkerData, type ToLedger } from './ledgerMessages';

/** How often a phase change without new events (retrying, recovered) reaches the main thread. */
const STATUS_INTERVAL_MS = 250;

if (parentPort === null) throw new Error('ledgerWorker runs as a worker thread');
const port = parentPort;
const post = (message: FromLedger) => port.postMessage(message);

/** Appends, group-committed; after each commit that wrote, the projector thread is told to read on. */
function runWriter(store: SqliteEventStore, commits: MessagePort): void {
  // Appends arrive in batches; started together, they share one commit (and one fsync).
  const append = (requests: AppendRequest[]): void => {
    const outcomes: AppendOutcome[] = [];
    let pending = requests.length;
    let wrote = false;
    for (const request of requests) {
      store
        .appendSerialized(request.stream, request.events, { expectedRevision: request.expected })
        .then(
          (result) => {
            wrote ||= result.appended.length > 0;
            outcomes.push({ id: request.id, ok: true, result });
          },
          (error: unknown) => outcomes.push({ id: request.id, ok: false, error: sendableError(error) }),
        )
        .finally(() => {
          if (--pending > 0) return;
          if (wrote) commits.postMessage('committed');
          post({ kind: 'appended', outcomes });
        });
    }
  };
  port.on('message', (message: ToLedger) => {
    switch (message.kind) {
      case 'append':
        return append(message.requests);
      case 'closeStore':
        void store.close().then(() => post({ kind: 'storeClosed' }));
        return;
      case 'shutdown':
        void store.close().then(() => {
          commits.close();
          post({ kind: 'stopped' });
          port.close();
        });
        return;
    }
  });
  post({ kind: 'ready', status: null, storeDescription: store.description });
}

/** Follows the log through its own connection and reports every committed batch to the main thread. */
function runProjector(store: SqliteEventStore, readModelsFile: string, commits: MessagePort, logger: Logger): void {
  const readModels = openReadModelDb(readModelsFile);
  const projector = new Projector(store, readModels, { logger });
  commits.on('message', () => store.noticeAppendElsewhere());

  // Every change of a batch goes to the main thread in one message, with the status after it.
  let changes: ReadModelChange[] = [];
  let lastStatus: ProjectorStatus = projector.status();
  projector.onChange((change) => changes.push(change));
  projector.onApplied(() => {
    const sent = changes;
    changes = [];
    lastStatus = projector.status();
    post({ kind: 'projected', changes: sent, status: lastStatus });
  });
  const statusTimer = setInterval(() => {
    const status = projector.status();
    if (status.phase !== lastStatus.phase || status.lastError !== lastStatus.lastError) {
      lastStatus = status;
      post({ kind: 'status', status });
    }
  }, STATUS_INTERVAL_MS);

  port.on('message', (message: ToLedger) => {
    if (message.kind !== 'shutdown') return;
    void (async () => {
      clearInterval(statusTimer);
      await projector.stop();
      // The writer has stopped: whatever it committed, the read models get before the checkpoint is left.
      await projector.catchUp();
      post({ kind: 'projected', changes: [], status: { ...projector.status(), phase: 'stopped' } });
      readModels.close();
      await store.close();
      commits.close();
      post({ kind: 'stopped' });
      port.close();
    })();
  });
  projector.start();
  post({ kind: 'ready', status: projector.status(), storeDescription: store.description });
}

function run(data: LedgerWorkerData): void {
  const logger = pino({ level: data.logLevel, base: { service: 'css-callback-ledger', thread: `ledger ${data.role}` } });
  try {
    // The writer opens the log first: it alone checks the file for damage.
    const store = SqliteEventStore.open(data.eventsFile, { checkIntegrity: data.role === 'writer' });
    if (data.role === 'writer') runWriter(store, data.commits);
    else runProjector(store, data.readModelsFile, data.commits, logger);
  } catch (error) {
    post({ kind: 'failed', error: sendableError(error) });
    data.commits.close();
  }
}

run(workerData as LedgerWorkerData);
