// The EventStoreDB adapter and the real client library over loopback gRPC, against a protocol fake (test/support/fakeEventStoreDb.ts).
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { NewEvent, RecordedEvent, WrongExpectedRevisionError } from '../../src/eventstore/eventStore';
import { EventStoreDbEventStore } from '../../src/eventstore/eventstoredb/eventStoreDbEventStore';
import { LEDGER_STREAM_PREFIXES } from '../../src/eventstore/eventstoredb/eventStoreDbMapping';
import { describeEventStoreContract } from '../contract/eventStore.contract';
import { FakeEventStoreDb } from '../support/fakeEventStoreDb';
import { steppableSystemClock } from '../support/systemClock';

const silent = pino({ level: 'silent' });
/** The contract writes `contract<label>-<uuid>` streams: the adapter's $all filter must let them through. */
const CONTRACT_STREAM_PREFIXES = [...LEDGER_STREAM_PREFIXES, 'contract'];
const newEvent = (n: number): NewEvent => ({ id: randomUUID(), type: 'ProtocolTested', data: { n } });

// The whole contract through the adapter, the client library and gRPC; the server side is the fake's model.
describeEventStoreContract('eventstoredb adapter against a protocol fake', async () => {
  const fake = await FakeEventStoreDb.start();
  const store = EventStoreDbEventStore.connect(fake.connectionString, { streamPrefixes: CONTRACT_STREAM_PREFIXES, logger: silent });
  return {
    store,
    async cleanup() {
      await store.close();
      fake.close();
    },
  };
});

describe.each([
  ['the batch append stream (what EventStoreDB 21.10+ offers)', true],
  ['unary appends (older servers)', false],
])('EventStoreDB adapter appending through %s', (_, batchAppend) => {
  let fake: FakeEventStoreDb;
  let store: EventStoreDbEventStore;
  beforeEach(async () => {
    fake = await FakeEventStoreDb.start({ batchAppend });
    store = EventStoreDbEventStore.connect(fake.connectionString, { logger: silent });
  });
  afterEach(async () => {
    await store.close();
    fake.close();
  });

  describe('when another writer appends between our read and our append', () => {
    it('given any, then the append is retried and lands after the other event', async () => {
      fake.beforeAppend(() => fake.store('session-race', [{ id: randomUUID(), type: 'Other', data: {} }]));
      const ours = newEvent(1);

      const result = await store.appendToStream('session-race', [ours]);

      expect(result).toMatchObject({ nextExpectedRevision: 1n, appended: [ours.id], duplicates: [] });
      expect((await store.readStream('session-race')).map((e) => e.type)).toEqual(['Other', 'ProtocolTested']);
    });

    it('given no_stream, then WrongExpectedRevisionError reports what is there now', async () => {
      fake.beforeAppend(() => fake.store('session-race2', [{ id: randomUUID(), type: 'Other', data: {} }]));

      const error = await store.appendToStream('session-race2', [newEvent(1)], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ expected: 'no_stream', actual: 0n });
    });

    it('given the other writer stored the same event (a concurrent retry elsewhere), then ours resolves and one copy is stored', async () => {
      const event = newEvent(1);
      fake.beforeAppend(() => fake.store('session-race3', [event]));

      const result = await store.appendToStream('session-race3', [event]);

      // The server answers an exact-revision retry of stored ids with an idempotent success that carries
      // the stored event's revision and position: indistinguishable from our own write, so across
      // processes `appended` may name an event another process wrote. What is stored stays right.
      const stored = await store.readStream('session-race3');
      expect(stored.map((e) => e.id)).toEqual([event.id]);
      expect(result).toMatchObject({ nextExpectedRevision: 0n, position: stored[0]!.position });
    });
  });

  describe('given a burst of appends to one stream', () => {
    it('when they queue up, then the stream is read once, not once per append', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream('session-burst', [newEvent(i)])));

      expect(results.map((r) => r.nextExpectedRevision)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
      expect(fake.streamReads).toBe(1);
    });

    it.each([
      ['any', 'any' as const],
      ['the revision the caller knows of', 1n],
    ])('when another writer slips in between two of them, then the later one (expecting %s) lands after it', async (_, expectedRevision) => {
      const other = { id: randomUUID(), type: 'Other', data: {} };
      // The other write lands after the first append is answered and before the second reaches the server.
      const first = store.appendToStream('session-slip', [newEvent(1)]).then(() => fake.store('session-slip', [other]));
      const second = store.appendToStream('session-slip', [newEvent(2)], { expectedRevision });

      await first;
      expect(await second).toMatchObject({ nextExpectedRevision: 2n });
      expect((await store.readStream('session-slip')).map((e) => e.type)).toEqual(['ProtocolTested', 'Other', 'ProtocolTested']);
    });
  });

  it('given a retry long after the first append, then nothing is stored twice although the server would not deduplicate', async () => {
    const event = newEvent(1);
    await store.appendToStream('session-late', [event]);

    const retry = await store.appendToStream('session-late', [{ ...event, id: event.id.toUpperCase() }]);

    expect(retry.duplicates).toHaveLength(1);
    expect(await store.readStream('session-late')).toHaveLength(1);
  });
});

describe('EventStoreDB adapter reading and following $all from a protocol fake', () => {
  let fake: FakeEventStoreDb;
  let store: EventStoreDbEventStore;
  beforeEach(async () => {
    fake = await FakeEventStoreDb.start();
    store = EventStoreDbEventStore.connect(fake.connectionString, { logger: silent });
  });
  afterEach(async () => {
    await store.close();
    fake.close();
  });

  it('given the server down for a moment, when the system clock is set forward during an append, then the append still reconnects within its deadline', async () => {
    fake.crash();
    const clock = steppableSystemClock();
    try {
      const appended = store.appendToStream('session-clock', [newEvent(1)]);
      clock.stepTo(3_600_000);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await fake.listen();
      await expect(appended).resolves.toMatchObject({ nextExpectedRevision: 0n });
    } finally {
      clock.restore();
    }
  });

  it('given events outside the ledger streams, when reading or following $all, then they are filtered out', async () => {
    fake.store('$stats-127.0.0.1:2113', [{ id: randomUUID(), type: '$statsCollected', data: {} }]);
    fake.store('othertenant-1', [{ id: randomUUID(), type: 'Foreign', data: {} }]);
    const ours = await store.appendToStream('relaytask-1', [newEvent(1)]);

    const all = await store.readAll();

    expect(all.map((e) => e.stream)).toEqual(['relaytask-1']);
    expect(all[0]!.position).toBe(ours.position);
  });

  it('given a subscription, when the server crashes and comes back, then it resumes after the last delivered event with nothing lost or repeated', async () => {
    const drops: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => drops.push(JSON.parse(line).msg) });
    const follower = EventStoreDbEventStore.connect(fake.connectionString, { logger });
    const controller = new AbortController();
    const seen: RecordedEvent[] = [];
    let notify = (): void => undefined;
    const arrived = (count: number): Promise<void> =>
      new Promise((resolve) => {
        notify = () => seen.length >= count && resolve();
        notify();
      });
    const consuming = (async () => {
      for await (const event of follower.subscribeToAll({ signal: controller.signal })) {
        seen.push(event);
        notify();
      }
    })();
    try {
      await store.appendToStream('session-live', [newEvent(1), newEvent(2)]);
      await arrived(2);
      fake.crash();
      await fake.listen();
      await store.appendToStream('session-live', [newEvent(3)]); // the writer reconnects by itself too
      await arrived(3);
    } finally {
      controller.abort();
      await consuming;
      await follower.close();
    }

    expect(seen.map((e) => e.data.n)).toEqual([1, 2, 3]);
    expect(drops.length).toBeGreaterThanOrEqual(1);
    expect(drops[0]).toMatch(/subscription to \$all dropped .*resubscribing after position \d+/);
  });
});
