// The main thread's side of the projector thread: the read models' processors' progress, changes and swaps.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { receivedError } from '../eventstore/sqlite/threadErrors';
import { THREAD_STOP_TIMEOUT_MS, firstMessage, settledWithin, workerScript } from '../eventstore/workerThreads';
import { positionReached } from '../processing/positionReached';
import type { ReadModelChange } from '../processing/projectionDefinition';
import type { ServingChange } from '../processing/projectionHost';
import type { ProjectionsStatus } from '../processing/projectionsStatus';
import type { ProjectionsView } from '../processing/projectionsView';
import type { FromProjector, ProjectorWorkerData, ReadModelFiles, ToProjector } from './projectorMessages';
const EXIT_GRACE_MS = 2_000;

/**
 * The read models' processors on a thread of their own, reading the embedded log through their own connection:
 * projecting never holds up the thread that answers callbacks and queries.
 */
export class ProjectorThread implements ProjectionsView {
  private readonly changes = new EventEmitter();
  private projectorStatus: ProjectionsStatus;
  private serving: Record<string, string>;
  private running = true;
  private exitedEarly = false;
  private readonly stopped: Promise<void>;

  /** Start it once the store has created or migrated the log. */
  static async start(files: ReadModelFiles & { buildNiceness: number; backgroundNiceness: number }, logger: Logger): Promise<ProjectorThread> {
    const worker = new Worker(workerScript('ledger/projectorWorker'), {
      name: 'ledger projector',
      workerData: { ...files, logLevel: logger.level } satisfies ProjectorWorkerData,
    });
    const first = await firstMessage<FromProjector>(worker).catch((error: Error) => error);
    if (first instanceof Error || first.kind !== 'ready') {
      await worker.terminate();
      if (first instanceof Error) throw first;
      throw first.kind === 'failed' ? receivedError(first.error) : new Error(`the projector thread answered ${first.kind} while starting`);
    }
    return new ProjectorThread(worker, first, logger);
  }

  private constructor(
    private readonly worker: Worker,
    ready: { status: ProjectionsStatus; serving: Record<string, string> },
    private readonly logger: Logger,
  ) {
    this.projectorStatus = ready.status;
    this.serving = ready.serving;
    this.changes.setMaxListeners(0);
    worker.on('message', (message: FromProjector) => this.receive(message));
    worker.on('error', (error) => logger.fatal({ err: error }, 'the projector thread failed'));
    this.stopped = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.exitedEarly = this.running;
        if (this.running) logger.fatal({ code }, 'the projector thread ended unexpectedly: restart the service');
        this.projectorStatus = { ...this.projectorStatus, phase: 'stopped' };
        resolve();
      });
    });
  }

  status(): ProjectionsStatus {
    return this.projectorStatus;
  }

  servingFiles(): Record<string, string> {
    return { ...this.serving };
  }

  onChanges(listener: (changes: ReadModelChange[]) => void): () => void {
    this.changes.on('changes', listener);
    return () => this.changes.off('changes', listener);
  }

  onServing(listener: (change: ServingChange) => void): () => void {
    this.changes.on('serving', listener);
    return () => this.changes.off('serving', listener);
  }

  waitForPosition(position: bigint): Promise<void> {
    const watch = (listener: () => void) => {
      this.changes.on('applied', listener);
      return () => this.changes.off('applied', listener);
    };
    return positionReached(watch, () => this.projectorStatus.position, position);
  }

  /** Projects what the log holds, persists the checkpoints, closes the files and ends the thread (bounded in time). */
  async shutdown(): Promise<void> {
    if (this.running && !this.exitedEarly) {
      this.running = false; // from here on, the thread's exit is expected
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), THREAD_STOP_TIMEOUT_MS);
        const onMessage = (message: FromProjector) => {
          if (message.kind !== 'stopped') return;
          clearTimeout(timer);
          resolve(true);
        };
        this.worker.on('message', onMessage);
        void this.stopped.then(() => {
          clearTimeout(timer);
          resolve(true);
        });
        this.worker.postMessage({ kind: 'shutdown' } satisfies ToProjector);
      });
      if (!answered) this.logger.error(`the projector thread did not stop within ${THREAD_STOP_TIMEOUT_MS} ms: ending it`);
      if (!(await settledWithin(this.stopped, answered ? EXIT_GRACE_MS : 0))) await this.worker.terminate();
    }
    this.running = false;
    await this.stopped;
  }

  private receive(message: FromProjector): void {
    switch (message.kind) {
      case 'projected':
        this.projectorStatus = message.status;
        if (message.changes.length > 0) this.changes.emit('changes', message.changes);
        this.changes.emit('applied', message.status.position);
        return;
      case 'status':
        this.projectorStatus = message.status;
        this.changes.emit('applied', message.status.position);
        return;
      case 'serving':
        this.projectorStatus = message.status;
        this.serving = { ...this.serving, [message.change.readModel]: message.change.file };
        this.changes.emit('serving', message.change);
        this.changes.emit('applied', message.status.position);
        return;
      default:
        return; // 'stopped' is taken by shutdown()
    }
  }
}
