// The service's schema answers a statistic of more than 1,000 buckets through its event-loop turns, all of them, in order.
import { graphql } from 'graphql';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { LIST_ITEMS_PER_TURN } from '../../src/graphql/longLists';
import { readModelsSchema } from '../../src/graphqlSchema';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import type { ReadModelServices } from '../../src/readmodels/services';
import { callback } from '../support/projectionSpec';

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
