// What a destination takes and when: its filter, its rate limit, and where a replay of a time range starts.
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { passesFilter } from '../../src/forwarding/eventFilter';
import { replayBounds } from '../../src/forwarding/logReader';
import { TokenBucket } from '../../src/forwarding/tokenBucket';

const event = (type: string, fields: Record<string, unknown>) => ({ type, data: { fields, raw: '{}' } });

describe('passesFilter', () => {
  const pushed = event('StreamPushed', { domain: 'Push.Example.com', streamId: 'live1' });
  const relay = event('RelayTaskStarted', { toUrl: 'rtmp://push.example.com/live/live1?txSecret=x', streamId: 'live1' });
  const unrecognized = event('UnrecognizedCallbackReceived', { reason: 'unknown event_type' });

  it('takes everything without a filter, and needs every given criterion to match', () => {
    expect([pushed, relay, unrecognized].every((e) => passesFilter(undefined, e))).toBe(true);
    expect(passesFilter({ types: ['StreamPushed'], streamIds: ['live1'] }, pushed)).toBe(true);
    expect(passesFilter({ types: ['StreamPushed'], streamIds: ['live2'] }, pushed)).toBe(false);
    expect(passesFilter({ types: ['StreamInterrupted'] }, pushed)).toBe(false);
  });

  it('matches domains without regard to case: a session by its push domain, a relay task by the host it pushes to', () => {
    const filter = { domains: ['push.example.com'] };
    expect([pushed, relay, unrecognized].map((e) => passesFilter(filter, e))).toEqual([true, true, false]);
    expect(passesFilter({ domains: ['other.example.com'] }, relay)).toBe(false);
  });
});

describe('TokenBucket', () => {
  it('allows a second’s worth at once, then one token per 1/rate s', () => {
    const bucket = new TokenBucket(4, 0);
    expect([0, 0, 0, 0, 0].map(() => bucket.tryTake(0))).toEqual([true, true, true, true, false]);
    expect(bucket.nextTokenAt(0)).toBe(250);
    expect(bucket.tryTake(249)).toBe(false);
    expect(bucket.tryTake(250)).toBe(true);
    expect(new TokenBucket(0.5, 0).nextTokenAt(0)).toBe(0);
  });
});

describe('replayBounds', () => {
  // Sparse positions, as EventStoreDB's: event n at position 1000 n, stored at n seconds.
  const log: RecordedEvent[] = Array.from({ length: 500 }, (_, i) => ({
    id: `e${i + 1}`,
    type: 'StreamPushed',
    stream: 's',
    revision: 0n,
    position: BigInt((i + 1) * 1000),
    data: {},
    metadata: {},
    recordedAt: new Date((i + 1) * 1000),
  }));
  let reads = 0;
  const reader = {
    async readAll({ after, maxCount = 1000 }: { after?: bigint; maxCount?: number }) {
      reads++;
      return log.filter((e) => after === undefined || e.position > after).slice(0, maxCount);
    },
  };
  const head = 500_000n;

  it('finds the first event stored at or after `from` in about log2(head) reads', async () => {
    reads = 0;
    const bounds = await replayBounds(reader, { from: new Date(250_000), to: new Date(260_000) }, head);
    expect(bounds.after).toBe(249_000n);
    expect(reads).toBeLessThanOrEqual(25);
    expect(bounds.isBeyond(log[258]!)).toBe(false);
    expect(bounds.isBeyond(log[259]!)).toBe(true);
  });

  it('starts at the log’s beginning when everything is newer, and after its end when nothing is', async () => {
    expect((await replayBounds(reader, { from: new Date(0), to: new Date(1) }, head)).after).toBeUndefined();
    expect((await replayBounds(reader, { from: new Date(10_000_000), to: new Date(20_000_000) }, head)).after).toBe(500_000n);
  });

  it('takes positions as an inclusive range', async () => {
    const bounds = await replayBounds(reader, { fromPosition: 3_000n, toPosition: 5_000n }, head);
    expect(bounds.after).toBe(2_999n);
    expect([log[4]!, log[5]!].map((e) => bounds.isBeyond(e))).toEqual([false, true]);
  });
});
