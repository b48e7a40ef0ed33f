// The main thread's side of the reading threads: which one a query goes to, the swaps they follow, their restarts.
import { Worker } from 'node:worker_threads';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { sendableError } from '../eventstore/sqlite/threadErrors';
import { THREAD_STOP_TIMEOUT_MS, settledWithin, workerScript } from '../eventstore/workerThreads';
import type { GraphqlConfig } from '../graphql/graphqlConfig';
import { threadError, type ThreadAnswer, type ThreadQuery } from '../graphql/readingThreadAnswers';
import type { ClientGoneWatch } from '../graphql/readingThreadsPlugin';
import type { StatisticsTurns } from '../graphql/statisticsAdmission';
import type { ServingChange } from '../processing/projectionHost';
import type { StreamHistory } from '../readmodels/services';
import type { FromReadingThread, ReadingWorkerData, ToReadingThread } from './readingMessages';

export interface ReadingThreadsOptions {
  threads: number;
  /** The file each read model is served from now; swaps come through `swap`. */
  files: Record<string, string>;
  readCacheKiB: Readonly<Record<string, number | undefined>>;
  graphql: GraphqlConfig;
  /** Streams' events for time travel, read on this thread's event store. */
  history: StreamHistory;
  /** The admission every statistic waits in, whichever thread works it out. */
  statistics: StatisticsTurns;
  logger: Logger;
}

/** The wait before a failed thread is started again, doubled on each failure in a row up to the longest. */
const RESTART_DELAY_MS = 1_000;
const LONGEST_RESTART_DELAY_MS = 60_000;
/** The longest a query waits for the threads' first start before the main thread answers it. */
const FIRST_START_MS = 10_000;

/**
 * Threads that answer GraphQL queries from read-only connections of their own. A query goes to the ready thread with
 * the fewest in hand. One that comes while they first start waits for them (the service answers CSS meanwhile); with
 * none ready after that (restarting after a failure) `ask` answers null and the main thread answers it itself, as it
 * does a query whose thread failed under it: queries only read, so asking again loses nothing.
 */
export class ReadingThreads {
  private readonly threads: ReadingThread[];
  private readonly files: Record<string, string>;
  /** Settles once each thread's first start is over (ready or failed), or once a query has waited long enough for it. */
  readonly firstStart: Promise<void>;
  private firstStartOver = false;

  constructor(private readonly options: ReadingThreadsOptions) {
    this.files = { ...options.files };
    this.threads = Array.from({ length: options.threads }, (_, index) => new ReadingThread(index, options, () => this.files));
    this.firstStart = settledWithin(this.started(), FIRST_START_MS).then(() => {
      this.firstStartOver = true;
    });
  }

  /** Settles once each thread is ready or has failed its first start. */
  started(): Promise<void> {
    return Promise.all(this.threads.map((thread) => thread.started)).then(() => undefined);
  }

  /** Threads ready to answer now. */
  get ready(): number {
    return this.threads.filter((thread) => thread.ready).length;
  }

  ask = (query: ThreadQuery, onClientGone?: ClientGoneWatch): Promise<ThreadAnswer | null> => {
    let chosen: ReadingThread | undefined;
    for (const thread of this.threads) if (thread.ready && (chosen === undefined || thread.inHand < chosen.inHand)) chosen = thread;
    if (chosen !== undefined) return chosen.ask(query, onClientGone);
    // Still starting: the query waits rather than read the files on the thread that answers CSS.
    return this.firstStartOver ? Promise.resolve(null) : this.firstStart.then(() => this.ask(query, onClientGone));
  };

  /** A read model moved to a new file: each thread reads it from there on (the main thread removes the old one). */
  swap(change: ServingChange): void {
    this.files[change.readModel] = change.file;
    for (const thread of this.threads) thread.swap(change);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.close()));
  }
}

class ReadingThread {
  private worker: Worker | null = null;
  private isReady = false;
  private closing = false;
  private failuresInRow = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (answer: ThreadAnswer | null) => void>();
  /** Statistics of this thread holding a place in the admission, each with what gives it back. */
  private readonly statistics = new Map<number, () => void>();
  private exited: Promise<void> = Promise.resolve();
  /** Settles once the first start is over, ready or not. */
  readonly started: Promise<void>;
  private startOver: () => void = () => undefined;

  constructor(
    private readonly index: number,
    private readonly options: ReadingThreadsOptions,
    private readonly files: () => Record<string, string>,
  ) {
    this.started = new Promise((resolve) => (this.startOver = resolve));
    this.start();
  }

  get ready(): boolean {
    return this.isReady;
  }

  get inHand(): number {
    return this.pending.size;
  }

  ask(query: ThreadQuery, onClientGone?: ClientGoneWatch): Promise<ThreadAnswer | null> {
    const worker = this.worker;
    if (worker === null || !this.isReady) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const unwatch = onClientGone?.(() => worker.postMessage({ kind: 'client gone', id } satisfies ToReadingThread));
      this.pending.set(id, (answer) => {
        unwatch?.();
        resolve(answer);
      });
      this.post({ kind: 'query', id, query });
    });
  }

  swap(change: ServingChange): void {
    this.post({ kind: 'swap', readModel: change.readModel, file: change.file });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    if (this.isReady) {
      this.post({ kind: 'close' });
      if (!(await settledWithin(this.exited, THREAD_STOP_TIMEOUT_MS))) await this.worker?.terminate();
    } else {
      // One still starting holds no query and reads no message until it has loaded: it is stopped at once.
      await this.worker?.terminate();
    }
    await this.exited;
  }

  private post(message: ToReadingThread): void {
    this.worker?.postMessage(message);
  }

  private start(): void {
    const { options } = this;
    const worker = new Worker(workerScript('reading/readingWorker'), {
      name: `reading thread ${this.index + 1}`,
      workerData: { files: this.files(), readCacheKiB: options.readCacheKiB, graphql: options.graphql } satisfies ReadingWorkerData,
    });
    // The service's lifetime is the main thread's: a reading thread never keeps the process alive on its own.
    worker.unref();
    this.worker = worker;
    worker.on('message', (message: FromReadingThread) => this.receive(worker, message));
    worker.on('error', (error) => options.logger.error({ err: error, thread: this.index + 1 }, 'a reading thread failed: its queries are answered on the main thread'));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    void this.exited.then(() => this.ended(worker));
  }

  private receive(worker: Worker, message: FromReadingThread): void {
    switch (message.kind) {
      case 'ready':
        this.isReady = true;
        this.failuresInRow = 0;
        this.startOver();
        return;
      case 'answer':
        this.settle(message.id, message.answer);
        return;
      case 'failed':
        this.options.logger.error({ thread: this.index + 1, error: message.message }, 'a reading thread could not answer a query: it is answered on the main thread');
        this.settle(message.id, null);
        return;
      case 'statistic':
        this.admit(worker, message.id);
        return;
      case 'statistic done':
        this.statistics.get(message.id)?.();
        return;
      case 'history':
        this.options.history.eventsOf(message.stream).then(
          (events) => worker.postMessage({ kind: 'history', id: message.id, events } satisfies ToReadingThread),
          (error: unknown) => worker.postMessage({ kind: 'history failed', id: message.id, error: sendableError(error) } satisfies ToReadingThread),
        );
        return;
    }
  }

  /** A statistic of the thread waits for its turn here, and holds its place until the thread says it is done. */
  private admit(worker: Worker, id: number): void {
    const post = (message: ToReadingThread) => worker.postMessage(message);
    try {
      this.options.statistics
        .workOut(
          () =>
            new Promise<void>((done) => {
              // The thread that asked ended while its statistic waited: the place goes to the next one at once.
              if (this.worker !== worker) return done();
              this.statistics.set(id, () => {
                this.statistics.delete(id);
                done();
              });
              post({ kind: 'statistic admitted', id });
            }),
        )
        .catch((error: unknown) => post({ kind: 'statistic refused', id, refusal: threadError(ensureGraphqlError(error)) }));
    } catch (refusal) {
      post({ kind: 'statistic refused', id, refusal: threadError(ensureGraphqlError(refusal)) });
    }
  }

  private settle(id: number, answer: ThreadAnswer | null): void {
    this.pending.get(id)?.(answer);
    this.pending.delete(id);
  }

  /** Its queries in hand are answered on the main thread; unless the service is stopping, it starts again. */
  private ended(worker: Worker): void {
    if (this.worker !== worker) return;
    this.startOver();
    this.isReady = false;
    this.worker = null;
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
    // Its statistics give their places back: the thread that worked them out is gone.
    for (const done of [...this.statistics.values()]) done();
    if (this.closing) return;
    const delay = Math.min(RESTART_DELAY_MS * 2 ** this.failuresInRow, LONGEST_RESTART_DELAY_MS);
    this.failuresInRow += 1;
    this.options.logger.warn({ thread: this.index + 1, restartInMs: delay }, 'a reading thread ended: it starts again');
    this.restartTimer = setTimeout(() => this.start(), delay);
    this.restartTimer.unref();
  }
}

const ensureGraphqlError = (error: unknown): GraphQLError =>
  error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error));
