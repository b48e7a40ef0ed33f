// The EventStoreDB adapter's failure paths, for real over loopback sockets: nothing listening, a server that never answers, close.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { NewEvent, StoreUnavailableError } from '../../src/eventstore/eventStore';
import { EventStoreDbEventStore, type EventStoreDbOptions } from '../../src/eventstore/eventstoredb/eventStoreDbEventStore';
import { blackHole, freePort, type BlackHole } from '../support/loopbackSockets';

const DEADLINE_MS = 500;

const newEvent = (): NewEvent => ({ id: randomUUID(), type: 'FailureTested', data: { n: 1 } });

/** A pino logger whose lines land in an array; `until(n, pattern)` resolves when n lines match. */
function capturingLogger() {
  const lines: { msg: string; attempt?: number; retryInMs?: number }[] = [];
  const waiting: { count: number; pattern: RegExp; resolve(): void }[] = [];
  const settle = (): void => {
    for (const w of [...waiting]) {
      if (lines.filter((l) => w.pattern.test(l.msg)).length >= w.count) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const logger = pino({ level: 'debug' }, { write: (line: string) => (lines.push(JSON.parse(line)), settle()) });
  return {
    logger,
    lines,
    until: (count: number, pattern: RegExp): Promise<void> =>
      new Promise((resolve) => {
        waiting.push({ count, pattern, resolve });
        settle();
      }),
  };
}

/** How a promise settled, and after how long. */
async function outcome(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

function connect(port: number, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
  return EventStoreDbEventStore.connect(`esdb://127.0.0.1:${port}?tls=false`, {
    appendTimeoutMs: DEADLINE_MS,
    readTimeoutMs: DEADLINE_MS,
    healthTimeoutMs: DEADLINE_MS,
    logger: pino({ level: 'silent' }),
    ...options,
  });
}

const UNAVAILABLE = /unreachable|timed out after 500 ms/;

describe('EventStoreDB adapter, given nothing listening on the port', () => {
  let store: EventStoreDbEventStore;
  beforeEach(async () => {
    store = connect(await freePort());
  });
  afterEach(() => store.close());

  it('when appending, then it rejects with StoreUnavailableError that says why, within the deadline', async () => {
    const { error, ms } = await outcome(store.appendToStream('session-1', [newEvent()]));

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(UNAVAILABLE);
    expect(ms).toBeLessThan(3000);
  });

  it('when checking health, then it rejects with StoreUnavailableError', async () => {
    const { error, ms } = await outcome(store.checkHealth());
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(UNAVAILABLE);
    expect(ms).toBeLessThan(3000);
  });

  it('when reading all or a stream, then both reject with StoreUnavailableError', async () => {
    const all = await outcome(store.readAll({ after: 0n, maxCount: 10 }));
    const stream = await outcome(store.readStream('session-1'));
    expect(all.error).toBeInstanceOf(StoreUnavailableError);
    expect(stream.error).toBeInstanceOf(StoreUnavailableError);
    expect(all.ms + stream.ms).toBeLessThan(3000);
  });

  it('given a connection string with credentials, when described, then only hosts and ports show', async () => {
    const port = await freePort();
    const withCredentials = EventStoreDbEventStore.connect(`esdb://admin:changeit@127.0.0.1:${port}?tls=false`, { logger: pino({ level: 'silent' }) });
    expect(withCredentials.description).toBe(`eventstoredb:127.0.0.1:${port}`);
    await withCredentials.close();
  });
});

describe('EventStoreDB adapter, given a server that accepts connections and never answers', () => {
  let hole: BlackHole;
  let store: EventStoreDbEventStore;
  beforeEach(async () => {
    hole = await blackHole();
    store = connect(hole.port);
  });
  afterEach(async () => {
    await store.close();
    await hole.close();
  });

  it('when appending, then it rejects with StoreUnavailableError after the configured deadline instead of hanging', async () => {
    const { error, ms } = await outcome(store.appendToStream('session-1', [newEvent()]));

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/timed out after 500 ms \(append to session-1\)/);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(3000);
    expect(hole.connectionCount()).toBeGreaterThan(0); // it did reach the server: the deadline ended it, not a refusal
  });

  it('when two appends to one stream wait on each other, then each still answers within its own deadline', async () => {
    const [first, second] = await Promise.all([
      outcome(store.appendToStream('session-2', [newEvent()])),
      outcome(store.appendToStream('session-2', [newEvent()])),
    ]);

    expect(first.error).toBeInstanceOf(StoreUnavailableError);
    expect(second.error).toBeInstanceOf(StoreUnavailableError);
    expect(Math.max(first.ms, second.ms)).toBeLessThan(2 * DEADLINE_MS);
  });

  it('when checking health or reading, then each rejects with StoreUnavailableError after its deadline', async () => {
    const health = await outcome(store.checkHealth());
    const all = await outcome(store.readAll());

    for (const { error, ms } of [health, all]) {
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/timed out after 500 ms/);
      expect(ms).toBeLessThan(3000);
    }
  });
});

describe('EventStoreDB adapter subscription, given an unreachable server', () => {
  it('keeps resubscribing with a growing delay, never throws to the consumer, and ends promptly when its signal aborts', async () => {
    const log = capturingLogger();
    const store = connect(await freePort(), { logger: log.logger });
    const controller = new AbortController();
    const delivered: unknown[] = [];
    const consuming = (async () => {
      for await (const event of store.subscribeToAll({ signal: controller.signal })) delivered.push(event);
    })();

    await log.until(3, /subscription to \$all dropped/);
    const abortedAt = Date.now();
    controller.abort();
    await expect(consuming).resolves.toBeUndefined();

    expect(Date.now() - abortedAt).toBeLessThan(500);
    expect(delivered).toEqual([]);
    const drops = log.lines.filter((l) => /subscription to \$all dropped/.test(l.msg));
    expect(drops.slice(0, 3).map((l) => [l.attempt, l.retryInMs])).toEqual([
      [1, 250],
      [2, 500],
      [3, 1000],
    ]);
    await store.close();
  });

  it('given a running subscription, when the store closes, then the iteration ends without error', async () => {
    const log = capturingLogger();
    const store = connect(await freePort(), { logger: log.logger });
    const consuming = (async () => {
      for await (const _ of store.subscribeToAll()) void _;
    })();
    await log.until(1, /subscription to \$all dropped/);

    await store.close();

    await expect(consuming).resolves.toBeUndefined();
  });
});

describe('EventStoreDB adapter, once closed', () => {
  it('rejects appends, reads, health checks and new subscriptions with StoreUnavailableError', async () => {
    const store = connect(await freePort());
    await store.close();

    await expect(store.appendToStream('session-1', [newEvent()])).rejects.toThrow(StoreUnavailableError);
    await expect(store.appendToStream('session-1', [newEvent()])).rejects.toThrow(/is closed/);
    await expect(store.readStream('session-1')).rejects.toThrow(StoreUnavailableError);
    await expect(store.readAll()).rejects.toThrow(StoreUnavailableError);
    await expect(store.checkHealth()).rejects.toThrow(StoreUnavailableError);
    await expect(store.subscribeToAll()[Symbol.asyncIterator]().next()).rejects.toThrow(StoreUnavailableError);
    await expect(store.close()).resolves.toBeUndefined();
  });
});
