// Anomaly views, statistics and business metrics of a running service, over real HTTP, from callbacks it was sent.
import type { RunningService } from '../../src/server';
import { relayCallback } from '../support/callbackBodies';
import { postQuery } from '../support/graphqlClient';
import { scrape, valueOf } from '../support/metricsText';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

const NOW_S = Math.floor(Date.now() / 1000);
const HOUR = 3600;
const session = (sequence: string, stream: string, pushedAt: number, domain = 'a.example') => ({
  event_type: 1, sequence, app: domain, appname: 'live', stream_id: stream, event_time: pushedAt, node: 'n1',
});
const interrupted = (push: ReturnType<typeof session>, errcode: number, sub: number, seconds: number) => ({
  ...push, event_type: 0, event_time: push.event_time + seconds, errcode, sub_errcode: sub, errmsg: 'x', push_duration: String(seconds * 1000),
});
const VOD = JSON.stringify(['http://vod.example/0.mp4']) + '\n';
const relay = (kind: string, taskId: string, extra: Record<string, unknown>) =>
  relayCallback(kind, { task_id: taskId, source_urls: VOD, to_url: 'rtmp://push.example.com/live/r', ...extra });
const taskStart = (taskId: string, atMs: number) => relay('TaskStart', taskId, { msg: JSON.stringify({ task_start_time: atMs }) });
const fileStart = (taskId: string, atS: number) => relay('VodSourceFileStart', taskId, { event_time: String(atS), msg: JSON.stringify({ index: 0, url: 'http://vod.example/0.mp4' }) });
const taskExit = (taskId: string, atMs: number, code: number) => relay('TaskExit', taskId, { msg: JSON.stringify({ code, message: 'x', task_exit_time: atMs }) });

async function data(service: RunningService, query: string): Promise<Record<string, any>> {
  const answer = await postQuery(service.url, query);
  if (answer.status !== 200 || answer.body.errors !== undefined) throw new Error(JSON.stringify(answer.body));
  return answer.body.data!;
}

describe('insights over GraphQL and /metrics', () => {
  const folder = tempDataDir();
  let service: RunningService;
  const T = (NOW_S - 3 * HOUR) * 1000;

  beforeAll(async () => {
    service = await startTestService(folder.dir);
    const customer = session('101', 'cam1', NOW_S - 2 * HOUR);
    const platform = session('102', 'cam2', NOW_S - 2 * HOUR, 'b.example');
    const network = session('103', 'cam3', NOW_S - 2 * HOUR);
    const callbacks: object[] = [
      customer, interrupted(customer, 18, 501, 60),
      platform, interrupted(platform, 5, 0, 120),
      network, interrupted(network, 12, 0, 180),
      // LIVE for two hours without a sign of life since; LIVE as long but screenshotted a minute ago; pushed five minutes ago.
      session('201', 'silent', NOW_S - 2 * HOUR),
      session('202', 'watched', NOW_S - 2 * HOUR),
      { event_type: 200, stream_id: 'watched', app: 'a.example', appname: 'live', create_time: NOW_S - 60, pic_url: '/w.jpg' },
      session('203', 'fresh', NOW_S - 300),
      // The same stream name on another domain, silent all along; a stream whose screenshot named no domain.
      session('204', 'watched', NOW_S - 2 * HOUR, 'b.example'),
      session('205', 'unnamed', NOW_S - 2 * HOUR, 'b.example'),
      { event_type: 200, stream_id: 'unnamed', appname: 'live', create_time: NOW_S - 60, pic_url: '/u.jpg' },
      // A task whose first file came 5 s after its start, one within a second, one restarted twice.
      taskStart('slow', T), fileStart('slow', T / 1000 + 5),
      taskStart('fast', T), fileStart('fast', T / 1000 + 1),
      taskStart('flaky', T), taskExit('flaky', T + 10_000, -22), taskStart('flaky', T + 20_000), fileStart('flaky', T / 1000 + 20),
      taskExit('flaky', T + 30_000, -22), taskStart('flaky', T + 40_000), fileStart('flaky', T / 1000 + 40), taskExit('flaky', T + 50_000, -5),
    ];
    for (const body of callbacks) await postAndProject(service, body);
  });
  afterAll(async () => {
    await service.close();
    folder.remove();
  });

  it('lists interruptions by the side of their cause, with the domain filter', async () => {
    const of = async (filter: string) =>
      (await data(service, `{ interruptions(filter: ${filter}) { totalCount nodes { sequence interruptionCause } } }`)).interruptions;
    expect((await of('{cause: CUSTOMER}')).nodes).toEqual([{ sequence: '101', interruptionCause: 'CUSTOMER' }]);
    expect((await of('{cause: NETWORK}')).nodes).toEqual([{ sequence: '103', interruptionCause: 'NETWORK' }]);
    expect((await of('{domain: "b.example"}')).nodes).toEqual([{ sequence: '102', interruptionCause: 'PLATFORM' }]);
    expect((await of('{}')).totalCount).toBe(3);
    // Counted from the running totals by errcode and side, the same as the rows.
    expect((await of('{cause: CUSTOMER}')).totalCount).toBe(1);
    expect((await of('{cause: STOPPED}')).totalCount).toBe(0);
    expect((await of('{domain: "a.example"}')).totalCount).toBe(2);
  });

  it('pages interruptions with cursors', async () => {
    const first = (await data(service, '{ interruptions(first: 2) { pageInfo { hasNextPage endCursor } nodes { sequence } } }')).interruptions;
    expect(first.nodes.map((n: { sequence: string }) => n.sequence)).toEqual(['103', '102']);
    const rest = (await data(service, `{ interruptions(first: 2, after: "${first.pageInfo.endCursor}") { pageInfo { hasNextPage } nodes { sequence } } }`)).interruptions;
    expect(rest).toEqual({ pageInfo: { hasNextPage: false }, nodes: [{ sequence: '101' }] });
  });

  it('groups interruptions with counts and push-duration percentiles', async () => {
    const range = `from: "${new Date((NOW_S - 4 * HOUR) * 1000).toISOString()}", to: "${new Date((NOW_S + HOUR) * 1000).toISOString()}"`;
    const byErrcode = (await data(service, `{ interruptionStats(${range}, groupBy: ERRCODE) { key count pushDurationP50Ms pushDurationP90Ms } }`)).interruptionStats;
    expect(byErrcode).toEqual(
      expect.arrayContaining([
        { key: '18:501', count: 1, pushDurationP50Ms: 60000, pushDurationP90Ms: 60000 },
        { key: '5:0', count: 1, pushDurationP50Ms: 120000, pushDurationP90Ms: 120000 },
        { key: '12:0', count: 1, pushDurationP50Ms: 180000, pushDurationP90Ms: 180000 },
      ]),
    );
    const byDomain = (await data(service, `{ interruptionStats(${range}, groupBy: DOMAIN) { key count pushDurationP50Ms pushDurationP90Ms } }`)).interruptionStats;
    expect(byDomain).toEqual([
      { key: 'a.example', count: 2, pushDurationP50Ms: 60000, pushDurationP90Ms: 180000 },
      { key: 'b.example', count: 1, pushDurationP50Ms: 120000, pushDurationP90Ms: 120000 },
    ]);
    const refused = await postQuery(service.url, `{ interruptionStats(from: "2024-01-02T00:00:00Z", to: "2024-01-01T00:00:00Z", groupBy: DAY) { key } }`);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers the largest buckets alone when asked for the first few', async () => {
    const range = `from: "${new Date((NOW_S - 4 * HOUR) * 1000).toISOString()}", to: "${new Date((NOW_S + HOUR) * 1000).toISOString()}"`;
    const top = (await data(service, `{ interruptionStats(${range}, groupBy: DOMAIN, first: 1) { key count pushDurationP50Ms } }`)).interruptionStats;
    expect(top).toEqual([{ key: 'a.example', count: 2, pushDurationP50Ms: 60000 }]);
    const byErrcode = (await data(service, `{ interruptionStats(${range}, groupBy: ERRCODE) { key count } }`)).interruptionStats;
    const firstTwo = (await data(service, `{ interruptionStats(${range}, groupBy: ERRCODE, first: 2) { key count } }`)).interruptionStats;
    expect(firstTwo).toEqual(byErrcode.slice(0, 2));
    const refused = await postQuery(service.url, `{ interruptionStats(${range}, groupBy: NODE, first: 0) { key } }`);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(refused.body.errors?.[0]?.message).toMatch(/first/);
  });

  it('counts relay exits by code and sessions per day', async () => {
    const range = `from: "${new Date(T - 1000).toISOString()}", to: "${new Date(T + 60_000).toISOString()}"`;
    expect((await data(service, `{ relayExitStats(${range}) { exitCode count } }`)).relayExitStats).toEqual([
      { exitCode: -22, count: 2 },
      { exitCode: -5, count: 1 },
    ]);
    const days = (await data(service, `{ sessionsPerDay(from: "${new Date((NOW_S - 2 * 86400) * 1000).toISOString()}", to: "${new Date().toISOString()}") { day count } }`)).sessionsPerDay;
    expect(days.reduce((sum: number, d: { count: number }) => sum + d.count, 0)).toBe(8);
  });

  it('finds sessions LIVE for long with no sign of life of their stream (its name on its domain) since', async () => {
    const stale = (await data(service, '{ staleLiveSessions(liveForMinutes: 60, silentForMinutes: 10) { totalCount nodes { sequence status domain } } }')).staleLiveSessions;
    // 202's screenshot was of `watched` on a.example: 204, `watched` on b.example, is silent all the same.
    expect(stale).toEqual({
      totalCount: 2,
      nodes: [
        { sequence: '204', status: 'LIVE', domain: 'b.example' },
        { sequence: '201', status: 'LIVE', domain: 'a.example' },
      ],
    });
  });

  it('finds relay tasks slow to play their first file, and those that restarted', async () => {
    const slow = (await data(service, '{ slowRelayStarts { nodes { taskId fileStartDelayMs fileStartMissed } } }')).slowRelayStarts;
    // flaky's first run exited before it played any file.
    expect(slow.nodes).toEqual([
      { taskId: 'flaky', fileStartDelayMs: 0, fileStartMissed: true },
      { taskId: 'slow', fileStartDelayMs: 5000, fileStartMissed: false },
    ]);
    expect((await data(service, '{ slowRelayStarts(thresholdMs: 500, domain: "push.example.com") { totalCount } }')).slowRelayStarts.totalCount).toBe(3);
    expect((await data(service, '{ slowRelayStarts(domain: "elsewhere.example") { totalCount } }')).slowRelayStarts.totalCount).toBe(0);
    const restarting = (await data(service, '{ restartingRelayTasks(minRestarts: 2) { nodes { taskId restartCount } } }')).restartingRelayTasks;
    expect(restarting.nodes).toEqual([{ taskId: 'flaky', restartCount: 2 }]);
  });

  it('exports business metrics with bounded labels', async () => {
    const samples = await scrape(service.url);
    expect(valueOf(samples, 'css_ledger_streams_live', { domain: 'a.example' })).toBe(3);
    expect(valueOf(samples, 'css_ledger_interruptions_total', { errcode: '18', category: 'customer' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_interruptions_total', { errcode: '12', category: 'network' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_relay_exits_total', { code: '-22' })).toBe(2);
    expect(valueOf(samples, 'css_ledger_recordings_ready_total')).toBe(0);
    expect(samples.some((s) => Object.values(s.labels).some((v) => ['cam1', 'silent', 'watched'].includes(v)))).toBe(false);
  });
});
