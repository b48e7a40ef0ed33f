// A stream's story through real HTTP: Tencent's documented push anomaly report and the callbacks around it, told by
// the session's timeline, its anomalies and the stream, whatever order they arrive in.
import { SessionStoryDocument, StreamStoryDocument } from '../graphql/generated';
import { callbackTypeFixture } from '../support/callbackTypeFixtures';
import { graphql, postQuery, query } from '../support/graphqlClient';
import { postAndProject, useTestService } from '../support/testService';

// The documented report: sequence 000000000000000000, stream teststream on example.push.com, data_time 1670588074971.
const SEQUENCE = '000000000000000000';
const T = 1_670_588_000; // unix seconds, just before the report
const place = { app: 'example.push.com', appname: 'live', stream_id: 'teststream' };
const push = { event_type: 1, sequence: SEQUENCE, ...place, event_time: T };
const interruption = { ...push, event_type: 0, event_time: T + 3600, errcode: 18, sub_errcode: 401, errmsg: 'ip not allowed', push_duration: '3600000' };
const recording = { event_type: 100, ...place, file_id: 'f1', file_format: 'hls', start_time: T, end_time: T + 3599, duration: 3600 };
const later = { ...push, sequence: '1000000000000000001', event_time: T + 7200 };

describe('a stream told whole, over HTTP', () => {
  const fixture = useTestService();
  beforeAll(async () => {
    // The report and the recording arrive before the push they belong to.
    for (const body of [callbackTypeFixture('push-anomalies').raw, recording, push, interruption, later]) await postAndProject(fixture.service, body);
  });

  it("lists a session's push anomalies with what each type means, each with its report as received", async () => {
    const { session } = await query(fixture.service.url, SessionStoryDocument, { sequence: SEQUENCE });
    expect(session?.subErrcode).toBe(401);
    expect(session?.pushAnomalies).toEqual([
      { type: 7, description: 'audio frames arrived late (over 1 s apart)', count: 2, at: '2022-12-09T12:14:30.532Z', event: { type: 'PushAnomaliesReported', raw: callbackTypeFixture('push-anomalies').raw } },
      { type: 6, description: 'video frames arrived late (over 3 s apart)', count: 2, at: '2022-12-09T12:14:30.569Z', event: expect.objectContaining({ type: 'PushAnomaliesReported' }) },
    ]);
  });

  it("tells a session's timeline oldest first, one line each, a page at a time", async () => {
    const first = (await query(fixture.service.url, SessionStoryDocument, { sequence: SEQUENCE, first: 2 })).session!.timeline;
    expect(first.nodes.map((n) => [n.kind, n.summary])).toEqual([
      ['StreamPushed', 'pushed teststream'],
      ['PushAnomaliesReported', 'push anomaly report: 2 × video frames arrived late (over 3 s apart), 2 × audio frames arrived late (over 1 s apart)'],
    ]);
    expect(first.totalCount).toBe(4);
    expect(first.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0]!.cursor, endCursor: first.edges[1]!.cursor });

    const rest = (await query(fixture.service.url, SessionStoryDocument, { sequence: SEQUENCE, first: 5, after: first.pageInfo.endCursor })).session!.timeline;
    expect(rest.nodes.map((n) => [n.kind, n.summary, n.event.type])).toEqual([
      ['RecordingFileGenerated', 'recording file of 3,600 s ready (HLS)', 'RecordingFileGenerated'],
      ['StreamInterrupted', "interrupted after 3,600 s: errcode 18/401, the pusher's IP is not on the allow list", 'StreamInterrupted'],
    ]);
    expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(rest.nodes.every((n) => n.sequence === SEQUENCE)).toBe(true);
  });

  it('answers a stream across its sessions: live, its current session, its sessions and its whole timeline', async () => {
    const { stream } = await query(fixture.service.url, StreamStoryDocument, { streamId: 'teststream', first: 10 });
    expect(stream).toMatchObject({
      streamId: 'teststream',
      domain: 'example.push.com',
      live: true,
      currentSession: { sequence: later.sequence },
      sessions: { totalCount: 2, nodes: [{ sequence: later.sequence, status: 'LIVE' }, { sequence: SEQUENCE, status: 'ENDED' }] },
    });
    expect(stream!.timeline.nodes.map((n) => [n.kind, n.sequence])).toEqual([
      ['StreamPushed', SEQUENCE],
      ['PushAnomaliesReported', SEQUENCE],
      ['RecordingFileGenerated', SEQUENCE],
      ['StreamInterrupted', SEQUENCE],
      ['StreamPushed', later.sequence],
    ]);
  });

  it('answers null for a stream no callback named, and for a known stream on another domain', async () => {
    expect((await query(fixture.service.url, StreamStoryDocument, { streamId: 'nobody' })).stream).toBeNull();
    expect((await query(fixture.service.url, StreamStoryDocument, { streamId: 'teststream', domain: 'other.example.com' })).stream).toBeNull();
  });

  it('answers first: 0 with no rows, the total and whether there is more', async () => {
    const { stream } = await query(fixture.service.url, StreamStoryDocument, { streamId: 'teststream', first: 0 });
    expect(stream!.timeline).toMatchObject({ totalCount: 5, nodes: [], edges: [], pageInfo: { hasNextPage: true, startCursor: null, endCursor: null } });
    const sessions = await postQuery(fixture.service.url, '{ sessions(first: 0) { totalCount nodes { sequence } pageInfo { hasNextPage hasPreviousPage } } }');
    expect(sessions.body).toEqual({ data: { sessions: { totalCount: 2, nodes: [], pageInfo: { hasNextPage: true, hasPreviousPage: false } } } });
  });

  it('refuses a cursor of another listing as the timeline cursor', async () => {
    const { sessions } = (await postQuery(fixture.service.url, '{ sessions(first: 1) { pageInfo { endCursor } } }')).body.data as { sessions: { pageInfo: { endCursor: string } } };
    const result = await graphql(fixture.service.url, StreamStoryDocument, { streamId: 'teststream', after: sessions.pageInfo.endCursor });
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^after: /), extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('a stream whose older push missed its interruption', () => {
  const own = useTestService();

  it('is not live when its newest push ended, though an older one never heard its interruption', async () => {
    // ghoststream: a push whose interruption never came, then a newer push of it, interrupted: CSS replaced the first.
    const ghost = { event_type: 1, sequence: '1000000000000000010', ...place, stream_id: 'ghoststream', event_time: T };
    const newer = { ...ghost, sequence: '1000000000000000011', event_time: T + 600 };
    for (const body of [ghost, newer, { ...newer, event_type: 0, event_time: T + 900, errcode: 1, errmsg: 'closed', push_duration: '300000' }]) {
      await postAndProject(own.service, body);
    }
    const { stream } = await query(own.service.url, StreamStoryDocument, { streamId: 'ghoststream', first: 10 });
    expect(stream).toMatchObject({
      live: false,
      currentSession: null,
      // Each session as CSS told it: the first is still LIVE, as no interruption of it arrived.
      sessions: { totalCount: 2, nodes: [{ sequence: newer.sequence, status: 'ENDED' }, { sequence: ghost.sequence, status: 'LIVE' }] },
    });
    // Pushed again, the stream is live with its newest session.
    const again = { ...ghost, sequence: '1000000000000000012', event_time: T + 1200 };
    await postAndProject(own.service, again);
    expect((await query(own.service.url, StreamStoryDocument, { streamId: 'ghoststream' })).stream).toMatchObject({ live: true, currentSession: { sequence: again.sequence } });
  });
});
