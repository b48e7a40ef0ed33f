// The insights projection against a real read-model file: sessions with their side, signs of life, exits by time, tallies counted once.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointConflictError, ProjectionFile } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { callbackTypeFixture } from '../support/callbackTypeFixtures';
import { relayCallback } from '../support/callbackBodies';
import { callback, projectionSpec } from '../support/projectionSpec';

const push = { event_type: 1, sequence: '6674468118806626493', app: 'a.example', appname: 'live', stream_id: 'cam', event_time: 1_700_000_000, node: 'n1' };
const interruption = { ...push, event_type: 0, event_time: 1_700_000_060, errcode: 18, sub_errcode: 501, errmsg: 'expired', push_duration: '60000' };
const exit = relayCallback('TaskExit', { task_id: '77', event_time: '1700000100', msg: JSON.stringify({ code: -22, message: 'source failed' }) });
const moderation = callbackTypeFixture('image-moderation').raw;
const recording = callbackTypeFixture('recording-file').raw;

describe('insights projection', () => {
  const spec = projectionSpec(insightsProjection);

  it('keeps an interrupted session with the side of its cause, whatever the order or repeats', () => {
    const row = { sequence: push.sequence, streamId: 'cam', domain: 'a.example', node: 'n1', status: 'ENDED', interruptedAt: 1_700_000_060_000, pushDurationMs: 60000, errcode: 18, subErrcode: 501, side: 'CUSTOMER' };
    spec.given().when([callback(push), callback(interruption)], { order: 'reversed', times: 2 }).then({
      insight_sessions: [row],
      insight_tallies: [
        { kind: 'interruptions', key: '18 CUSTOMER', count: 1 },
        { kind: 'sessionsPerDay', key: '2023-11-14', count: 1 },
      ],
    });
  });

  it('moves a session to the day of its push when the push arrives after the interruption: the day it left has no tally', () => {
    // Interrupted just after midnight; pushed the day before.
    const late = { ...interruption, event_time: 1_700_006_500 }; // 2023-11-15T00:01:40Z
    const early = { ...push, event_time: 1_699_999_000 }; // 2023-11-14
    spec.given(callback(late)).when([callback(early)]).then({
      insight_tallies: [
        { kind: 'interruptions', key: '18 CUSTOMER', count: 1 },
        { kind: 'sessionsPerDay', key: '2023-11-14', count: 1 },
      ],
    });
  });

  it('counts interruptions by domain and side whatever the order, batches and repeats: the totalCount of the list', () => {
    const other = { ...push, sequence: '2', stream_id: 'cam2', app: 'b.example' };
    const stopped = { ...other, event_type: 0, event_time: 1_700_000_090, errcode: 1, sub_errcode: 0, errmsg: 'recv rtmp deleteStream' };
    const live = { ...push, sequence: '3', stream_id: 'cam3' };
    // The session's last interruption is its end: a later one, of another side, moves it.
    const corrected = { ...interruption, event_time: 1_700_000_120, errcode: 1, sub_errcode: 0, errmsg: 'recv rtmp deleteStream' };
    for (const options of [{}, { order: 'reversed' as const }, { times: 2, reopened: true }]) {
      spec
        .given(callback(push), callback(interruption))
        .when([callback(other), callback(stopped), callback(live), callback(corrected)], options)
        .then(({ rows, db }) => {
          expect(rows('insight_interruption_counts')).toEqual([
            { combination: '["a.example","STOPPED"]', domain: 'a.example', side: 'STOPPED', count: 1 },
            { combination: '["b.example","STOPPED"]', domain: 'b.example', side: 'STOPPED', count: 1 },
          ]);
          const counted = (filter: { domain?: string; side?: 'STOPPED' | 'CUSTOMER' }) => insightQueries(db).interruptions(filter, 0, null).totalCount();
          expect([counted({}), counted({ side: 'STOPPED' }), counted({ side: 'CUSTOMER' }), counted({ domain: 'a.example' })]).toEqual([2, 2, 0, 1]);
          expect(counted({ domain: 'b.example', side: 'CUSTOMER' })).toBe(0);
          expect(insightQueries(db).interruptions({ domain: 'b.example', side: 'STOPPED' }, 5, null).edges.map((edge) => edge.row.sequence)).toEqual(['2']);
        });
    }
  });

  it('keeps the latest sign of life of a stream, by its name and domain', () => {
    const screenshot = (seconds: number, app?: string) => ({ event_type: 200, stream_id: 'cam', ...(app === undefined ? {} : { app }), appname: 'live', create_time: seconds, pic_url: `/s${seconds}.jpg` });
    spec
      .given(callback(screenshot(1_700_000_200, 'a.example')))
      .when([callback(screenshot(1_700_000_100, 'a.example')), callback(screenshot(1_700_000_050, 'b.example')), callback(screenshot(1_700_000_300))])
      .then({
        insight_stream_signs: [
          { streamId: 'cam', domain: '', lastSignAt: 1_700_000_300_000 },
          { streamId: 'cam', domain: 'a.example', lastSignAt: 1_700_000_200_000 },
          { streamId: 'cam', domain: 'b.example', lastSignAt: 1_700_000_050_000 },
        ],
      });
  });

  it('counts the stream names whose newest session is LIVE by domain: once however many sessions are LIVE, until the newest ends', () => {
    const pushOf = (sequence: string, stream: string, app: string) => ({ ...push, sequence, stream_id: stream, app });
    const endOf = (pushed: typeof push) => ({ ...pushed, event_type: 0, event_time: pushed.event_time + 60, errcode: 1, push_duration: '60000' });
    const first = pushOf('7001', 'cam', 'a.example');
    // A newer push of cam on a.example with no interruption of the first between them (a missed one).
    const second = { ...pushOf('7002', 'cam', 'a.example'), event_time: first.event_time + 600 };
    const other = pushOf('7003', 'studio', 'a.example');
    const elsewhere = pushOf('7004', 'cam', 'b.example');
    const live = ({ rows }: { rows: (table: string) => Array<Record<string, unknown>> }) =>
      Object.fromEntries(rows('insight_tallies').filter((row) => row.kind === 'liveStreams').map((row) => [row.key, row.count]));
    const pushed = [first, second, other, elsewhere].map((body) => callback(body));
    spec.given().when(pushed, { times: 2 }).then((result) => {
      expect(live(result)).toEqual({ 'a.example': 2, 'b.example': 1 });
      expect(result.rows('insight_stream_sessions')).toEqual([
        { domain: 'a.example', streamId: 'cam', sessionAt: 1_700_000_000_000, sequence: '7001', live: 1 },
        { domain: 'a.example', streamId: 'cam', sessionAt: 1_700_000_600_000, sequence: '7002', live: 1 },
        { domain: 'a.example', streamId: 'studio', sessionAt: 1_700_000_000_000, sequence: '7003', live: 1 },
        { domain: 'b.example', streamId: 'cam', sessionAt: 1_700_000_000_000, sequence: '7004', live: 1 },
      ]);
    });
    // The older of cam's two sessions on a.example ends: cam is live there still, by its newer one.
    spec.given(...pushed).when([callback(endOf(first))], { times: 2 }).then((result) => expect(live(result)).toEqual({ 'a.example': 2, 'b.example': 1 }));
    // Its newer one ends, in another batch after a restart: cam is live on b.example alone.
    spec
      .given(...pushed, callback(endOf(first)))
      .when([callback(endOf(second))], { reopened: true })
      .then((result) => {
        expect(live(result)).toEqual({ 'a.example': 1, 'b.example': 1 });
        expect(insightQueries(result.db).liveStreamsByDomain()).toEqual([
          { domain: 'a.example', streams: 1 },
          { domain: 'b.example', streams: 1 },
        ]);
      });
    // The newer one ends while the older never heard its interruption: CSS replaced that one, and cam is not live there,
    // in whatever order the callbacks come.
    const replaced = { 'a.example': 1, 'b.example': 1 };
    spec.given(...pushed).when([callback(endOf(second))]).then((result) => expect(live(result)).toEqual(replaced));
    spec.given(callback(endOf(second)), callback(second)).when([callback(first), callback(other), callback(elsewhere)]).then((result) => expect(live(result)).toEqual(replaced));
    // Pushed again, it is.
    const third = { ...pushOf('7005', 'cam', 'a.example'), event_time: first.event_time + 1200 };
    spec.given(...pushed, callback(endOf(second))).when([callback(third)]).then((result) => expect(live(result)).toEqual({ 'a.example': 2, 'b.example': 1 }));
    // The same rows however the events were batched: a session live in one batch and ended in the next leaves no stream
    // live, as one whose interruption comes in the same batch as its push, or in one before it.
    const ended = (result: { rows: (table: string) => Array<Record<string, unknown>> }) => {
      expect(live(result)).toEqual({});
      expect(result.rows('insight_stream_sessions')).toEqual([{ domain: 'a.example', streamId: 'studio', sessionAt: 1_700_000_000_000, sequence: '7003', live: 0 }]);
    };
    spec.given(callback(other)).when([callback(endOf(other))]).then(ended);
    spec.given(callback(endOf(other))).when([callback(other)]).then(ended);
    spec.given().when([callback(other), callback(endOf(other))]).then(ended);
  });

  it("finds a stream's newest again when it moves back behind another: its push arrived after its interruption", () => {
    const live = ({ rows }: { rows: (table: string) => Array<Record<string, unknown>> }) =>
      Object.fromEntries(rows('insight_tallies').filter((row) => row.kind === 'liveStreams').map((row) => [row.key, row.count]));
    const other = { ...push, sequence: '7101', stream_id: 'cam', event_time: 1_700_000_300 };
    const late = { ...push, sequence: '7102', stream_id: 'cam', event_time: 1_700_000_000 };
    const lateEnd = { ...late, event_type: 0, event_time: 1_700_000_900, errcode: 1, push_duration: '900000' };
    // Its interruption alone dates 7102 at its end, the newest: cam is not live. Its push then dates it before 7101, LIVE.
    spec.given(callback(other)).when([callback(lateEnd)]).then((result) => expect(live(result)).toEqual({}));
    spec.given(callback(other), callback(lateEnd)).when([callback(late)]).then((result) => expect(live(result)).toEqual({ 'a.example': 1 }));
    spec.given().when([callback(lateEnd), callback(late), callback(other)]).then((result) => expect(live(result)).toEqual({ 'a.example': 1 }));
  });

  it('counts each relay exit, moderation hit and recording once, however often the log repeats them', () => {
    spec.given().when([callback(exit), callback(moderation), callback(recording)], { times: 2 }).then({
      insight_relay_exits: [{ exitCode: -22, exitedAt: 1_700_000_100_000 }],
      insight_tallies: [
        { kind: 'moderationHits', key: 'IMAGE BLOCK', count: 1 },
        { kind: 'recordingsReady', key: '', count: 1 },
        { kind: 'relayExits', key: '-22', count: 1 },
      ],
    });
  });
});

describe('insights rollups across batches', () => {
  const spec = projectionSpec(insightsProjection);

  it('takes a corrected interruption back from a cell it did not keep in memory while counting a new one in it', () => {
    const corrected = { ...interruption, event_time: 1_700_000_120, push_duration: '120000' };
    const other = { ...interruption, sequence: '6674468118806626494', event_time: 1_700_000_090, push_duration: '90000' };
    spec
      .given(callback(push), callback(interruption))
      .when([callback(corrected), callback(other)], { reopened: true })
      .then(({ rows }) => {
        const hour = rows('insight_interruption_rollups').find((cell) => cell.period === 'HOUR' && cell.dimension === 'ALL' && cell.scope === '');
        expect(hour).toMatchObject({ count: 2 });
      });
  });

  /**
   * A push and its interruption applied, then `next` applied in a batch that rolls back (another writer moved the
   * checkpoint) and applied again; the insights of the file after it.
   */
  function rolledBackOnce(next: object) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'insights-rollback-'));
    const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
    cleanups.push(() => {
      file.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const at = (position: number, body: object) => ({ ...callback(body), position: BigInt(position), revision: BigInt(position) });
    file.apply([at(1, push), at(2, interruption)]);
    file.db.prepare('UPDATE checkpoint SET position = 100').run();
    expect(() => file.apply([at(3, next)])).toThrow(CheckpointConflictError);
    file.db.prepare('UPDATE checkpoint SET position = 2').run();
    file.apply([at(3, next)]);
    return (from: number, to: number) => insightQueries(file.db).interruptionStats(from, to, 'ERRCODE', null);
  }
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it('counts a batch that rolled back once, when it is applied again', () => {
    const stats = rolledBackOnce({ ...interruption, sequence: '6674468118806626494', event_time: 1_700_000_120 });
    const hour = Math.floor(1_700_000_000_000 / 3_600_000) * 3_600_000;
    expect(stats(hour, hour + 3_600_000)).toMatchObject([{ key: '18:501', count: 2 }]);
  });

  it('totals a new day of a batch that rolled back once, when it is applied again: whole days read from the totals count it', () => {
    // Five days later, in a day no total has yet: the rolled-back batch wrote one, the batch applied again must too.
    const stats = rolledBackOnce({ ...interruption, sequence: '6674468118806626494', event_time: 1_700_000_060 + 5 * 86_400 });
    const day = Math.floor(1_700_000_000_000 / 86_400_000) * 86_400_000;
    // Ten whole days: more than RUNNING_SPAN_DAYS, so read from the running totals.
    expect(stats(day, day + 10 * 86_400_000)).toMatchObject([{ key: '18:501', count: 2 }]);
  });
});
