// What the SQLite adapter promises beyond the contract: durability across reopen, group commit, failures, lifecycle.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { NewEvent, RecordedEvent, StoreUnavailableError } from '../../src/eventstore/eventStore';
import { READ_ALL_DEFAULT_MAX_COUNT, SqliteEventStore, SqliteEventStoreOptions } from '../../src/eventstore/sqlite/sqliteEventStore';
import { SqliteWriterThread } from '../../src/eventstore/sqlite/sqliteWriterThread';
import { workerScript } from '../../src/eventstore/workerThreads';

const newEvent = (data: NewEvent['data'] = {}): NewEvent => ({ id: randomUUID(), type: 'Tested', data });

/** The first `count` events of one stream, or fewer if the subscription ends first. */
async function collect(iterable: AsyncIterable<RecordedEvent>, stream: string, count: number): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  for await (const event of iterable) {
    if (event.stream === stream) seen.push(event);
    if (seen.length === count) break;
  }
  return seen;
}

describe('SqliteEventStore', () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventStore[] = [];
  const open = (options?: SqliteEventStoreOptions): SqliteEventStore => {
    const store = SqliteEventStore.open(file, options);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-sqlite-'));
    file = path.join(dir, 'nested', 'folder', 'events.db');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('given a path in a missing folder, when opened, then the folder is created and the description names the absolute file', () => {
    const store = open();
    expect(fs.existsSync(file)).toBe(true);
    expect(store.description).toBe(`sqlite:${path.resolve(file)}`);
  });

  it('given events appended and the store closed, when the file is reopened, then everything is there and revisions and positions continue', async () => {
    const first = open();
    const early = await first.appendToStream('session-1', [newEvent({ n: 0 }), newEvent({ n: 1 })]);
    await first.appendToStream('relaytask-1', [newEvent({ n: 2 })]);
    await first.close();

    const reopened = open();
    const all = await reopened.readAll();
    const next = await reopened.appendToStream('session-1', [newEvent({ n: 3 })], { expectedRevision: 1n });

    expect(all.map((e) => e.data.n)).toEqual([0, 1, 2]);
    expect(all[1]!.position).toBe(early.position);
    expect(next.nextExpectedRevision).toBe(2n);
    expect(next.position).toBe(all[2]!.position + 1n);
    const schema = new Database(file, { readonly: true });
    expect(schema.pragma('user_version', { simple: true })).toBe(2);
    schema.close();
  });

  it('given a log of schema version 1 (with its table of streams), when opened, then that table is dropped and its streams go on from their revisions', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec(`
      CREATE TABLE events (
        position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL,
        type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at INTEGER NOT NULL,
        UNIQUE (stream, revision), UNIQUE (stream, event_id)
      ) STRICT;
      CREATE TABLE streams (stream TEXT PRIMARY KEY, revision INTEGER NOT NULL) STRICT, WITHOUT ROWID;
      INSERT INTO events (event_id, stream, revision, type, data, metadata, recorded_at) VALUES
        ('a', 'session-1', 0, 'Tested', '{"n":0}', '{}', 1), ('b', 'session-1', 1, 'Tested', '{"n":1}', '{}', 2),
        ('c', 'relaytask-1', 0, 'Tested', '{"n":2}', '{}', 3);
      INSERT INTO streams VALUES ('session-1', 1), ('relaytask-1', 0);
    `);
    old.pragma('user_version = 1');
    old.close();

    const store = open();
    const next = await store.appendToStream('session-1', [newEvent({ n: 3 })], { expectedRevision: 1n });
    const conflict = store.appendToStream('relaytask-1', [newEvent()], { expectedRevision: 1n });
    const again = await store.appendToStream('session-1', [{ id: 'a', type: 'Tested', data: { n: 0 } }]);

    expect(next.nextExpectedRevision).toBe(2n);
    await expect(conflict).rejects.toThrow(/relaytask-1/);
    expect(again).toMatchObject({ appended: [], duplicates: ['a'] });
    expect((await store.readAll()).map((e) => [e.stream, e.revision, e.data.n])).toEqual([
      ['session-1', 0n, 0],
      ['session-1', 1n, 1],
      ['relaytask-1', 0n, 2],
      ['session-1', 2n, 3],
    ]);
    const schema = new Database(file, { readonly: true });
    expect(schema.pragma('user_version', { simple: true })).toBe(2);
    expect(schema.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'streams'").all()).toEqual([]);
    schema.close();
  });

  it('given 200 concurrent appends, when they resolve, then one transaction committed them all', async () => {
    const store = open();
    const before = store.stats;

    await Promise.all(Array.from({ length: 200 }, (_, i) => store.appendToStream(`session-${i % 7}`, [newEvent()])));

    expect(store.stats.commits - before.commits).toBe(1);
    expect(store.stats.appends - before.appends).toBe(200);
    expect(await store.readAll()).toHaveLength(200);
  });

  it('given appends awaited one after another, when they resolve, then each paid its own commit', async () => {
    const store = open();
    for (let i = 0; i < 3; i++) await store.appendToStream('session-1', [newEvent()]);
    expect(store.stats).toEqual({ commits: 3, appends: 3, failedBatches: 0 });
  });

  it('given another connection holds the write lock, when a batch is flushed, then every append in it rejects with StoreUnavailableError and nothing is written', async () => {
    const store = open({ busyTimeoutMs: 20 });
    const locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');

    const settled = await Promise.allSettled([
      store.appendToStream('session-1', [newEvent()]),
      store.appendToStream('session-2', [newEvent()]),
    ]);
    locker.exec('ROLLBACK');
    locker.close();

    for (const outcome of settled) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(StoreUnavailableError);
      expect(reason.cause).toMatchObject({ code: 'SQLITE_BUSY' });
    }
    expect(store.stats.failedBatches).toBe(1);
    expect(await store.readAll()).toEqual([]);
    await expect(store.appendToStream('session-1', [newEvent()])).resolves.toMatchObject({ nextExpectedRevision: 0n });
  });

  it('given an event that cannot be serialized, when appended with others, then only that append fails', async () => {
    const store = open();
    const bad = store.appendToStream('session-bad', [{ id: randomUUID(), type: 'Tested', data: { n: 1n } }]);
    const good = store.appendToStream('session-good', [newEvent()]);

    await expect(bad).rejects.toBeInstanceOf(TypeError);
    await expect(good).resolves.toMatchObject({ nextExpectedRevision: 0n });
  });

  it('given appends queued when close is called, when the store closes, then they are committed first', async () => {
    const store = open();
    const pending = store.appendToStream('session-1', [newEvent()]);
    await store.close();

    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0n });
    expect(await open().readStream('session-1')).toHaveLength(1);
  });

  it('given a closed store, when appending, reading or checking health, then StoreUnavailableError', async () => {
    const store = open();
    await store.close();
    await store.close(); // closing twice is harmless

    await expect(store.appendToStream('session-1', [newEvent()])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream('session-1')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.checkHealth()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('given more events than the default page, when reading all without maxCount, then the default page size comes back', async () => {
    const store = open();
    const events = Array.from({ length: READ_ALL_DEFAULT_MAX_COUNT + 1 }, (_, i) => newEvent({ i }));
    await store.appendToStream('session-1', events);
    expect(await store.readAll()).toHaveLength(READ_ALL_DEFAULT_MAX_COUNT);
  });

  it('given events of several types, when reading or following with typesWithData, then every event comes in order, the others hollow', async () => {
    const store = open();
    await store.appendToStream('session-1', [
      { id: randomUUID(), type: 'Wanted', data: { n: 0 }, metadata: { via: 'test' } },
      { id: randomUUID(), type: 'Other', data: { n: 1 }, metadata: { via: 'test' } },
    ]);
    await store.appendToStream('session-2', [{ id: randomUUID(), type: 'Other', data: { n: 2 } }]);
    const typesWithData = new Set(['Wanted']);
    const shapes = (events: RecordedEvent[]) => events.map(({ type, stream, position, data, metadata }) => ({ type, stream, position, data, metadata }));
    const expected = [
      { type: 'Wanted', stream: 'session-1', position: 1n, data: { n: 0 }, metadata: { via: 'test' } },
      { type: 'Other', stream: 'session-1', position: 2n, data: {}, metadata: {} },
      { type: 'Other', stream: 'session-2', position: 3n, data: {}, metadata: {} },
    ];
    expect(shapes(await store.readAll({ typesWithData }))).toEqual(expected);
    const abort = new AbortController();
    const followed: RecordedEvent[] = [];
    for await (const event of store.subscribeToAll({ typesWithData, signal: abort.signal })) {
      followed.push(event);
      if (followed.length === 3) abort.abort();
    }
    expect(shapes(followed)).toEqual(expected);
    expect((await store.readAll())[1]!.data).toEqual({ n: 1 });
  });

  it('given a negative maxCount, when reading, then RangeError', async () => {
    const store = open();
    await expect(store.readAll({ maxCount: -1 })).rejects.toBeInstanceOf(RangeError);
  });

  it('given a file written by a newer schema, when opened, then opening fails instead of guessing', () => {
    open();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => SqliteEventStore.open(file)).toThrow(/schema version 99/);
  });

  describe('subscriptions', () => {
    it('given a second instance on the same file, when the first appends, then its subscription sees the events by polling', async () => {
      const writer = open();
      const reader = open({ pollIntervalMs: 20 });
      const controller = new AbortController();
      const received = collect(reader.subscribeToAll({ signal: controller.signal }), 'session-1', 2);

      await writer.appendToStream('session-1', [newEvent({ n: 1 })]);
      await writer.appendToStream('session-1', [newEvent({ n: 2 })]);

      expect((await received).map((e) => e.data.n)).toEqual([1, 2]);
      controller.abort();
    });

    it('given a caught-up subscription with a one-minute poll, when this instance appends, then it is woken without waiting for the poll', async () => {
      const store = open({ pollIntervalMs: 60_000 });
      await store.appendToStream('session-0', [newEvent()]);
      const received = collect(store.subscribeToAll(), 'session-1', 1);
      await new Promise((resolve) => setImmediate(resolve)); // let the subscription catch up and go to sleep

      await store.appendToStream('session-1', [newEvent({ n: 1 })]);

      expect((await received).map((e) => e.data.n)).toEqual([1]);
    }, 2000);

    it('given a writer thread and a caught-up subscription on another connection with a one-minute poll, when the writer commits, then the subscription is woken without waiting for the poll', async () => {
      const writer = await SqliteWriterThread.start(file);
      opened.push(writer);
      await writer.appendToStream('session-0', [newEvent()]);
      const reader = open({ pollIntervalMs: 60_000 });
      const received = collect(reader.subscribeToAll(), 'session-1', 2);
      await new Promise((resolve) => setImmediate(resolve));

      await writer.appendToStream('session-1', [newEvent({ n: 1 })]);
      await writer.appendToStream('session-1', [newEvent({ n: 2 })]);

      expect((await received).map((e) => e.data.n)).toEqual([1, 2]);
    }, 5000);

    it('given a writer thread and a caught-up subscription of its own with a one-minute poll, when it appends, then the subscription is woken without waiting for the poll', async () => {
      const store = await SqliteWriterThread.start(file, { pollIntervalMs: 60_000 });
      opened.push(store);
      await store.appendToStream('session-0', [newEvent()]);
      const received = collect(store.subscribeToAll(), 'session-1', 2);
      await new Promise((resolve) => setImmediate(resolve));

      await store.appendToStream('session-1', [newEvent({ n: 1 })]);
      await store.appendToStream('session-1', [newEvent({ n: 2 })]);

      expect((await received).map((e) => e.data.n)).toEqual([1, 2]);
    }, 5000);

    it('given a writer thread and a subscription on a third thread, when the writer commits while this thread is blocked, then the subscription still hears of it', async () => {
      const writer = await SqliteWriterThread.start(file);
      opened.push(writer);
      await writer.appendToStream('session-0', [newEvent()]);
      // The reader: another thread, caught up on its own connection, with a one-minute poll; it flags the event it hears.
      const heard = new Int32Array(new SharedArrayBuffer(4));
      const reader = new Worker(
        `const { workerData, parentPort } = require('node:worker_threads');
         const { SqliteEventStore } = require(workerData.module);
         const store = SqliteEventStore.open(workerData.file, { pollIntervalMs: 60000 });
         (async () => {
           parentPort.postMessage('following');
           for await (const event of store.subscribeToAll()) {
             if (event.stream !== 'session-1') continue;
             Atomics.store(workerData.heard, 0, 1);
             Atomics.notify(workerData.heard, 0);
             break;
           }
           await store.close();
         })();`,
        { eval: true, workerData: { module: workerScript('eventstore/sqlite/sqliteEventStore'), file, heard } },
      );
      try {
        await once(reader, 'message');
        await new Promise((resolve) => setTimeout(resolve, 100)); // caught up, asleep

        void writer.appendToStream('session-1', [newEvent({ n: 1 })]);
        await new Promise((resolve) => setImmediate(resolve)); // the batch is on its way to the writer thread
        // Blocked: this thread cannot hear the writer's answer, so the news must come from the writer itself.
        expect(Atomics.wait(heard, 0, 0, 3000)).toBe('ok');
      } finally {
        await reader.terminate();
      }
    }, 10_000);

    it('given a caught-up subscription with a one-minute poll, when its signal aborts, then it ends at once', async () => {
      const store = open({ pollIntervalMs: 60_000 });
      const controller = new AbortController();
      const ended = collect(store.subscribeToAll({ signal: controller.signal }), 'session-1', 1);
      await new Promise((resolve) => setImmediate(resolve));

      controller.abort();

      await expect(ended).resolves.toEqual([]);
    }, 2000);

    it('given caught-up subscriptions with a one-minute poll, when the store closes, then they all end without error', async () => {
      const store = open({ pollIntervalMs: 60_000 });
      const subscriptions = [1, 2, 3].map(() => collect(store.subscribeToAll(), 'session-1', 1));
      await new Promise((resolve) => setImmediate(resolve));

      await store.close();

      await expect(Promise.all(subscriptions)).resolves.toEqual([[], [], []]);
    }, 2000);
  });
});
