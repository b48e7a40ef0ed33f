// The embedded files' WAL checkpoints, on a thread of their own: the writer and the projector commit without copying pages back.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { THREAD_STOP_TIMEOUT_MS, settledWithin, workerScript } from '../eventstore/workerThreads';

export interface WalCheckpointsData {
  /** The embedded log; null with EventStoreDB (the read models only). */
  eventsFile: string | null;
  readModelsRoot: string;
  /** How often the log's WAL is checkpointed. */
  logIntervalMs: number;
  /** How often each live read model's is. */
  readModelIntervalMs: number;
}

export type FromWalCheckpoints = { kind: 'failed'; file: string; message: string };

/** The log every 250 ms (at 3,000 callbacks/s its WAL grows by ~15 MB a second), the read models every second. */
export const CHECKPOINT_INTERVALS = { logIntervalMs: 250, readModelIntervalMs: 1000 } as const;

/**
 * SQLite copies a WAL back into its database (a checkpoint, with an fsync) in the commit that finds the WAL past a
 * threshold: on the writer thread, a callback's 200 waited for it; on the projector thread, a subscriber did. Here a
 * connection of its own checkpoints the log and every live read model PASSIVE-ly (never waiting for a reader or a
 * writer), so their own connections' threshold (`WAL_AUTOCHECKPOINT_PAGES`) is only a safety net.
 */
export class WalCheckpoints {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(data: Pick<WalCheckpointsData, 'eventsFile' | 'readModelsRoot'> & Partial<WalCheckpointsData>, logger?: Logger) {
    this.worker = new Worker(workerScript('ledger/walCheckpointsWorker'), {
      name: 'wal checkpoints',
      workerData: { ...CHECKPOINT_INTERVALS, ...data } satisfies WalCheckpointsData,
    });
    this.worker.on('message', (message: FromWalCheckpoints) =>
      logger?.warn({ file: message.file }, `WAL checkpoint of ${message.file} failed (its own connections checkpoint it meanwhile): ${message.message}`),
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
