// Queries answered on reading threads: the same answers, errors and statuses as the main thread gives, and where each was answered.
import { loadConfig } from '../../src/config';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { ReadingThreads } from '../../src/reading/readingThreads';
import { READ_CACHE_KIB } from '../../src/readmodels';
import { postQuery, type RawAnswer } from '../support/graphqlClient';
import { scrape, valueOf } from '../support/metricsText';
import { seedExamples } from '../support/seedExamples';
import { postAndProject, useTestService } from '../support/testService';
import { capturedLog } from '../support/capturedLog';

const QUERIES = 'css_ledger_graphql_queries_total';
const answeredOn = async (url: string) => {
  const samples = await scrape(url);
  return { reading: valueOf(samples, QUERIES, { thread: 'reading' }), main: valueOf(samples, QUERIES, { thread: 'main' }) };
};

/** Queries a client sends, good and bad, with what each reads: answers, paging, time travel, cursors, coercion, limits. */
const ASKED: Array<{ query: string; variables?: Record<string, unknown> }> = [
  { query: '{ sessions(first: 3) { totalCount edges { cursor node { sequence streamId status events { type receivedAt } } } pageInfo { hasNextPage endCursor } } }' },
  { query: '{ session(sequence: "6674468118806626493") { sequence status domain events { type } } }' },
  { query: '{ session(sequence: "6674468118806626493", asOf: "2100-01-01T00:00:00Z") { sequence status } }' },
  { query: '{ relayTasks(first: 2) { totalCount edges { node { taskId status } } } }' },
  { query: 'query Page($after: String) { sessions(first: 2, after: $after) { totalCount } }', variables: { after: 'not a cursor' } },
  { query: 'query Size($n: Int!) { sessions(first: $n) { totalCount } }', variables: { n: 'many' } },
  { query: '{ sessions(first: 9999) { totalCount } }' },
  { query: '{ a: session(sequence: "nope") { sequence } b: callbacks(first: 1) { totalCount } }' },
  { query: '{ interruptionStats(from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", groupBy: ERRCODE) { key count } }' },
  // Fragments, aliases, directives and __typename; enums, DateTime variables and nested lists; a DateTime that is not one;
  // a long page of callbacks with their bodies.
  {
    query:
      'query F($events: Boolean!) { page: sessions(first: 50) { edges { node { ...S } } } } ' +
      'fragment S on StreamSession { __typename sequence status events @include(if: $events) { type raw } pushedAt @skip(if: $events) }',
    variables: { events: true },
  },
  {
    query:
      'query R($from: DateTime!, $status: RelayTaskStatus) { relayTasks(filter: { startedFrom: $from, status: $status }, first: 3) ' +
      '{ nodes { taskId status startedAt runs { startedAt exitCode } files { index url } } } }',
    variables: { from: '2000-01-01T00:00:00Z', status: null },
  },
  { query: '{ session(sequence: "6674468118806626493") { timeline(first: 4) { nodes { at kind sequence } pageInfo { hasNextPage } } } }' },
  { query: 'query R($from: DateTime!) { relayTasks(filter: { startedFrom: $from }, first: 1) { totalCount } }', variables: { from: 'yesterday' } },
  { query: '{ callbacks(first: 100) { nodes { id type stream position receivedAt raw } pageInfo { hasNextPage endCursor } } }' },
  { query: '{ destinations { name } }' },
];

describe('queries answered on a reading thread', () => {
  const fixture = useTestService({ GRAPHQL_READING_THREADS: '1' });
  beforeAll(async () => {
    for (const example of seedExamples()) await postAndProject(fixture.service, example.raw);
    const traffic = generateTraffic({ seed: 5, sessions: 40, relayTasks: 10, streams: 6 });
    for (let i = 0; i < traffic.length; i += 25) await Promise.all(traffic.slice(i, i + 25).map(({ body }) => postAndProject(fixture.service, body)));
  }, 60_000);

  it('answers each query as the main thread does, errors and HTTP statuses included', async () => {
    const ask = async () => {
      const answers: RawAnswer[] = [];
      for (const { query, variables } of ASKED) answers.push(await postQuery(fixture.service.url, query, variables));
      return answers;
    };
    const before = await answeredOn(fixture.service.url);
    const onReadingThreads = await ask();
    const after = await answeredOn(fixture.service.url);
    // Every one but forwarding's destinations, which only the main thread has.
    expect(after.reading - before.reading).toBe(ASKED.length - 1);
    expect(after.main - before.main).toBe(1);

    await fixture.restart({ GRAPHQL_READING_THREADS: '0' });
    const onMainThread = await ask();
    expect((await answeredOn(fixture.service.url)).reading).toBe(0);
    expect(onReadingThreads).toEqual(onMainThread);
    // They are answers, not the same error twice.
    expect(onMainThread.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 400, 200, 200, 200, 200, 200, 200, 400, 200, 200]);
    expect(onMainThread[0]!.body.data).toMatchObject({ sessions: { totalCount: 41 } });
    // Time travel to a time after every event: the session as it stands, its events read through the main thread's store.
    const now = onMainThread[1]!.body.data as { session: { sequence: string; status: string } };
    expect(onMainThread[2]!.body.data).toEqual({ session: { sequence: now.session.sequence, status: now.session.status } });
    expect(onMainThread[4]!.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    const fragmentNodes = (onMainThread[9]!.body.data as { page: { edges: Array<{ node: Record<string, unknown> }> } }).page.edges.map((edge) => edge.node);
    expect(fragmentNodes).toHaveLength(41);
    for (const node of fragmentNodes) expect(Object.keys(node).sort()).toEqual(['__typename', 'events', 'sequence', 'status']);
    expect((onMainThread[10]!.body.data as { relayTasks: { nodes: unknown[] } }).relayTasks.nodes.length).toBeGreaterThan(0);
    expect((onMainThread[11]!.body.data as { session: { timeline: { nodes: unknown[] } } }).session.timeline.nodes.length).toBeGreaterThan(0);
    expect((onMainThread[13]!.body.data as { callbacks: { nodes: unknown[] } }).callbacks.nodes).toHaveLength(100);
  }, 60_000);

  it('learns which root fields need the main thread and sends them there directly', async () => {
    await fixture.restart({ GRAPHQL_READING_THREADS: '2' });
    const destinations = '{ destinations { name } }';
    await postQuery(fixture.service.url, destinations);
    const before = await answeredOn(fixture.service.url);
    for (let i = 0; i < 3; i++) expect((await postQuery(fixture.service.url, destinations)).status).toBe(200);
    await postQuery(fixture.service.url, '{ sessions(first: 1) { totalCount } }');
    const after = await answeredOn(fixture.service.url);
    expect(after.main - before.main).toBe(3);
    expect(after.reading - before.reading).toBe(1);
  });
});

describe('reading threads that are still starting', () => {
  const fixture = useTestService({ GRAPHQL_READING_THREADS: '1' });
  beforeAll(() => postAndProject(fixture.service, seedExamples()[0]!.raw));

  it('keep a query sent before they are ready and answer it there, not on the thread that answers CSS', async () => {
    const threads = new ReadingThreads({
      threads: 1,
      files: fixture.service.projector.servingFiles(),
      readCacheKiB: READ_CACHE_KIB,
      graphql: loadConfig({}).graphql,
      history: { eventsOf: async () => [] },
      statistics: { workOut: () => Promise.reject(new Error('no statistics here')) },
      logger: capturedLog('warn').logger,
    });
    try {
      expect(threads.ready).toBe(0);
      const answer = await threads.ask({ query: '{ callbacks(first: 1) { totalCount } }' });
      expect(answer).toEqual({ kind: 'answered', dataJson: JSON.stringify({ callbacks: { totalCount: 1 } }) });
      expect(threads.ready).toBe(1);
    } finally {
      await threads.close();
    }
  });

  it('answer the first query a service is asked right after it listens, on the reading thread', async () => {
    const service = await fixture.restart();
    const answer = await postQuery(service.url, '{ callbacks(first: 1) { totalCount } }');
    expect(answer.body.data).toEqual({ callbacks: { totalCount: 1 } });
    expect(await answeredOn(service.url)).toEqual({ reading: 1, main: 0 });
  });
});

describe('a reading thread that cannot start', () => {
  it('answers nothing, so that the main thread answers; it is started again', async () => {
    const log = capturedLog('warn');
    const threads = new ReadingThreads({
      threads: 1,
      // No file for any read model: the thread fails while opening them.
      files: {},
      readCacheKiB: {},
      graphql: loadConfig({}).graphql,
      history: { eventsOf: async () => [] },
      statistics: { workOut: () => Promise.reject(new Error('no statistics here')) },
      logger: log.logger,
    });
    try {
      await threads.started();
      expect(threads.ready).toBe(0);
      expect(await threads.ask({ query: '{ sessions(first: 1) { totalCount } }' })).toBeNull();
      expect(log.logged().some((line) => line.msg === 'a reading thread ended: it starts again')).toBe(true);
    } finally {
      await threads.close();
    }
  });
});
