// callbackActivity: push and interruption callbacks per minute of receipt, over GraphQL and straight from the read model.
import path from 'node:path';
import { activityQueries } from '../../src/readmodels/callbackLog/callbackActivity.queries';
import Database from 'better-sqlite3';
import { callbackLogTable } from '../../src/readmodels/callbackLog/callbackLog.table';
import { CallbackActivityDocument } from '../graphql/generated';
import { relayCallback } from '../support/callbackBodies';
import { graphql, query } from '../support/graphqlClient';
import { postAndProject, postCallback, tempDataDir, useTestService } from '../support/testService';

const MINUTE = 60_000;
const sum = (minutes: Array<{ pushes: number; interruptions: number }>) =>
  minutes.reduce((total, m) => ({ pushes: total.pushes + m.pushes, interruptions: total.interruptions + m.interruptions }), { pushes: 0, interruptions: 0 });

describe('callbackActivity over GraphQL', () => {
  const fixture = useTestService();

  it('answers the last 60 minutes by default, one entry per minute ending with the current one, zeros included', async () => {
    const before = Math.floor(Date.now() / MINUTE) * MINUTE;
    const { callbackActivity } = await query(fixture.service.url, CallbackActivityDocument, {});
    const after = Math.floor(Date.now() / MINUTE) * MINUTE;
    const starts = callbackActivity.minutes.map((m) => Date.parse(m.minute));
    expect(starts).toHaveLength(60);
    expect(starts.slice(1).map((start, i) => start - starts[i]!)).toEqual(Array(59).fill(MINUTE));
    expect([before, after]).toContain(starts.at(-1));
    expect(sum(callbackActivity.minutes)).toEqual({ pushes: 0, interruptions: 0 });
    expect(callbackActivity.throughPosition).toBe('0');
  });

  it('counts each push and interruption callback once, retries and other callbacks not, up to the position it names', async () => {
    const push = { event_type: 1, sequence: '900001', stream_id: 'chart_cam', event_time: 1700000000 };
    await postAndProject(fixture.service, push);
    await postAndProject(fixture.service, { ...push, sequence: '900002' });
    await postAndProject(fixture.service, { ...push, event_type: 0, errcode: 1 });
    await postAndProject(fixture.service, relayCallback('TaskStart', { task_id: 'chart-task', msg: '{"task_start_time":0}' }));
    const retry = await postCallback(fixture.service.url, push);
    expect(retry.headers.get('callback-stored')).toBe('duplicate');
    const last = await postAndProject(fixture.service, { event_type: 100, stream_id: 'chart_cam', video_url: 'http://x/y.mp4' });

    const { callbackActivity } = await query(fixture.service.url, CallbackActivityDocument, { minutes: 5 });
    expect(callbackActivity.minutes).toHaveLength(5);
    // Counted by when the service received them (now), not by CSS's event_time (2023).
    expect(sum(callbackActivity.minutes)).toEqual({ pushes: 2, interruptions: 1 });
    expect(callbackActivity.throughPosition).toBe(last.headers.get('callback-position'));
  });

  it.each([
    ['below one', 0, /minutes must not be less than 1/],
    ['above a day', 1441, /minutes must not be greater than 1440/],
  ])('answers BAD_USER_INPUT naming `minutes` when it is %s', async (_label, minutes, message) => {
    const result = await graphql(fixture.service.url, CallbackActivityDocument, { minutes });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('callbackActivity in the read model', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('puts each callback in the minute it was received, and leaves out what is older than the window', () => {
    const db = new Database(path.join(data.dir, 'callbackLog.db'));
    db.exec(callbackLogTable.ddl());
    try {
      const now = Date.UTC(2026, 0, 1, 12, 30, 15);
      const insert = db.prepare('INSERT INTO callback_log (position, event_id, type, stream, received_at, raw) VALUES (?, ?, ?, ?, ?, ?)');
      const rows: Array<[string, number]> = [
        ['StreamPushed', Date.UTC(2026, 0, 1, 12, 27, 59, 999)], // just before the 3-minute window
        ['StreamPushed', Date.UTC(2026, 0, 1, 12, 28, 0)], // its first instant
        ['StreamInterrupted', Date.UTC(2026, 0, 1, 12, 28, 59, 999)],
        ['StreamPushed', Date.UTC(2026, 0, 1, 12, 30, 1)],
        ['StreamPushed', Date.UTC(2026, 0, 1, 12, 30, 14)],
        ['RelayTaskExited', Date.UTC(2026, 0, 1, 12, 30, 5)],
      ];
      rows.forEach(([type, receivedAt], i) => insert.run(i + 1, `e${i}`, type, 'session-1', receivedAt, '{}'));

      const activity = activityQueries(db).perMinute(3, now);
      expect(activity.minutes).toEqual([
        { minuteStart: Date.UTC(2026, 0, 1, 12, 28), pushes: 1, interruptions: 1 },
        { minuteStart: Date.UTC(2026, 0, 1, 12, 29), pushes: 0, interruptions: 0 },
        { minuteStart: Date.UTC(2026, 0, 1, 12, 30), pushes: 2, interruptions: 0 },
      ]);
      expect(activity.throughPosition).toBe(6n);
    } finally {
      db.close();
    }
  });
});
