// The embedded store's writer thread: commits the batches it is sent, so SQLite's synchronous writes never hold up the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { commitChannel } from './logFollower';
import { SqliteEventLog } from './sqliteEventLog';
import { sendableError } from './threadErrors';
import type { FromWriter, SentOutcome, ToWriter, WriterWorkerData } from './writerMessages';

if (parentPort === null) throw new Error('sqliteWriterWorker runs as a worker thread');
const port = parentPort;
const post = (message: FromWriter) => port.postMessage(message);

function run(data: WriterWorkerData): void {
  let log: SqliteEventLog;
  try {
    // The writer opens the log first: it alone checks the file for damage, and creates or migrates it.
    log = SqliteEventLog.open(data.eventsFile, { checkIntegrity: true });
  } catch (error) {
    post({ kind: 'failed', error: sendableError(error) });
    return;
  }
  // Announced from here, so that the projector's thread reads on without waiting for the main thread to hear.
  const commits = commitChannel(log.file);
  port.on('message', (message: ToWriter) => {
    if (message.kind === 'close') {
      commits.close();
      log.close();
      post({ kind: 'closed' });
      port.close();
      return;
    }
    const { committed, outcomes } = log.commit(message.batch);
    const sent = outcomes.map((o): SentOutcome => (o.ok ? o : { ok: false, error: sendableError(o.error) }));
    post({ kind: 'committed', id: message.id, committed, outcomes: sent });
    if (outcomes.some((o) => o.ok && o.result.appended.length > 0)) commits.postMessage(null);
  });
  post({ kind: 'ready' });
}

run(workerData as WriterWorkerData);
