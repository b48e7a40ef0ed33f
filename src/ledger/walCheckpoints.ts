// With EventStoreDB, the read models' (and forwarding's) WAL checkpoints on a thread of their own: the main thread, which writes the read models, never copies pages back.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { THREAD_STOP_TIMEOUT_MS, settledWithin, workerScript } from '../eventstore/workerThreads';
import { CHECKPOINT_INTERVALS, checkpointFailedMessage, type WalCheckpointFiles } from '../processing/walCheckpoints';

export type FromWalCheckpoints = { kind: 'failed'; file: string; message: string };

/**
 * With the embedded store the background read models' thread checkpoints the log and every live read model (see
 * processing/walCheckpoints.ts); with EventStoreDB there is no such thread, and the read models are written on the
 * thread that answers HTTP, so their checkpoints get this one.
 */
export class WalCheckpoints {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(files: Pick<WalCheckpointFiles, 'eventsFile' | 'readModelsRoot' | 'checkpointedAlongside'> & Partial<WalCheckpointFiles>, logger?: Logger) {
    this.worker = new Worker(workerScript('ledger/walCheckpointsWorker'), {
      name: 'wal checkpoints',
      workerData: { ...CHECKPOINT_INTERVALS, ...files } satisfies WalCheckpointFiles,
    });
    this.worker.on('message', (message: FromWalCheckpoints) =>
      logger?.warn({ file: message.file }, checkpointFailedMessage(message.file, message.message)),
    );
    this.worker.on('error', (error) => logger?.error({ err: error }, 'the WAL checkpoints thread failed; each file is checkpointed by its writer meanwhile'));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Ends the thread; each file's last checkpoint is its writer's, at close. */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    if (!(await settledWithin(this.exited, THREAD_STOP_TIMEOUT_MS))) await this.worker.terminate();
  }
}
