// The sessions projection against a real read-model file: a push and its interruption make one row, whatever their order or repeats.
import { CallbackEventType } from '../../src/domain/callbackEvents';
import { sessionsProjection } from '../../src/readmodels/sessions/sessions.projection';
import { sessionQueries, type SessionListFilter } from '../../src/readmodels/sessions/sessions.queries';
import { callback, projectionSpec, RECEIVED_AT, type Arrival } from '../support/projectionSpec';

const push = { event_type: 1, sequence: '6674468118806626493', app: 'test.domain.com', appname: 'live', stream_id: 'cam', event_time: 1_700_000_000, node: '100.121.160.92' };
const interruption = { ...push, event_type: 0, event_time: 1_700_000_060, errcode: 1, errmsg: 'recv rtmp deleteStream', push_duration: '60000' };

const ended = {
  sequence: '6674468118806626493',
  domain: 'test.domain.com',
  appName: 'live',
  streamId: 'cam',
  status: 'ENDED',
  pushedAt: 1_700_000_000_000,
  interruptedAt: 1_700_000_060_000,
  pushDurationMs: 60000,
  errcode: 1,
  reasonCategory: 'CLIENT_STOPPED',
  node: '100.121.160.92',
  sessionAt: 1_700_000_000_000,
};

describe('sessions projection', () => {
  const spec = projectionSpec(sessionsProjection);

  it('makes a LIVE session of a push', () => {
    spec.given().when([callback(push)]).then({ sessions: [{ ...ended, status: 'LIVE', interruptedAt: null, errcode: null, pushDurationMs: null, reasonCategory: null }] });
  });

  it('ends it when the interruption arrives, with the reason from the errcode catalogue', () => {
    spec.given(callback(push)).when([callback(interruption)]).then({ sessions: [{ ...ended, reason: expect.any(String) }] });
  });

  it('gives the same row whichever arrives first, and when both arrive twice', () => {
    spec.given().when([callback(push), callback(interruption)], { order: 'reversed' }).then({ sessions: [ended] });
    spec.given().when([callback(push), callback(interruption)], { times: 2 }).then({ sessions: [ended] });
  });

  it('keeps how many sessions are in each status per domain, app name and errcode, whatever the batches, order and repeats: the totalCount of the list', () => {
    const second = { ...push, sequence: '2', stream_id: 'cam2' };
    const third = { ...push, sequence: '3', stream_id: 'cam3', appname: 'backup' };
    const late = { ...interruption, sequence: '4', stream_id: 'cam4', app: 'other.domain.com' };
    // Neither domain nor app name: counted in every total, and under no domain.
    const { app: _domain, appname: _app, ...anonymous } = { ...push, sequence: '5', stream_id: 'cam5' };
    const arrivals = [callback(interruption), callback(second), callback(third), callback({ ...third, event_type: 0, errcode: 1 }), callback(late), callback(anonymous)];
    for (const options of [{}, { order: 'reversed' as const }, { times: 2, reopened: true }]) {
      spec
        .given(callback(push), callback(second))
        .when(arrivals, options)
        .then(({ rows, db }) => {
          const sessionRows = rows('sessions');
          const counted = (filter: SessionListFilter) =>
            sessionRows.filter((row) => Object.entries(filter).every(([key, value]) => row[key] === value)).length;
          // One row per combination with sessions: a count back at 0 is gone, whatever the batches.
          const counts = rows('session_counts');
          expect(counts).toHaveLength(5);
          for (const row of counts) {
            const errcode = row.errcode === null ? null : Number(row.errcode);
            expect(row.count).toBe(counted({ domain: row.domain, appName: row.appName, status: row.status, errcode } as SessionListFilter));
          }
          expect(counted({ status: 'ENDED' })).toBe(3);
          const sessions = sessionQueries(db);
          for (const filter of [
            {},
            { status: 'LIVE' },
            { domain: push.app },
            { domain: push.app, status: 'ENDED' },
            { domain: 'other.domain.com' },
            { appName: 'backup' },
            { domain: push.app, appName: 'live', status: 'LIVE' },
            { domain: 'nowhere' },
            { errcode: 1 },
            { errcode: 1, domain: 'other.domain.com' },
            { errcode: 1, appName: 'backup', status: 'ENDED' },
            { errcode: 2, domain: push.app },
          ] satisfies SessionListFilter[]) {
            expect(sessions.list(filter, 0, null).totalCount()).toBe(counted(filter));
          }
          expect(sessions.list({}, 0, null).totalCount()).toBe(5);
          expect(sessions.list({ status: 'ENDED', streamId: 'cam3' }, 0, null).totalCount()).toBe(1);
        });
    }
  });

  it('announces every state a session passes through, even when one batch holds its push and its interruption', () => {
    spec
      .given()
      .when([callback(push), callback(interruption)])
      .then(({ changes }) =>
        expect(changes).toEqual([
          expect.objectContaining({ sequence: push.sequence, status: 'LIVE' }),
          expect.objectContaining({ sequence: push.sequence, status: 'ENDED' }),
        ]),
      );
  });

  it('knows no session from a push anomaly report alone, though it shares the stream', () => {
    spec.given().when([callback({ event_type: 321, sequence: '77', stream_id: 'cam', abnormal_event: [{ type: 15, count: 3 }] })]).then({ sessions: [] });
  });

  it('reads a push stored unrecognized (before its type was modelled) as the push it is', () => {
    const stored = callback(push);
    const unrecognized: Arrival = {
      ...stored,
      type: CallbackEventType.UnrecognizedCallbackReceived,
      stream: `unrecognized-${stored.id}`,
      data: { ...stored.data, fields: { eventType: 1 } },
    };
    spec.given().when([unrecognized]).then({ sessions: [{ sequence: push.sequence, status: 'LIVE', pushedAt: 1_700_000_000_000 }] });
  });

  it('dates a session CSS gave no time by its receipt', () => {
    const { event_time: _untimed, ...untimed } = push;
    spec.given().when([callback(untimed, RECEIVED_AT + 5000)]).then({ sessions: [{ pushedAt: RECEIVED_AT + 5000, sessionAt: RECEIVED_AT + 5000 }] });
  });
});
