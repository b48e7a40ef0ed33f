// A shadow build's own thread: rebuilds read-model files from the embedded log at a lower CPU priority, up to the log's head.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { THREAD_STOP_TIMEOUT_MS, settledWithin, workerScript } from '../eventstore/workerThreads';
import type { ProcessorStatus } from './processor';
import type { BuildWrites } from './readModelFile';

export interface BuildThreadData {
  eventsFile: string;
  /** The files to build, each of a read model by name: opened by the thread, closed again before it ends. */
  files: Array<{ readModel: string; file: string }>;
  /** Nice value the thread gives itself (Linux schedules threads by their own); 0 leaves it as started. */
  niceness: number;
  batchSize: number;
  /** How the files are written while they build. */
  writes: BuildWrites;
}

export type ToBuildThread = { kind: 'stop' };

/** caught-up: every file stands at the log's head as last read; stopped: asked to; failed: the processor stopped on an error. */
export type BuildThreadEnd = 'caught-up' | 'stopped' | 'failed';

export type FromBuildThread =
  | { kind: 'started'; threadId: number | null; niceness: number | null }
  | { kind: 'progress'; status: ProcessorStatus }
  | { kind: 'finished'; end: BuildThreadEnd; status: ProcessorStatus };

/**
 * The thread's side as its starter sees it: where the build stands, and how it ended. The files are the thread's until
 * `finished` resolves: the starter neither writes them nor swaps them in meanwhile.
 */
export class BuildThread {
  private readonly worker: Worker;
  private latest: ProcessorStatus;
  readonly finished: Promise<BuildThreadEnd>;

  constructor(
    data: BuildThreadData,
    initial: ProcessorStatus,
    onProgress: (status: ProcessorStatus) => void,
    private readonly logger?: Logger,
  ) {
    this.latest = initial;
    const worker = new Worker(workerScript('processing/buildWorker'), { name: 'read-model build', workerData: data });
    this.worker = worker;
    this.finished = new Promise((resolve) => {
      let end: BuildThreadEnd = 'failed';
      worker.on('message', (message: FromBuildThread) => {
        if (message.kind === 'started') {
          logger?.info(
            { readModels: data.files.map((f) => f.readModel), threadId: message.threadId, niceness: message.niceness },
            `building ${data.files.map((f) => f.readModel).join(', ')} on a thread of its own (nice ${message.niceness ?? 'unchanged'})`,
          );
          return;
        }
        this.latest = message.status;
        onProgress(message.status);
        if (message.kind === 'finished') end = message.end;
      });
      worker.on('error', (error) => logger?.error({ err: error }, 'the read-model build thread failed'));
      worker.once('exit', () => resolve(end));
    });
  }

  status(): ProcessorStatus {
    return this.latest;
  }

  /** Asks the thread to end after its batch (its files keep what it committed), and waits for it to end. */
  async stop(): Promise<BuildThreadEnd> {
    this.worker.postMessage({ kind: 'stop' } satisfies ToBuildThread);
    if (!(await settledWithin(this.finished, THREAD_STOP_TIMEOUT_MS))) {
      this.logger?.warn('the read-model build thread did not stop in time: ended; its build resumes from its last commit');
      await this.worker.terminate();
    }
    return this.finished;
  }
}
