// The main thread's side of the ledger threads: an EventStore whose appends run on the writer, and the projector's progress.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import {
  StoreUnavailableError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
} from '../eventstore/eventStore';
import { serializeEvents, SqliteEventStore } from '../eventstore/sqliteEventStore';
import { positionReached } from '../processing/positionReached';
import type { ReadModelChange } from '../processing/projectionDefinition';
import type { ServingChange } from '../processing/projectionHost';
import type { ProjectionsStatus } from '../processing/projectionsStatus';
import type { ProjectionsView } from '../processing/projectionsView';
import { receivedError, type AppendRequest, type FromLedger, type LedgerWorkerData, type ReadModelFiles, type ToLedger } from './ledgerMessages';

/**
 * The compiled worker beside this file; when this file runs from source (the test runner compiles on the fly),
 * the build of the same source in dist/, which the integration tests' setup writes first.
 */
function workerFile(): string {
  const beside = path.join(__dirname, 'ledgerWorker.js');
  if (existsSync(beside)) return beside;
  return path.join(__dirname, '..', '..', 'dist', 'ledger', 'ledgerWorker.js');
}

/** How long each ledger thread gets to stop cleanly, and then to exit, at shutdown. */
const SHUTDOWN_TIMEOUT_MS = 15_000;
const EXIT_GRACE_MS = 2_000;

interface PendingAppend {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The embedded store on threads of its own: a writer and a projector (the read models' processors). Appends (JSON-serialized here, so the thread only binds strings) travel in
 * one message per event-loop turn and share the store's group commit; the reply comes once they are durable.
 * Reads run on this thread through a second connection to the same file (WAL lets it read while the writer commits).
 */
export class LedgerThread implements EventStore, ProjectionsView {
  readonly description: string;
  private readonly changes = new EventEmitter();
  private projectorStatus: ProjectionsStatus;
  private serving: Record<string, string>;
  private queued: AppendRequest[] = [];
  private scheduledPost: NodeJS.Immediate | undefined;
  private readonly pending = new Map<number, PendingAppend>();
  private nextId = 1;
  private storeOpen = true;
  private running = true;
  private readonly exitedThreads = new Set<Worker>();
  private readonly writerStopped: Promise<void>;
  private readonly projectorStopped: Promise<void>;

  static async start(files: { eventsFile: string } & ReadModelFiles, logger: Logger): Promise<LedgerThread> {
    // The writer tells the projector about each commit directly, without a detour through this thread.
    const commits = new MessageChannel();
    // Named, so that thread listings and profiles say which is which.
    const writer = new Worker(workerFile(), {
      name: 'ledger writer',
      workerData: { role: 'writer', eventsFile: files.eventsFile, logLevel: logger.level, commits: commits.port1 } satisfies LedgerWorkerData,
      transferList: [commits.port1],
    });
    // One after the other: the writer creates or migrates the file (and turns WAL on) before anyone else opens it.
    const fromWriter = await firstMessage(writer).catch((error: Error) => error);
    if (fromWriter instanceof Error || fromWriter.kind !== 'ready') {
      await writer.terminate();
      commits.port2.close();
      throw fromWriter instanceof Error ? fromWriter : startFailure(fromWriter);
    }
    const projector = new Worker(workerFile(), {
      name: 'projector',
      workerData: { role: 'projector', ...files, logLevel: logger.level, commits: commits.port2 } satisfies LedgerWorkerData,
      transferList: [commits.port2],
    });
    const fromProjector = await firstMessage(projector).catch((error: Error) => error);
    if (fromProjector instanceof Error || fromProjector.kind !== 'ready' || fromProjector.projections === null) {
      await Promise.all([writer.terminate(), projector.terminate()]);
      throw fromProjector instanceof Error ? fromProjector : startFailure(fromProjector);
    }
    // Opened after the threads have created or migrated the file.
    let reader: SqliteEventStore;
    try {
      reader = SqliteEventStore.open(files.eventsFile);
    } catch (error) {
      await Promise.all([writer.terminate(), projector.terminate()]);
      throw error;
    }
    return new LedgerThread(writer, projector, reader, fromProjector.projections, logger);
  }

  private constructor(
    private readonly writer: Worker,
    private readonly projector: Worker,
    private readonly reader: SqliteEventStore,
    projections: { status: ProjectionsStatus; serving: Record<string, string> },
    private readonly logger: Logger,
  ) {
    this.description = reader.description;
    this.projectorStatus = projections.status;
    this.serving = projections.serving;
    this.changes.setMaxListeners(0);
    for (const worker of [writer, projector]) {
      worker.on('message', (message: FromLedger) => this.receive(message));
      worker.on('error', (error) => logger.fatal({ err: error }, 'a ledger thread failed'));
    }
    const ended = (worker: Worker, what: string) =>
      new Promise<void>((resolve) => {
        worker.once('exit', (code) => {
          this.exitedThreads.add(worker);
          if (this.running) logger.fatal({ code }, `the ledger's ${what} thread ended unexpectedly: restart the service`);
          resolve();
        });
      });
    this.writerStopped = ended(writer, 'writer').then(() => {
      this.storeOpen = false;
      this.failPending(new StoreUnavailableError(`${this.description}: the ledger's writer thread ended`));
    });
    this.projectorStopped = ended(projector, 'projector').then(() => {
      this.projectorStatus = { ...this.projectorStatus, phase: 'stopped' };
    });
  }

  // ---- EventStore ----

  appendToStream(stream: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (!this.storeOpen) return Promise.reject(new StoreUnavailableError(`${this.description} is closed`));
    let serialized;
    try {
      serialized = serializeEvents(events);
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this.nextId++;
    this.queued.push({ id, stream, events: serialized, expected: options.expectedRevision ?? 'any' });
    this.scheduledPost ??= setImmediate(() => this.postAppends());
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.reader.readStream(stream, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.reader.readAll(options);
  }

  headPosition(): Promise<bigint> {
    return this.reader.headPosition();
  }

  subscribeToAll(options?: SubscribeToAllOptions): AsyncIterable<RecordedEvent> {
    return this.reader.subscribeToAll(options);
  }

  async checkHealth(): Promise<void> {
    if (!this.storeOpen) throw new StoreUnavailableError(`${this.description} is closed`);
    await this.reader.checkHealth();
  }

  /** Closes the store (appends are refused from now on); the thread and the projector stop in shutdown(). */
  async close(): Promise<void> {
    if (!this.storeOpen) return;
    this.storeOpen = false;
    this.flushQueue();
    await request(this.writer, { kind: 'closeStore' }, 'storeClosed');
    await this.reader.close();
  }

  // ---- ProjectionsView ----

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
    return positionReached(this.changes, () => this.projectorStatus.position, position);
  }

  /** Stops writing, then projects what was written, persists the checkpoint, closes the files and ends both threads. */
  async shutdown(): Promise<void> {
    if (this.running) {
      this.running = false; // from here on, the threads' exits are expected
      this.storeOpen = false;
      this.flushQueue();
      const threads = [
        [this.writer, this.writerStopped, 'writer'],
        [this.projector, this.projectorStopped, 'projector'],
      ] as const;
      for (const [worker, stopped, what] of threads) {
        if (this.exitedThreads.has(worker)) continue; // ended already (and said so)
        // Bounded: a thread that does not finish in time is ended, and said so, rather than holding up the exit.
        const answered = await request(worker, { kind: 'shutdown' }, 'stopped', SHUTDOWN_TIMEOUT_MS);
        if (!answered && !this.exitedThreads.has(worker)) {
          this.logger.error(`the ledger's ${what} thread did not stop within ${SHUTDOWN_TIMEOUT_MS} ms: ending it`);
        }
        if (!(await settledWithin(stopped, answered ? EXIT_GRACE_MS : 0))) await worker.terminate();
      }
    }
    await Promise.all([this.writerStopped, this.projectorStopped]);
    await this.reader.close();
  }

  private flushQueue(): void {
    if (this.scheduledPost !== undefined) clearImmediate(this.scheduledPost);
    this.postAppends();
  }

  private postAppends(): void {
    this.scheduledPost = undefined;
    if (this.queued.length === 0) return;
    const requests = this.queued;
    this.queued = [];
    this.writer.postMessage({ kind: 'append', requests } satisfies ToLedger);
  }

  private receive(message: FromLedger): void {
    switch (message.kind) {
      case 'appended': {
        let wrote = false;
        for (const outcome of message.outcomes) {
          const pending = this.pending.get(outcome.id);
          if (pending === undefined) continue;
          this.pending.delete(outcome.id);
          if (outcome.ok) {
            wrote ||= outcome.result.appended.length > 0;
            pending.resolve(outcome.result);
          } else {
            pending.reject(receivedError(outcome.error));
          }
        }
        if (wrote) this.reader.noticeAppendElsewhere();
        return;
      }
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
        return; // answers to requests are taken by request()
    }
  }

  private failPending(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/**
 * Whether `promise` settles within `ms`. The timer keeps the process alive meanwhile: with nothing else pending,
 * Node would otherwise end the process in the middle of a shutdown.
 */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function startFailure(message: FromLedger): Error {
  return message.kind === 'failed' ? receivedError(message.error) : new Error(`a ledger thread answered ${message.kind} while starting`);
}

/** The first thing a starting ledger thread says: ready, or why it could not open its files. */
function firstMessage(worker: Worker): Promise<FromLedger> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => settle(() => reject(new Error(`a ledger thread exited with code ${code} while starting`)));
    const onMessage = (message: FromLedger) => settle(() => resolve(message));
    const onError = (error: Error) => settle(() => reject(error));
    function settle(done: () => void) {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      done();
    }
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/** Sends a request; resolves true on its answer, false when the thread ended or did not answer within `timeoutMs`. */
function request(worker: Worker, message: ToLedger, answer: FromLedger['kind'], timeoutMs = Infinity): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (reply: FromLedger) => {
      if (reply.kind === answer) done(true);
    };
    const onExit = () => done(false);
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => done(false), timeoutMs) : undefined;
    function done(answered: boolean) {
      clearTimeout(timer);
      worker.off('message', onMessage).off('exit', onExit);
      resolve(answered);
    }
    worker.on('message', onMessage).once('exit', onExit);
    worker.postMessage(message);
  });
}
