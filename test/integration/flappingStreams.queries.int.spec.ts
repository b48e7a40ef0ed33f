// Flapping streams read from a real insights file: only streams interrupted often enough in the range are looked at, those without a domain included.
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { callback, projectionSpec } from '../support/projectionSpec';

const T0 = 1_700_000_000;

// Interruptions a minute after their push, the stream's pushes three minutes apart; `app` absent for no domain.
const sessions: Array<[stream: string, domain: string | undefined, at: number]> = [
  ['bare', undefined, 0],
  ['bare', undefined, 180],
  ['bare', undefined, 360],
  // The same name on a domain is another stream: interrupted once.
  ['bare', 'a.example', 200],
  // Three times, but the first long before the range.
  ['early', 'a.example', -7_200],
  ['early', 'a.example', 180],
  ['early', 'a.example', 360],
];
const events = sessions.flatMap(([stream, domain, at], i) => {
  const push = { event_type: 1, sequence: String(500 + i), appname: 'live', stream_id: stream, event_time: T0 + at, ...(domain === undefined ? {} : { app: domain }) };
  return [callback(push), callback({ ...push, event_type: 0, event_time: T0 + at + 60, errcode: 12, push_duration: '60000' })];
});

describe('flapping streams in an insights file', () => {
  it('finds a stream without a domain, apart from the same name on a domain, and counts only the range', () => {
    projectionSpec(insightsProjection)
      .given(...events)
      .when([])
      .then(({ db }) => {
        const flapping = (minInterruptions: number, domain: string | null = null) =>
          insightQueries(db)
            .flappingStreams({ minInterruptions, withinMs: 600_000, from: (T0 - 60) * 1000, to: (T0 + 3_600) * 1000, domain }, 50, null)
            .edges.map((edge) => [edge.row.streamId, edge.row.domain, edge.row.interruptions]);
        expect(flapping(3)).toEqual([['bare', null, 3]]);
        expect(flapping(2)).toEqual([
          ['early', 'a.example', 2],
          ['bare', null, 3],
        ]);
        expect(flapping(4)).toEqual([]);
        expect(flapping(2, 'a.example')).toEqual([['early', 'a.example', 2]]);
      });
  });
  it('walks the interruptions a slice per turn of the event loop, as at once, interruptions of one instant together', async () => {
    // Bursts on three streams, several interruptions of each at one instant, so that slices of one to four interruptions end at them.
    const busy: Array<[stream: string, domain: string | undefined, at: number]> = [
      ...[0, 0, 0, 90, 400, 400].map((at): [string, string, number] => ['tied', 'b.example', at]),
      ...[30, 60, 60, 60, 2_000].map((at): [string, undefined, number] => ['bare', undefined, at]),
      ...[10, 600, 1_300, 1_300].map((at): [string, string, number] => ['slow', 'b.example', at]),
    ];
    const pushes = busy.flatMap(([stream, domain, at], i) => {
      const push = { event_type: 1, sequence: String(900 + i), appname: 'live', stream_id: stream, event_time: T0 + at - 30, ...(domain === undefined ? {} : { app: domain }) };
      return [callback(push), callback({ ...push, event_type: 0, event_time: T0 + at, errcode: 12, push_duration: '30000' })];
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flapping-'));
    const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
    file.apply(pushes.map((arrival, i) => ({ ...arrival, position: BigInt(i + 1), revision: BigInt(i + 1) })));
    const db = file.db;
    const atOnce = insightQueries(db);
    for (const [minInterruptions, withinMs, domain] of [[2, 60_000, null], [3, 600_000, null], [4, 120_000, 'b.example'], [2, 1_000, null]] as const) {
      const query = { minInterruptions, withinMs, from: T0 * 1000, to: (T0 + 3_600) * 1000, domain };
      const expected = atOnce.flappingStreams(query, 50, null);
      expect(expected.edges.length).toBeGreaterThan(0);
      for (const perStep of [1, 2, 4]) {
        const sliced = insightQueries(db, { flappingPerStep: perStep });
        const answered = await sliced.flappingStreamsInTurns(query, 50, null, new EventLoopTurns());
        expect(answered.edges).toEqual(expected.edges);
        // A page at a time, from each page's endCursor, the same rows in the same order.
        const paged = [];
        for (let after: string | null = null, more = true; more; ) {
          const page = await sliced.flappingStreamsInTurns(query, 1, after, new EventLoopTurns());
          paged.push(...page.edges);
          [after, more] = [page.endCursor, page.hasNextPage];
        }
        expect(paged).toEqual(expected.edges);
      }
    }
    file.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds what every stream walked on its own finds, streams not interrupted for M minutes let go meanwhile', async () => {
    // 1,500 interruptions of 60 streams (a few busy ones) over six hours, some at one instant, on two domains and none.
    let state = 5;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const rows = Array.from({ length: 1_500 }, (_, i) => {
      const stream = `s${Math.floor(60 * next() ** 3)}`;
      const domain = stream.endsWith('1') ? undefined : Number(stream.slice(1)) % 2 === 0 ? 'a.example' : 'b.example';
      return { stream, domain, at: T0 + 10 * Math.floor(next() * 2_160), sequence: String(20_000 + i) };
    });
    const pushes = rows.flatMap(({ stream, domain, at, sequence }) => {
      const push = { event_type: 1, sequence, appname: 'live', stream_id: stream, event_time: at - 5, ...(domain === undefined ? {} : { app: domain }) };
      return [callback(push), callback({ ...push, event_type: 0, event_time: at, errcode: 12, push_duration: '5000' })];
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flapping-walked-'));
    const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
    file.apply(pushes.map((arrival, i) => ({ ...arrival, position: BigInt(i + 1), revision: BigInt(i + 1) })));
    /** Each stream's interruptions in the range on their own: its latest one with N-1 others within M minutes before it. */
    const onItsOwn = (needed: number, withinMs: number, from: number, to: number, domain: string | null) => {
      const byStream = new Map<string, { streamId: string; domain: string | null; times: number[] }>();
      for (const row of rows) {
        const [at, rowDomain] = [row.at * 1000, row.domain ?? null];
        if (at < from || at >= to || (domain !== null && rowDomain !== domain)) continue;
        const key = `${row.stream} ${rowDomain ?? ''}`;
        const stream = byStream.get(key) ?? byStream.set(key, { streamId: row.stream, domain: rowDomain, times: [] }).get(key)!;
        stream.times.push(at);
      }
      return [...byStream]
        .map(([key, { streamId, domain: streamDomain, times }]) => {
          times.sort((a, b) => a - b);
          const bursts = times.filter((at) => times.filter((other) => other <= at && other >= at - withinMs).length >= needed);
          return { key, row: { streamId, domain: streamDomain, lastBurstAt: bursts.at(-1) ?? null, interruptions: times.length } };
        })
        .filter(({ row }) => row.lastBurstAt !== null)
        .sort((a, b) => b.row.lastBurstAt! - a.row.lastBurstAt! || (b.key < a.key ? -1 : 1))
        .map(({ row }) => row);
    };
    const [from, to] = [(T0 + 1_800) * 1000, (T0 + 19_800) * 1000];
    for (const [minInterruptions, withinMs, domain] of [[3, 300_000, null], [2, 60_000, null], [5, 1_200_000, 'a.example'], [4, 600_000, null]] as const) {
      const query = { minInterruptions, withinMs, from, to, domain };
      const expected = onItsOwn(minInterruptions, withinMs, from, to, domain);
      expect(expected.length).toBeGreaterThan(3);
      expect(insightQueries(file.db).flappingStreams(query, 1_000, null).edges.map((edge) => edge.row)).toEqual(expected);
      const sliced = await insightQueries(file.db, { flappingPerStep: 7 }).flappingStreamsInTurns(query, 3, null, new EventLoopTurns());
      expect([sliced.totalCount?.(), sliced.edges.map((edge) => edge.row)]).toEqual([expected.length, expected.slice(0, 3)]);
    }
    file.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
