// The service's schema answers a statistic of more than 1,000 buckets through its event-loop turns, all of them, in order, and over HTTP as JSON.stringify writes it.
import { graphql } from 'graphql';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { LONG_ANSWER_CHARS } from '../../src/graphql/answerText';
import { LIST_ITEMS_PER_TURN } from '../../src/graphql/longLists';
import { StatisticsAdmission } from '../../src/graphql/statisticsAdmission';
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
    const statistics = new StatisticsAdmission({ atOnce: 1, waiting: 0 }, turns);
    const schema = readModelsSchema({ insights, turns, statistics } as unknown as ReadModelServices);
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
  // A client that stops reading is cut off after a second here; answers of over 100 aliases (each a statistic, some
  // twenty tokens of the document) are allowed.
  const fixture = useTestService({
    GRAPHQL_MAX_STATISTICS_WAITING: '200',
    GRAPHQL_LONG_ANSWER_SEND_TIMEOUT_MS: '1000',
    GRAPHQL_MAX_ALIASES: '200',
    GRAPHQL_MAX_TOKENS: '5000',
    GRAPHQL_MAX_COST: '1000000',
    GRAPHQL_MAX_RESPONSE_BYTES: String(64 * 1024 * 1024),
  });
  const NODES = LIST_ITEMS_PER_TURN + 50;

  beforeAll(async () => {
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
  });

  it('is written out whole, as JSON.stringify writes it, and sent in slices past a megabyte', async () => {
    const { service } = fixture;
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

  it('abandons a long answer its client stops taking, and closes the connection', async () => {
    const { service } = fixture;
    // 120 statistics of 1,050 buckets, about 11 MB: more than the sockets' buffers take in (4 MB and 128 KB here).
    const query = `{ ${Array.from({ length: 120 }, (_, i) => `s${i}: interruptionStats(from: "2023-11-14T00:00:00Z", to: "2023-11-16T00:00:00Z", groupBy: NODE) { key count pushDurationP50Ms pushDurationP90Ms }`).join(' ')} }`;
    const body = JSON.stringify({ query });
    const socket = net.connect(Number(new URL(service.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let received = '';
    // The first bytes of the answer, then nothing more is read for four seconds: four times the time it is given.
    const started = new Promise<void>((resolve) =>
      socket.once('data', (chunk: Buffer) => {
        socket.pause();
        received += chunk.toString('latin1');
        resolve();
      }),
    );
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await started;
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.resume();
    await closed;
    // What had been sent by then, and no more: the answer stops short of its last chunk.
    expect(received.startsWith('HTTP/1.1 200')).toBe(true);
    expect(received.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(received.endsWith('\r\n0\r\n\r\n')).toBe(false);
    expect(received.length).toBeLessThan(8 * 1024 * 1024);
  });
});
