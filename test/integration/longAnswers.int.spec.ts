// The service's schema answers a statistic of more than 1,000 buckets through its event-loop turns, all of them, in order, and over HTTP as JSON.stringify writes it.
import { graphql } from 'graphql';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { LONG_ANSWER_CHARS } from '../../src/graphql/answerText';
import { LIST_ITEMS_PER_TURN } from '../../src/graphql/longLists';
import { readModelsSchema } from '../../src/graphqlSchema';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import type { ReadModelServices } from '../../src/readmodels/services';
import { callback } from '../support/projectionSpec';
import { postCallback, useTestService } from '../support/testService';

describe('long answers', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'long-answers-'));
  const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
  const NODES = LIST_ITEMS_PER_TURN + 50;
  afterAll(() => {
    file.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads the buckets of a statistic by node over turns of the event loop, and answers every one of them', async () => {
    // One interruption on each node, the nodes' counts 1 and 2 so that the buckets have an order to keep.
    const events = Array.from({ length: NODES + 10 }, (_, i) => ({
      ...callback({ event_type: 0, sequence: String(9_000 + i), stream_id: `s${i}`, node: `10.0.${Math.floor((i % NODES) / 250)}.${i % NODES % 250}`, event_time: 1_700_000_000 + i, errcode: 1 }),
      position: BigInt(i + 1),
      revision: BigInt(i + 1),
    }));
    file.apply(events);
    const insights = insightQueries(file.db);
    const turns = new EventLoopTurns();
    const spread = jest.spyOn(turns, 'spread');
    const schema = readModelsSchema({ insights, turns } as unknown as ReadModelServices);
    const answer = await graphql({
      schema,
      source: '{ interruptionStats(from: "2023-11-14T00:00:00Z", to: "2023-11-16T00:00:00Z", groupBy: NODE) { key count } }',
    });
    expect(answer.errors).toBeUndefined();
    const buckets = (answer.data!.interruptionStats as Array<{ key: string; count: number }>).map(({ key, count }) => ({ key, count }));
    const expected = insights.interruptionStats(Date.parse('2023-11-14T00:00:00Z'), Date.parse('2023-11-16T00:00:00Z'), 'NODE', null).map(({ key, count }) => ({ key, count }));
    expect(buckets).toHaveLength(NODES);
    expect(buckets).toEqual(expected);
    expect(buckets.slice(0, 10).every(({ count }) => count === 2)).toBe(true);
    expect(spread).toHaveBeenCalledWith(expect.arrayContaining([expect.objectContaining({ key: expected[0]!.key })]), LIST_ITEMS_PER_TURN);
    expect(spread.mock.results.some(({ value }) => (value as unknown[]).some((item) => item instanceof Promise))).toBe(true);
  });
});

describe('a long answer over HTTP', () => {
  const fixture = useTestService();
  const NODES = LIST_ITEMS_PER_TURN + 50;

  it('is written out whole, as JSON.stringify writes it, and sent in slices past a megabyte', async () => {
    const { service } = fixture;
    let last = 0n;
    for (let start = 0; start < NODES; start += 50) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(50, NODES - start) }, (_, k) => {
          const i = start + k;
          return postCallback(service.url, { event_type: 0, sequence: String(9_000 + i), stream_id: `s${i}`, node: `10.1.${i >> 8}.${i & 255}`, event_time: 1_700_000_000 + i, errcode: 1 });
        }),
      );
      for (const answer of answers) last = [last, BigInt(answer.headers.get('callback-position')!)].reduce((a, b) => (a > b ? a : b));
    }
    await service.projector.waitForPosition(last);
    const ask = async (query: string) => {
      const response = await fetch(`${service.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).toBe(`${JSON.stringify(JSON.parse(text))}\n`);
      return { headers: response.headers, text, data: (JSON.parse(text) as { data: Record<string, Array<{ key: string; count: number }> | null> }).data };
    };
    const stats = (alias: string) => `${alias}: interruptionStats(from: "2023-11-14T00:00:00Z", to: "2023-11-16T00:00:00Z", groupBy: NODE) { key count pushDurationP50Ms pushDurationP90Ms }`;
    // The buckets, and beside them a relay task that does not exist.
    const one = await ask(`{ ${stats('buckets')} relayTask(taskId: "none") { taskId } }`);
    expect(one.data.relayTask).toBeNull();
    expect(one.data.buckets).toHaveLength(NODES);
    expect(new Set(one.data.buckets!.map((bucket) => bucket.key)).size).toBe(NODES);
    expect(one.data.buckets!.every((bucket) => bucket.count === 1)).toBe(true);
    expect(one.headers.get('content-length')).toBe(String(Buffer.byteLength(one.text)));
    // Fourteen times over, more than a megabyte: sent in slices (chunked), the same buckets each time.
    const many = await ask(`{ ${Array.from({ length: 14 }, (_, i) => stats(`s${i}`)).join(' ')} }`);
    expect(many.text.length).toBeGreaterThan(LONG_ANSWER_CHARS);
    expect(many.headers.get('transfer-encoding')).toBe('chunked');
    for (let i = 0; i < 14; i++) expect(many.data[`s${i}`]).toEqual(one.data.buckets);
  });
});
