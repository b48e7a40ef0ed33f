// The background lane's own thread: its files written there, at a lower CPU priority, so a batch of the foreground lane
// (what subscribers follow) never waits on the projector thread for an insights or timeline transaction; the files'
// WAL checkpoints are made there too.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RecordedEvent } from '../eventstore/eventStore';
import { THREAD_STOP_TIMEOUT_MS, settledWithin, workerScript } from '../eventstore/workerThreads';
import { FatalProcessingError } from './processor';
import type { ProjectionDefinition } from './projectionDefinition';
import { openForReading, readCheckpoint, type Checkpoint } from './readModelFile';
import { checkpointFailedMessage, type WalCheckpointFiles } from './walCheckpoints';

export interface BackgroundThreadData {
  eventsFile: string;
  /** Nice value the thread gives itself; 0 leaves it as started. */
  niceness: number;
  /** The log's and the live read models' WAL checkpoints are made there too (walCheckpoints.ts), when given. */
  checkpoints?: Omit<WalCheckpointFiles, 'eventsFile'>;
}

/** Each file by its path: opened, brought to a position, marked retired, closed; then the thread ends. */
export type ToBackgroundThread =
  | { kind: 'open'; file: string; readModel: string }
  | { kind: 'apply'; id: number; file: string; through: bigint }
  | { kind: 'retire'; file: string }
  | { kind: 'close'; file: string }
  | { kind: 'stop' };

export type FromBackgroundThread =
  | { kind: 'started'; threadId: number | null; niceness: number | null }
  | { kind: 'applied'; id: number; checkpoint: Checkpoint; changes: unknown[] }
  | { kind: 'failed'; id: number; message: string; fatal: boolean }
  | { kind: 'checkpointFailed'; file: string; message: string };

/**
 * The thread as the projector thread sees it: files opened there, and each batch applied there in turn. A thread that
 * ends before it is stopped (out of memory, say) fails the batches it had not answered, and the lane's retry starts
 * another one with the same files open, each from its checkpoint on disk.
 */
export class BackgroundThread {
  private worker!: Worker;
  private readonly waiting = new Map<number, { resolve: (applied: { checkpoint: Checkpoint; changes: unknown[] }) => void; reject: (error: Error) => void }>();
  /** The files open there (path → read model): opened again on a thread started after one ended. */
  private readonly files = new Map<string, string>();
  private nextId = 1;
  private ended: Error | null = null;
  private stopping = false;
  private exited!: Promise<void>;
  /** Threads started after one ended on its own. */
  private restarts = 0;

  constructor(
    private readonly data: BackgroundThreadData,
    private readonly logger?: Logger,
  ) {
    this.startThread();
  }

  private startThread(): void {
    const worker = new Worker(workerScript('processing/backgroundWorker'), { name: 'background projections', workerData: this.data });
    this.worker = worker;
    this.ended = null;
    worker.on('message', (message: FromBackgroundThread) => {
      if (message.kind === 'started') {
        this.logger?.info({ threadId: message.threadId, niceness: message.niceness }, `background read models on a thread of their own (nice ${message.niceness ?? 'unchanged'})`);
        return;
      }
      if (message.kind === 'checkpointFailed') {
        this.logger?.warn({ file: message.file }, checkpointFailedMessage(message.file, message.message));
        return;
      }
      const waiting = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.kind === 'applied') waiting?.resolve(message);
      else waiting?.reject(message.fatal ? new FatalProcessingError(message.message) : new Error(message.message));
    });
    worker.on('error', (error) => this.logger?.error({ err: error }, 'the background read models thread failed'));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        // A batch that was never answered is applied again from the files' checkpoints by the lane's retry.
        this.ended = new Error(`the background read models thread ended (exit code ${code})`);
        if (!this.stopping) this.logger?.error({ exitCode: code }, 'the background read models thread ended; the next batch starts another');
        for (const { reject } of this.waiting.values()) reject(this.ended);
        this.waiting.clear();
        resolve();
      }),
    );
    // A file is closed as soon as it is retired (a swap does both at once): what is open is live.
    for (const [file, readModel] of this.files) worker.postMessage({ kind: 'open', file, readModel } satisfies ToBackgroundThread);
  }

  /** Opens a live file there; its checkpoint is read here first, so the lane knows where it stands at once. */
  open<Change>(file: string, definition: ProjectionDefinition<Change>): RemoteProjectionFile<Change> {
    this.files.set(file, definition.name);
    this.post({ kind: 'open', file, readModel: definition.name });
    return new RemoteProjectionFile(this, file, definition);
  }

  /** Brings a file there up to `through` (its events read from the log there); its checkpoint and changes after. */
  applyThrough(file: string, through: bigint): Promise<{ checkpoint: Checkpoint; changes: unknown[] }> {
    if (this.ended !== null) {
      if (this.stopping) return Promise.reject(this.ended);
      this.restarts++;
      this.logger?.warn({ restarts: this.restarts }, 'the background read models thread starts again, its files each from its checkpoint');
      this.startThread();
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ kind: 'apply', id, file, through });
    });
  }

  retire(file: string): void {
    this.post({ kind: 'retire', file });
  }

  close(file: string): void {
    this.files.delete(file);
    this.post({ kind: 'close', file });
  }

  private post(message: ToBackgroundThread): void {
    if (this.ended === null) this.worker.postMessage(message);
  }

  /** Closes its files (after what was asked before) and ends it. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.post({ kind: 'stop' });
    if (!(await settledWithin(this.exited, THREAD_STOP_TIMEOUT_MS))) await this.worker.terminate();
  }
}

/** A live file of the background lane as the lane holds it: where it stands, and its batches applied on the thread. */
export class RemoteProjectionFile<Change = unknown> {
  private current: Checkpoint;

  constructor(
    private readonly thread: BackgroundThread,
    readonly file: string,
    readonly definition: ProjectionDefinition<Change>,
  ) {
    const db = openForReading(file);
    try {
      this.current = readCheckpoint(db);
    } finally {
      db.close();
    }
  }

  get name(): string {
    return this.definition.name;
  }

  get checkpoint(): Checkpoint {
    return this.current;
  }

  /** Applies the events after its checkpoint, on the thread; the changes, once committed there. */
  async apply(events: readonly RecordedEvent[]): Promise<Change[]> {
    const through = events[events.length - 1]!.position;
    if (through <= this.current.position) return [];
    const { checkpoint, changes } = await this.thread.applyThrough(this.file, through);
    this.current = checkpoint;
    return changes as Change[];
  }

  markRetired(): void {
    this.thread.retire(this.file);
  }

  close(): void {
    this.thread.close(this.file);
  }
}
