// The EventStore contract: every adapter runs this suite; it pins down the semantics the port's comments promise.
import { randomUUID } from 'node:crypto';
import {
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  WrongExpectedRevisionError,
} from '../../src/eventstore/eventStore';

export type EventStoreFactory = () => Promise<{ store: EventStore; cleanup(): Promise<void> }>;

/** A stream name no other test (or test run on a shared server) uses. */
const newStream = (label: string): string => `contract${label}-${randomUUID()}`;

const newEvent = (data: NewEvent['data'] = {}, metadata?: NewEvent['metadata']): NewEvent => ({
  id: randomUUID(),
  type: 'ContractTested',
  data,
  ...(metadata && { metadata }),
});

const idsOf = (events: { id: string }[]): string[] => events.map((e) => e.id);
const revisionsOf = (events: RecordedEvent[]): bigint[] => events.map((e) => e.revision);
const range = (n: number): bigint[] => Array.from({ length: n }, (_, i) => BigInt(i));

/** Follows $all, keeping only events of the given streams; `until(n)` resolves once n of them arrived. */
function follow(store: EventStore, streams: string[], after?: bigint) {
  const controller = new AbortController();
  const seen: RecordedEvent[] = [];
  const waiting: { count: number; resolve(events: RecordedEvent[]): void }[] = [];
  const settle = (): void => {
    for (const w of waiting.filter((w) => seen.length >= w.count)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(seen.slice(0, w.count));
    }
  };
  const ended = (async () => {
    for await (const event of store.subscribeToAll({ after, signal: controller.signal })) {
      if (streams.includes(event.stream)) seen.push(event);
      settle();
    }
  })();
  return {
    seen,
    ended,
    until: (count: number): Promise<RecordedEvent[]> =>
      new Promise((resolve) => {
        waiting.push({ count, resolve });
        settle();
      }),
    stop: (): Promise<void> => {
      controller.abort();
      return ended;
    },
  };
}

export function describeEventStoreContract(name: string, factory: EventStoreFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await cleanup();
    });

    /** Appends a new event expecting `expected`; it must fail with WrongExpectedRevisionError and write nothing. */
    async function expectConflict(stream: string, expected: ExpectedRevision, actual: bigint | 'no_stream') {
      const before = idsOf(await store.readStream(stream));
      const error = await store.appendToStream(stream, [newEvent()], { expectedRevision: expected }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream, expected, actual });
      expect(idsOf(await store.readStream(stream))).toEqual(before);
    }

    describe('appending', () => {
      it('given a new stream, when events are appended, then they get revisions from 0 and increasing positions', async () => {
        const stream = newStream('new');
        const events = [newEvent({ n: 1 }), newEvent({ n: 2 }), newEvent({ n: 3 })];

        const result = await store.appendToStream(stream, events);

        const stored = await store.readStream(stream);
        expect(idsOf(stored)).toEqual(idsOf(events));
        expect(revisionsOf(stored)).toEqual([0n, 1n, 2n]);
        expect(stored.every((e) => e.stream === stream && e.type === 'ContractTested')).toBe(true);
        expect(stored[0]!.position < stored[1]!.position && stored[1]!.position < stored[2]!.position).toBe(true);
        expect(result).toEqual({
          nextExpectedRevision: 2n,
          position: stored[2]!.position,
          appended: idsOf(events),
          duplicates: [],
        });
      });

      it('given appends to two streams in turn, when read back, then global positions strictly increase across streams', async () => {
        const [a, b] = [newStream('a'), newStream('b')];

        const first = await store.appendToStream(a, [newEvent()]);
        const second = await store.appendToStream(b, [newEvent()]);
        const third = await store.appendToStream(a, [newEvent()]);

        expect(typeof first.position).toBe('bigint');
        expect(first.position! < second.position!).toBe(true);
        expect(second.position! < third.position!).toBe(true);
        expect(third.nextExpectedRevision).toBe(1n);
        expect(second.nextExpectedRevision).toBe(0n);
      });

      it('given no expected revision, when appending twice, then both go through (the default is any)', async () => {
        const stream = newStream('default');
        await store.appendToStream(stream, [newEvent()]);
        const result = await store.appendToStream(stream, [newEvent()]);
        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('given an empty event list, when appended, then nothing is written and the current revision comes back', async () => {
        const missing = newStream('emptymissing');
        expect(await store.appendToStream(missing, [], { expectedRevision: 5n })).toEqual({
          nextExpectedRevision: -1n,
          position: undefined,
          appended: [],
          duplicates: [],
        });
        expect(await store.readStream(missing)).toEqual([]);

        const existing = newStream('emptyexisting');
        await store.appendToStream(existing, [newEvent(), newEvent()]);
        const result = await store.appendToStream(existing, [], { expectedRevision: 'no_stream' });
        expect(result).toMatchObject({ nextExpectedRevision: 1n, position: undefined, appended: [] });
        expect(await store.readStream(existing)).toHaveLength(2);
      });
    });

    describe('expected revision', () => {
      it('given any, when the stream is missing or exists, then the append is accepted', async () => {
        const stream = newStream('any');
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });
        const result = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });
        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('given no_stream, when the stream is missing, then the append is accepted', async () => {
        const stream = newStream('nostream');
        const result = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(0n);
      });

      it('given no_stream, when the stream has events, then WrongExpectedRevisionError and nothing is written', async () => {
        const stream = newStream('nostreamexists');
        await store.appendToStream(stream, [newEvent(), newEvent()]);
        await expectConflict(stream, 'no_stream', 1n);
      });

      it('given the exact revision of the last event, when appending, then the append is accepted', async () => {
        const stream = newStream('exact');
        await store.appendToStream(stream, [newEvent(), newEvent()]);
        const result = await store.appendToStream(stream, [newEvent()], { expectedRevision: 1n });
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it('given a stale exact revision, when appending a new event, then WrongExpectedRevisionError and nothing is written', async () => {
        const stream = newStream('stale');
        await store.appendToStream(stream, [newEvent(), newEvent()]);
        await expectConflict(stream, 0n, 1n);
      });

      it('given an exact revision ahead of the stream, when appending, then WrongExpectedRevisionError', async () => {
        const stream = newStream('ahead');
        await store.appendToStream(stream, [newEvent()]);
        await expectConflict(stream, 3n, 0n);
      });

      it('given an exact revision, when the stream is missing, then WrongExpectedRevisionError with actual no_stream', async () => {
        const stream = newStream('exactmissing');
        await expectConflict(stream, 0n, 'no_stream');
      });
    });

    describe('idempotency', () => {
      it.each([
        ['any', 'any' as const],
        ['no_stream', 'no_stream' as const],
        ['a stale exact revision', 0n],
      ])('given stored events, when the same ids are appended again with %s, then it succeeds, writes nothing and reports them as duplicates', async (_, expectedRevision) => {
        const stream = newStream('retry');
        const events = [newEvent({ n: 1 }), newEvent({ n: 2 })];
        await store.appendToStream(stream, events);
        await store.appendToStream(stream, [newEvent({ n: 3 })]);

        const retry = await store.appendToStream(stream, events, { expectedRevision });

        expect(retry).toEqual({ nextExpectedRevision: 2n, position: undefined, appended: [], duplicates: idsOf(events) });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('given stored events, when a mix of old and new ids is appended, then only the new ones are written', async () => {
        const stream = newStream('mix');
        const [old1, old2, new1, new2] = [newEvent(), newEvent(), newEvent(), newEvent()];
        await store.appendToStream(stream, [old1!, old2!]);

        const result = await store.appendToStream(stream, [old1!, new1!, old2!, new2!]);

        expect(result).toMatchObject({ nextExpectedRevision: 3n, appended: [new1!.id, new2!.id], duplicates: [old1!.id, old2!.id] });
        const stored = await store.readStream(stream);
        expect(idsOf(stored)).toEqual([old1!.id, old2!.id, new1!.id, new2!.id]);
        expect(result.position).toBe(stored[3]!.position);
      });

      it('given one append call repeating an id, when appended, then the event is stored once', async () => {
        const stream = newStream('repeat');
        const [a, b] = [newEvent({ v: 'a' }), newEvent({ v: 'b' })];

        const result = await store.appendToStream(stream, [a, b, a]);

        expect(result).toMatchObject({ nextExpectedRevision: 1n, appended: [a.id, b.id], duplicates: [] });
        expect(idsOf(await store.readStream(stream))).toEqual([a.id, b.id]);
      });

      it('given an id stored in another stream, when appended to this stream, then it is written here too', async () => {
        const [a, b] = [newStream('ida'), newStream('idb')];
        const event = newEvent();
        await store.appendToStream(a, [event]);
        const result = await store.appendToStream(b, [event]);
        expect(result.appended).toEqual([event.id]);
      });
    });

    describe('data round trip', () => {
      it('given unicode, a long string and a raw JSON body, when read back, then data and metadata are exactly preserved', async () => {
        const stream = newStream('roundtrip');
        const rawBody =
          '{"event_type":314,"msg":"{\\"type\\":\\"PullFileUnstable\\"}","source_urls":"[\\"http:\\\\/\\\\/a.b\\\\/c.mp4\\"]\\n","t":1700000000,"note":"tab\\there \\u00e9 \\ud83d\\ude00"}';
        const data = {
          rawBody,
          unicode: '라이브 ライブ 直播 siaran 🎥 e\u0301 \u2028',
          long: 'x'.repeat(200_000),
          sequence: '6917328961587068736',
          nested: { list: [1, -22, 0.5, true, null, { deep: 'yes' }], empty: {} },
        };
        const metadata = { correlationId: randomUUID(), receivedAt: '2024-01-01T00:00:00.000Z', 'ключ': 'значение' };
        const event = newEvent(data, metadata);

        await store.appendToStream(stream, [event]);

        const [stored] = await store.readStream(stream);
        expect(stored!.data).toEqual(data);
        expect(stored!.data.rawBody).toBe(rawBody);
        expect(JSON.parse(stored!.data.rawBody as string)).toEqual(JSON.parse(rawBody));
        expect(stored!.metadata).toEqual(metadata);
        expect(stored!.recordedAt).toBeInstanceOf(Date);
        expect(Number.isNaN(stored!.recordedAt.getTime())).toBe(false);
      });

      it('given an event without metadata, when read back, then its metadata is an empty object', async () => {
        const stream = newStream('nometa');
        await store.appendToStream(stream, [newEvent({ a: 1 })]);
        const [stored] = await store.readStream(stream);
        expect(stored!.metadata).toEqual({});
      });
    });

    describe('reading', () => {
      it('given a stream that does not exist, when read, then the result is empty', async () => {
        expect(await store.readStream(newStream('missing'))).toEqual([]);
      });

      it('given five events, when read from a revision with a max count, then exactly that window comes back', async () => {
        const stream = newStream('window');
        const events = [newEvent(), newEvent(), newEvent(), newEvent(), newEvent()];
        await store.appendToStream(stream, events);

        expect(revisionsOf(await store.readStream(stream, { fromRevision: 2n, maxCount: 2 }))).toEqual([2n, 3n]);
        expect(revisionsOf(await store.readStream(stream, { fromRevision: 3n }))).toEqual([3n, 4n]);
        expect(revisionsOf(await store.readStream(stream, { maxCount: 1 }))).toEqual([0n]);
        expect(await store.readStream(stream, { fromRevision: 5n })).toEqual([]);
      });

      it('given events in several streams, when reading all after a position, then later events come back in position order', async () => {
        const [a, b] = [newStream('alla'), newStream('allb')];
        const first = await store.appendToStream(a, [newEvent()]);
        const second = await store.appendToStream(b, [newEvent(), newEvent()]);
        const third = await store.appendToStream(a, [newEvent()]);

        const all = await store.readAll({ after: first.position! });
        const ours = all.filter((e) => e.stream === a || e.stream === b);

        expect(all.every((e, i) => i === 0 || all[i - 1]!.position < e.position)).toBe(true);
        expect(all.every((e) => e.position > first.position!)).toBe(true);
        expect(ours.map((e) => [e.stream, e.revision])).toEqual([[b, 0n], [b, 1n], [a, 1n]]);
        expect(ours[1]!.position).toBe(second.position);
        expect(ours[2]!.position).toBe(third.position);
      });

      it('given events after a position, when reading all with a max count, then only that many come back, the earliest first', async () => {
        const stream = newStream('allmax');
        const first = await store.appendToStream(stream, [newEvent()]);
        const second = await store.appendToStream(stream, [newEvent()]);
        await store.appendToStream(stream, [newEvent()]);

        const page = await store.readAll({ after: first.position!, maxCount: 1 });

        expect(page).toHaveLength(1);
        expect(page[0]!.position > first.position! && page[0]!.position <= second.position!).toBe(true);
      });

      it('given appended events, when asking for the head of the log, then it is the position of the last one readAll delivers', async () => {
        const stream = newStream('head');
        await store.appendToStream(stream, [newEvent()]);
        const last = await store.appendToStream(stream, [newEvent(), newEvent()]);

        expect(await store.headPosition()).toBe(last.position);
        expect(await store.readAll({ after: last.position! })).toEqual([]);
      });
    });

    describe('concurrency', () => {
      it('given 100 concurrent appends with any to one stream, when they settle, then all land with distinct consecutive revisions', async () => {
        const stream = newStream('concurrentany');
        const events = Array.from({ length: 100 }, (_, i) => newEvent({ i }));

        const results = await Promise.all(events.map((e) => store.appendToStream(stream, [e], { expectedRevision: 'any' })));

        const revisions = results.map((r) => r.nextExpectedRevision).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        expect(revisions).toEqual(range(100));
        const stored = await store.readStream(stream);
        expect(revisionsOf(stored)).toEqual(range(100));
        expect(new Set(idsOf(stored))).toEqual(new Set(idsOf(events)));
      });

      it('given 20 concurrent appends expecting the same revision, when they settle, then exactly one succeeds and the rest conflict', async () => {
        const stream = newStream('concurrentexact');
        await store.appendToStream(stream, [newEvent()]);

        const settled = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.appendToStream(stream, [newEvent()], { expectedRevision: 0n })),
        );

        const fulfilled = settled.filter((s) => s.status === 'fulfilled');
        const rejected = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(19);
        expect(rejected.every((e) => e instanceof WrongExpectedRevisionError)).toBe(true);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('given 50 concurrent retries of the same event, when they settle, then all resolve and one copy is stored', async () => {
        const stream = newStream('concurrentretry');
        const event = newEvent({ retried: true });

        const results = await Promise.all(Array.from({ length: 50 }, () => store.appendToStream(stream, [event])));

        expect(idsOf(await store.readStream(stream))).toEqual([event.id]);
        expect(results.filter((r) => r.appended.length === 1)).toHaveLength(1);
        expect(results.filter((r) => r.duplicates.length === 1)).toHaveLength(49);
        expect(results.every((r) => r.nextExpectedRevision === 0n)).toBe(true);
      });
    });

    describe('subscribing to all', () => {
      it('given stored events, when subscribing after a position, then it catches up and then receives later appends', async () => {
        const stream = newStream('subscribe');
        const before = await store.appendToStream(stream, [newEvent({ n: 0 })]);
        await store.appendToStream(stream, [newEvent({ n: 1 }), newEvent({ n: 2 })]);
        const subscription = follow(store, [stream], before.position);

        const caughtUp = await subscription.until(2);
        await store.appendToStream(stream, [newEvent({ n: 3 })]);
        await store.appendToStream(stream, [newEvent({ n: 4 })]);
        const all = await subscription.until(4);
        await subscription.stop();

        expect(caughtUp.map((e) => e.data.n)).toEqual([1, 2]);
        expect(all.map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
        expect(revisionsOf(all)).toEqual([1n, 2n, 3n, 4n]);
      });

      it('given a caught-up subscription, when its signal aborts, then the iteration ends without error', async () => {
        const stream = newStream('abort');
        const subscription = follow(store, [stream]);
        await store.appendToStream(stream, [newEvent()]);
        await subscription.until(1);

        await subscription.stop();

        await expect(subscription.ended).resolves.toBeUndefined();
        await store.appendToStream(stream, [newEvent()]);
        expect(subscription.seen).toHaveLength(1);
      });

      it('given an already aborted signal, when subscribing, then nothing is delivered', async () => {
        const stream = newStream('preaborted');
        await store.appendToStream(stream, [newEvent()]);
        const controller = new AbortController();
        controller.abort();
        const delivered: RecordedEvent[] = [];
        for await (const event of store.subscribeToAll({ signal: controller.signal })) delivered.push(event);
        expect(delivered).toEqual([]);
      });

      it('given two subscriptions at once, when events are appended, then both see the same events in the same order', async () => {
        const [a, b] = [newStream('twoa'), newStream('twob')];
        const start = await store.appendToStream(a, [newEvent()]);
        const first = follow(store, [a, b], start.position);
        const second = follow(store, [a, b], start.position);

        await Promise.all([store.appendToStream(a, [newEvent()]), store.appendToStream(b, [newEvent()])]);
        await store.appendToStream(b, [newEvent()]);
        const [seenByFirst, seenBySecond] = await Promise.all([first.until(3), second.until(3)]);
        await Promise.all([first.stop(), second.stop()]);

        expect(idsOf(seenByFirst)).toEqual(idsOf(seenBySecond));
        expect(seenByFirst.map((e) => e.position)).toEqual(seenBySecond.map((e) => e.position));
        expect(seenByFirst.map((e) => e.stream).sort()).toEqual([a, b, b].sort());
      });
    });

    describe('health', () => {
      it('given an open store, when checking health, then it resolves', async () => {
        await expect(store.checkHealth()).resolves.toBeUndefined();
      });
    });
  });
}
