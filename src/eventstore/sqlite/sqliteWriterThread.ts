// The embedded store as the service runs it: appends committed on a writer thread of its own, reads and subscriptions here.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../eventStore';
import { THREAD_STOP_TIMEOUT_MS, firstMessage, settledWithin, workerScript } from '../workerThreads';
import { SqliteEventLog, type BatchOutcome, type SerializedAppend } from './sqliteEventLog';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqliteEventStore';
import { receivedError } from './threadErrors';
import type { FromWriter, ToWriter, WriterWorkerData } from './writerMessages';
const EXIT_GRACE_MS = 2_000;

export interface SqliteWriterThreadOptions extends SqliteEventStoreOptions {
  /** Where an unexpected end of the writer thread is reported. */
  logger?: Logger;
}

/**
 * SQLite's writes are synchronous: on the thread that answers HTTP, every fsync would hold up every request. Here a
 * turn's appends are serialized and batched on this thread, committed as one transaction on the writer, and
 * answered once durable; reads run on this thread through a second connection (WAL lets it read while the writer
 * commits), and subscriptions hear of each commit at once.
 */
export class SqliteWriterThread extends SqliteEventStore {
  static async start(file: string, options: SqliteWriterThreadOptions = {}): Promise<SqliteWriterThread> {
    const writer = await WriterConnection.start(path.resolve(file), options.logger);
    let log: SqliteEventLog;
    try {
      // Opened after the writer has created or migrated the file.
      log = SqliteEventLog.open(file);
    } catch (error) {
      await writer.close();
      throw error;
    }
    return new SqliteWriterThread(log, writer, options);
  }

  private constructor(
    log: SqliteEventLog,
    private readonly writer: WriterConnection,
    options: SqliteWriterThreadOptions,
  ) {
    super(log, options, (batch) => writer.commit(batch));
  }

  protected override async closeLog(): Promise<void> {
    await this.writer.close();
    await super.closeLog();
  }
}

/** The writer thread, from this side: batches out, outcomes back, errors known by their slug. */
class WriterConnection {
  private readonly pending = new Map<number, { size: number; answer(outcome: BatchOutcome): void }>();
  private nextId = 1;
  private alive = true;
  private closing = false;
  private readonly exited: Promise<void>;

  static async start(eventsFile: string, logger: Logger | undefined): Promise<WriterConnection> {
    const worker = new Worker(workerScript('eventstore/sqlite/sqliteWriterWorker'), {
      name: 'sqlite writer',
      workerData: { eventsFile } satisfies WriterWorkerData,
    });
    const first = await firstMessage<FromWriter>(worker).catch((error: Error) => error);
    if (first instanceof Error || first.kind !== 'ready') {
      await worker.terminate();
      if (first instanceof Error) throw first;
      throw first.kind === 'failed' ? receivedError(first.error) : new Error(`the writer thread answered ${first.kind} while starting`);
    }
    return new WriterConnection(worker, eventsFile, logger);
  }

  private constructor(
    private readonly worker: Worker,
    private readonly eventsFile: string,
    private readonly logger: Logger | undefined,
  ) {
    worker.on('message', (message: FromWriter) => {
      if (message.kind !== 'committed') return;
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      pending?.answer({
        committed: message.committed,
        outcomes: message.outcomes.map((o) => (o.ok ? o : { ok: false, error: receivedError(o.error) })),
      });
    });
    worker.on('error', (error) => logger?.fatal({ err: error }, 'the event store writer thread failed'));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.alive = false;
        if (!this.closing) logger?.fatal({ code }, 'the event store writer thread ended unexpectedly: restart the service');
        const error = new StoreUnavailableError(`sqlite:${eventsFile}: the writer thread ended`);
        for (const { size, answer } of this.pending.values()) answer({ committed: false, outcomes: Array.from({ length: size }, () => ({ ok: false, error })) });
        this.pending.clear();
        resolve();
      });
    });
  }

  commit(batch: SerializedAppend[]): Promise<BatchOutcome> {
    if (!this.alive) return Promise.reject(new StoreUnavailableError(`sqlite:${this.eventsFile}: the writer thread ended`));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { size: batch.length, answer: resolve });
      this.worker.postMessage({ kind: 'commit', id, batch } satisfies ToWriter);
    });
  }

  /** Commits already sent are answered first (messages keep their order); bounded, so a stuck thread cannot hold up a stop. */
  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    if (this.alive) {
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), THREAD_STOP_TIMEOUT_MS);
        this.worker.on('message', (message: FromWriter) => {
          if (message.kind !== 'closed') return;
          clearTimeout(timer);
          resolve(true);
        });
        void this.exited.then(() => {
          clearTimeout(timer);
          resolve(true);
        });
        this.worker.postMessage({ kind: 'close' } satisfies ToWriter);
      });
      if (!answered) this.logger?.error(`the event store writer thread did not close within ${THREAD_STOP_TIMEOUT_MS} ms: ending it`);
      if (!(await settledWithin(this.exited, answered ? EXIT_GRACE_MS : 0))) await this.worker.terminate();
    }
    await this.exited;
  }
}
