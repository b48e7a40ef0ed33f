import type { RunningService } from '../../src/server';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import {
  CallbacksDocument,
  RelayTaskDocument,
  RelayTasksDocument,
  SessionDocument,
  SessionsDocument,
  UnmatchedRelayExitsDocument,
  type SessionFilter,
} from '../graphql/generated';
import { graphql, query } from '../support/graphqlClient';
import { seedExamples } from '../support/seedExamples';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';
import { relayCallback } from '../support/callbackBodies';

const relay = relayCallback;

describe('GraphQL queries over HTTP', () => {
  const data = tempDataDir();
  let service: RunningService;

  beforeAll(async () => {
    // The pagination tests read every session, with every field, 500 a page: a bulk client's cost.
    service = await startTestService(data.dir, { GRAPHQL_MAX_COST: '20000' });
    for (const example of seedExamples()) await postAndProject(service, example.raw);
  });
  afterAll(async () => {
    await service.close();
    data.remove();
  });

  it('answers the seed push session by its sequence, with its events and raw bodies', async () => {
    const { session } = await query(service.url, SessionDocument, { sequence: '6674468118806626493' });
    expect(session).toMatchObject({
      sequence: '6674468118806626493',
      appId: '12345678',
      domain: 'test.domain.com',
      appName: 'live',
      streamId: 'test_stream',
      status: 'LIVE',
      pushedAt: '2018-12-18T06:49:50.000Z',
    });
    const push = seedExamples().find((e) => e.raw.includes('"sequence"'))!;
    expect(session!.events).toEqual([
      expect.objectContaining({ type: 'StreamPushed', stream: 'session-6674468118806626493', raw: push.raw }),
    ]);
  });

  it('answers null, not an error, for unknown ids', async () => {
    expect(await query(service.url, SessionDocument, { sequence: '1' })).toEqual({ session: null });
    expect(await query(service.url, RelayTaskDocument, { taskId: 'nope' })).toEqual({ relayTask: null });
  });

  it('lists the seed TaskExit, which no task claims, among unmatched relay exits', async () => {
    const { unmatchedRelayExits } = await query(service.url, UnmatchedRelayExitsDocument, {});
    expect(unmatchedRelayExits.totalCount).toBe(1);
    expect(unmatchedRelayExits.nodes[0]).toMatchObject({ type: 'RelayTaskExited', raw: expect.stringContaining('write packet error.') });
  });

  it('finds a task by exit code once a TaskStart and a TaskExit with the same task_id arrive', async () => {
    await postAndProject(service, relay('TaskStart', { task_id: 'X-22', source_urls: '["http://a/b.m3u8"]\n', msg: '{"task_start_time":1700000000000}' }));
    await postAndProject(service, relay('TaskExit', { task_id: 'X-22', msg: '{"message":"write packet error.","code":"-22","task_exit_time":1700000100000}' }));
    const { relayTasks } = await query(service.url, RelayTasksDocument, { filter: { exitCode: -22 } });
    expect(relayTasks.totalCount).toBe(1);
    expect(relayTasks.nodes[0]).toMatchObject({
      taskId: 'X-22',
      status: 'EXITED',
      exitCode: -22,
      exitMessage: 'write packet error.',
      sourceUrls: ['http://a/b.m3u8'],
      startedAt: '2023-11-14T22:13:20.000Z',
      exitedAt: '2023-11-14T22:15:00.000Z',
    });
    const { relayTask } = await query(service.url, RelayTaskDocument, { taskId: 'X-22' });
    expect(relayTask!.events.map((e) => e.type)).toEqual(['RelayTaskStarted', 'RelayTaskExited']);
  });

  it('lists callbacks newest first with their bodies exactly as received', async () => {
    const { callbacks } = await query(service.url, CallbacksDocument, { first: 2 });
    expect(callbacks.nodes.map((c) => c.type)).toEqual(['RelayTaskExited', 'RelayTaskStarted']);
    expect(callbacks.nodes[0]!.raw).toContain('"task_id":"X-22"');
    const { callbacks: pushes } = await query(service.url, CallbacksDocument, { filter: { type: 'StreamPushed' } });
    expect(pushes.totalCount).toBe(1);
  });

  describe('on a few hundred generated sessions', () => {
    const traffic = generateTraffic({ seed: 3, sessions: 300, relayTasks: 0, streams: 12 });

    beforeAll(async () => {
      for (let i = 0; i < traffic.length; i += 25) {
        await Promise.all(traffic.slice(i, i + 25).map(({ body }) => postAndProject(service, body)));
      }
    });

    async function walk(filter: SessionFilter | undefined, first: number) {
      const sequences: string[] = [];
      const totals = new Set<number>();
      let after: string | null | undefined;
      for (let guard = 0; guard < 1000; guard++) {
        const { sessions } = await query(service.url, SessionsDocument, { filter, first, after });
        totals.add(sessions.totalCount);
        sequences.push(...sessions.nodes.map((n) => n.sequence));
        expect(sessions.edges.map((e) => e.node.sequence)).toEqual(sessions.nodes.map((n) => n.sequence));
        expect(sessions.edges.at(-1)?.cursor ?? null).toBe(sessions.pageInfo.endCursor);
        if (!sessions.pageInfo.hasNextPage) break;
        after = sessions.pageInfo.endCursor;
      }
      return { sequences, totals };
    }

    it.each<[string, SessionFilter | undefined]>([
      ['no filter', undefined],
      ['a stream id', { streamId: 'stream_3' }],
      ['a status', { status: 'ENDED' }],
      ['an errcode', { errcode: 18 }],
      ['a stream id and a status', { streamId: 'stream_5', status: 'LIVE' }],
    ])('pages, filters and totalCount agree for %s', async (_label, filter) => {
      const { sequences, totals } = await walk(filter, 17);
      const all = (await walk(undefined, 500)).sequences;
      const { nodes } = (await query(service.url, SessionsDocument, { first: 500 })).sessions;
      const expected = nodes
        .filter((n) => filter?.streamId == null || n.streamId === filter.streamId)
        .filter((n) => filter?.status == null || n.status === filter.status)
        .filter((n) => filter?.errcode == null || n.errcode === filter.errcode)
        .map((n) => n.sequence);
      expect(all).toHaveLength(301);
      expect(sequences).toEqual(expected);
      expect(new Set(sequences).size).toBe(sequences.length);
      expect([...totals]).toEqual([expected.length]);
      expect(expected.length).toBeGreaterThan(0);
    });
  });

  describe('argument errors', () => {
    it.each([
      ['first above the cap', { first: 501 }, /first must not be greater than 500/],
      ['first below zero', { first: -1 }, /first must not be less than 0/],
    ])('answers BAD_USER_INPUT naming the argument for %s', async (_label, variables, message) => {
      const result = await graphql(service.url, SessionsDocument, variables);
      expect(result.data).toBeNull();
      expect(result.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT' } });
    });

    it('answers BAD_USER_INPUT naming `after` for a cursor it never gave out', async () => {
      const result = await graphql(service.url, SessionsDocument, { after: 'not-a-cursor' });
      expect(result.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^after: /), extensions: { code: 'BAD_USER_INPUT' } });
    });

    it('answers BAD_USER_INPUT for an asOf that is not a date-time', async () => {
      const result = await graphql(service.url, SessionDocument, { sequence: '6674468118806626493', asOf: 'yesterday' });
      expect(result.errors?.[0]).toMatchObject({ message: expect.stringContaining('asOf'), extensions: { code: 'BAD_USER_INPUT' } });
    });
  });
});
