import type { ReadModelChange } from '../../src/processing/projectionDefinition';
import type { SessionRow } from '../../src/readmodels/sessions/sessions.table';
import { relayExitRows, relayTaskRowOf, sessionRowOf } from '../support/readModelRows';
import { seedExamples } from '../support/seedExamples';
import { postAndProject, useTestService } from '../support/testService';
import { relayCallback } from '../support/callbackBodies';

const SOURCE = '["http://origin.example/live/a.m3u8"]\n';
const relay = relayCallback;

describe('read models built from callbacks posted over HTTP', () => {
  const fixture = useTestService();
  const changes: ReadModelChange[] = [];

  beforeAll(async () => {
    fixture.service.projector.onChanges((batch) => changes.push(...batch));
  });

  it('turns the seed examples into a live session, two relay tasks and one unmatched exit', async () => {
    for (const example of seedExamples()) await postAndProject(fixture.service, example.raw);
    expect(sessionRowOf(fixture.service.readModels, '6674468118806626493')).toMatchObject({
      status: 'LIVE',
      domain: 'test.domain.com',
      app_name: 'live',
      stream_id: 'test_stream',
      app_id: '12345678',
      pushed_at: 1545115790_000,
      node: '100.121.160.92',
      user_ip: '119.29.94.245',
      stream_param: 'stream_param=test',
      errcode: null,
    });
    expect(relayTaskRowOf(fixture.service.readModels, '118148')).toMatchObject({ status: 'RUNNING', stream_id: 'testvod', restart_count: 0 });
    const vod = relayTaskRowOf(fixture.service.readModels, '118145')!;
    // The documents give the Start and Finish of file index 0 different URLs: it is still one file.
    expect(vod.files).toEqual([
      {
        run: 0,
        index: 0,
        durationSeconds: 14920,
        url: expect.stringContaining('466247620*****3100448-upload-216b/playlist.m3u8'),
        startedAt: expect.any(Number),
        finishedAt: expect.any(Number),
      },
    ]);
    expect(relayExitRows(fixture.service.readModels)).toEqual([expect.objectContaining({ task_id: null, exit_code: -22 })]);
  });

  it('ends a session when its interruption arrives, with the reason from the errcode catalogue', async () => {
    changes.length = 0;
    await postAndProject(fixture.service, { event_type: 1, sequence: '900', stream_id: 'cam', event_time: 1_700_000_000 });
    await postAndProject(fixture.service, {
      event_type: 0,
      sequence: '900',
      stream_id: 'cam',
      event_time: 1_700_000_060,
      errcode: 1,
      errmsg: 'recv rtmp deleteStream',
      push_duration: '60000',
    });
    expect(sessionRowOf(fixture.service.readModels, '900')).toMatchObject({
      status: 'ENDED',
      pushed_at: 1_700_000_000_000,
      interrupted_at: 1_700_000_060_000,
      push_duration_ms: 60000,
      errcode: 1,
      reason: expect.any(String),
      reason_category: 'CLIENT_STOPPED',
    });
    const sessionChanges = changes.flatMap((c) => (c.readModel === 'sessions' && (c.change as SessionRow).sequence === '900' ? [c.change as SessionRow] : []));
    expect(sessionChanges.map((row) => row.status)).toEqual(['LIVE', 'ENDED']);
  });

  it('attaches a TaskExit without task_id to the one running task with the same app id and sources', async () => {
    await postAndProject(fixture.service, relay('TaskStart', { task_id: 'T1', source_urls: SOURCE, msg: '{"task_start_time":0}' }));
    await postAndProject(fixture.service, relay('TaskExit', { source_urls: SOURCE, msg: '{"message":"write packet error.","code":-22,"task_exit_time":0}' }));
    expect(relayTaskRowOf(fixture.service.readModels, 'T1')).toMatchObject({ status: 'EXITED', exit_code: -22, exit_message: 'write packet error.' });
    expect(relayExitRows(fixture.service.readModels).filter((e) => e.task_id === 'T1')).toHaveLength(1);
  });

  it('keeps an exit unmatched while two running tasks share its sources', async () => {
    const shared = '["http://origin.example/live/shared.m3u8"]\n';
    await postAndProject(fixture.service, relay('TaskStart', { task_id: 'S1', source_urls: shared, msg: '{"task_start_time":1700000000000}' }));
    await postAndProject(fixture.service, relay('TaskStart', { task_id: 'S2', source_urls: shared, msg: '{"task_start_time":1700000000000}' }));
    const exit = await postAndProject(fixture.service, relay('TaskExit', { source_urls: shared, msg: '{"code":"-5","message":"x","task_exit_time":0}' }));
    const exitId = exit.headers.get('callback-event-id');
    expect(relayExitRows(fixture.service.readModels).find((e) => e.event_id === exitId)).toMatchObject({ task_id: null, exit_code: -5 });
    expect(relayTaskRowOf(fixture.service.readModels, 'S1')).toMatchObject({ status: 'RUNNING' });
    expect(relayTaskRowOf(fixture.service.readModels, 'S2')).toMatchObject({ status: 'RUNNING' });
  });

  it('attaches a waiting exit later, when its task shows up', async () => {
    const late = '["http://origin.example/live/late.m3u8"]\n';
    const exit = await postAndProject(fixture.service, relay('TaskExit', { source_urls: late, msg: '{"code":-1,"message":"gone","task_exit_time":0}' }));
    const exitId = exit.headers.get('callback-event-id');
    expect(relayExitRows(fixture.service.readModels).find((e) => e.event_id === exitId)).toMatchObject({ task_id: null });
    await postAndProject(fixture.service, relay('TaskStart', { task_id: 'L1', source_urls: late, msg: '{"task_start_time":0}' }));
    expect(relayExitRows(fixture.service.readModels).find((e) => e.event_id === exitId)).toMatchObject({ task_id: 'L1' });
    expect(relayTaskRowOf(fixture.service.readModels, 'L1')).toMatchObject({ status: 'EXITED', exit_code: -1 });
  });

  it('reports the projection lag as a number, in /readyz too', async () => {
    await postAndProject(fixture.service, { event_type: 1, sequence: '901', stream_id: 'lag' });
    expect(fixture.service.projector.status().lagMs).toEqual(expect.any(Number));
    const ready = await fetch(`${fixture.service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      projector: { phase: 'live', lagMs: expect.any(Number), position: expect.stringMatching(/^\d+$/) },
    });
  });

  it('applies every event of the log exactly once', async () => {
    const logCount = (await fixture.service.store.readAll({ maxCount: 100_000 })).length;
    expect(fixture.service.projector.status().eventsApplied).toBe(logCount);
  });
});
