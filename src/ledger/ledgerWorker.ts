// The ledger's threads: one writes the embedded event log, one projects it; neither holds up the thread that answers HTTP.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import { SqliteEventStore } from '../eventstore/sqliteEventStore';
import { ProjectionHost } from '../processing/projectionHost';
import type { ReadModelChange } from '../processing/projectionDefinition';
import type { ProjectionsStatus } from '../processing/projectionsStatus';
import { PROJECTIONS } from '../readmodels';
import {
  sendableError,
  type AppendOutcome,
  type AppendRequest,
  type FromLedger,
  type LedgerWorkerData,
  type ReadModelFiles,
  type ToLedger,
} from './ledgerMessages';

/** How often a status change without a batch (retrying, recovered, the log's head) reaches the main thread. */
const STATUS_INTERVAL_MS = 250;
/**
 * Commits the projector gathers before it reads on: each batch costs a transaction in every read-model file, so under
 * load a few commits per batch halve that cost, for at most this much added delay before a subscriber hears.
 */
const GATHER_COMMITS_MS = 10;

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
  post({ kind: 'ready', projections: null, storeDescription: store.description });
}

/** Keeps the read models through its own connection to the log, and reports every committed batch to the main thread. */
async function runProjector(store: SqliteEventStore, files: ReadModelFiles, commits: MessagePort, logger: Logger): Promise<void> {
  // Only the projections: the read models' GraphQL side is never loaded on this thread.
  const host = new ProjectionHost({ store, definitions: PROJECTIONS, root: files.readModelsRoot, legacyFile: files.legacyFile, logger, answerRequests: true });
  let gathering: NodeJS.Timeout | undefined;
  commits.on('message', () => {
    gathering ??= setTimeout(() => {
      gathering = undefined;
      store.noticeAppendElsewhere();
    }, GATHER_COMMITS_MS);
  });

  host.start();
  await host.settled(1000);
  post({ kind: 'ready', projections: { status: host.status(), serving: host.servingFiles() }, storeDescription: store.description });
  // From here on the main thread hears of every batch and swap ('ready' said where things stood), each batch's
  // changes in one message with the status after it.
  let changes: ReadModelChange[] = [];
  // What the main thread was last sent, compared (as a signature) only when the timer looks for a change.
  let lastSent: ProjectionsStatus | null = null;
  const send = (message: FromLedger & { status: ProjectionsStatus }) => {
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

  port.on('message', (message: ToLedger) => {
    if (message.kind !== 'shutdown') return;
    void (async () => {
      clearInterval(statusTimer);
      clearTimeout(gathering);
      // The writer has stopped: whatever it committed, the read models get before their checkpoints are left.
      await host.stop({ catchUp: true });
      post({ kind: 'projected', changes, status: host.status() });
      await store.close();
      commits.close();
      post({ kind: 'stopped' });
      port.close();
    })();
  });
}

/** What the main thread shows of the status: sent again only when it differs. */
const signature = (status: ProjectionsStatus): string =>
  JSON.stringify(status, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

function run(data: LedgerWorkerData): void {
  const logger = pino({ level: data.logLevel, base: { service: 'css-callback-ledger', thread: `ledger ${data.role}` } });
  try {
    // The writer opens the log first: it alone checks the file for damage.
    const store = SqliteEventStore.open(data.eventsFile, { checkIntegrity: data.role === 'writer' });
    if (data.role === 'writer') runWriter(store, data.commits);
    else runProjector(store, data, data.commits, logger).catch(failed);
  } catch (error) {
    failed(error);
  }
  function failed(error: unknown): void {
    post({ kind: 'failed', error: sendableError(error) });
    data.commits.close();
  }
}

run(workerData as LedgerWorkerData);
