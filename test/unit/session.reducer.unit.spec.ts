import { emptySession, reduceSession, sessionRow } from '../../src/readmodels/sessions/session.reducer';
import { foldSession, fromSeed, interrupted, pushed, RECEIVED_AT } from '../support/projectedEvents';
import { seedExamples } from '../support/seedExamples';

const SEQUENCE = '6674468118806626493';
const PUSHED_AT = 1545115790; // the documents' push example, unix seconds
const seedPush = () => fromSeed(seedExamples().find((e) => e.raw.includes('"sequence"'))!.raw, { receivedAt: RECEIVED_AT });

describe('session reducer', () => {
  it('given nothing, when the documents push example arrives, then the session is LIVE with every field it carries', () => {
    const row = foldSession([seedPush()]);

    expect(row).toEqual({
      sequence: SEQUENCE,
      appId: '12345678',
      domain: 'test.domain.com',
      appName: 'live',
      streamId: 'test_stream',
      channelId: 'test_stream',
      status: 'LIVE',
      pushedAt: PUSHED_AT * 1000,
      interruptedAt: null,
      pushDurationMs: null,
      // errcode 0 / "ok" of a push is no interruption cause: the cause columns describe the end only.
      errcode: null,
      subErrcode: null,
      errmsg: null,
      reason: null,
      reasonCategory: null,
      node: '100.121.160.92',
      userIp: '119.29.94.245',
      streamParam: 'stream_param=test',
      setId: null,
      width: null,
      height: null,
      sessionAt: PUSHED_AT * 1000,
    });
  });

  it('given a push, when its interruption arrives with errcode 21/102, then it is ENDED with the catalogue reason and category', () => {
    const row = foldSession([
      seedPush(),
      interrupted({
        sequence: SEQUENCE,
        event_time: PUSHED_AT + 600,
        errcode: 21,
        sub_errcode: 102,
        errmsg: 'new push replaced',
        push_duration: '600123',
      }),
    ]);

    expect(row).toMatchObject({
      status: 'ENDED',
      pushedAt: PUSHED_AT * 1000,
      interruptedAt: (PUSHED_AT + 600) * 1000,
      errcode: 21,
      subErrcode: 102,
      errmsg: 'new push replaced',
      reason: 'A new push of the same stream replaced this one',
      reasonCategory: 'SUPERSEDED',
      sessionAt: PUSHED_AT * 1000,
    });
  });

  it('given an interruption with only an errcode, then the reason and category are that errcode row (sub_errcode read as 0)', () => {
    const row = foldSession([interrupted({ sequence: '1', event_time: 1700000000, errcode: 12, errmsg: 'network' })]);

    expect(row).toMatchObject({ errcode: 12, subErrcode: null, reasonCategory: 'CLIENT_NETWORK' });
    expect(row.reason).toBe("Network failure on the pusher's link");
  });

  it('given an interruption with an errcode the catalogue does not hold, then reason and category are null but errcode is kept', () => {
    const row = foldSession([interrupted({ sequence: '1', event_time: 1700000000, errcode: 999 })]);

    expect(row).toMatchObject({ status: 'ENDED', errcode: 999, reason: null, reasonCategory: null });
  });

  it('given an interruption with push_duration, then the push duration is CSS own figure', () => {
    const row = foldSession([
      pushed({ sequence: '1', event_time: 1700000000 }),
      interrupted({ sequence: '1', event_time: 1700000010, push_duration: '9500' }),
    ]);

    expect(row.pushDurationMs).toBe(9500);
  });

  it('given an interruption without push_duration, then the push duration is measured between the two event times', () => {
    const row = foldSession([
      pushed({ sequence: '1', event_time: 1700000000 }),
      interrupted({ sequence: '1', event_time: 1700000042, errcode: 1 }),
    ]);

    expect(row.pushDurationMs).toBe(42_000);
  });

  it('given an interruption with push_duration "0" (not given), then the push duration is measured', () => {
    const row = foldSession([
      pushed({ sequence: '1', event_time: 1700000000 }),
      interrupted({ sequence: '1', event_time: 1700000042, errcode: 1, push_duration: '0' }),
    ]);

    expect(row.pushDurationMs).toBe(42_000);
  });

  it('given two interruptions of one sequence, then the one CSS dated wins over an undated one, in either order', () => {
    const dated = interrupted({ sequence: '1', event_time: 1700000042, errcode: 1 });
    const undated = interrupted({ sequence: '1', errcode: 12 });

    expect(foldSession([dated, undated]).errcode).toBe(1);
    expect(foldSession([undated, dated]).errcode).toBe(1);
  });

  it('given only the interruption, then the push duration is CSS figure or null, and the session is listed at its end', () => {
    const withFigure = foldSession([interrupted({ sequence: '1', event_time: 1700000042, push_duration: 42000 })]);
    const without = foldSession([interrupted({ sequence: '1', event_time: 1700000042 })]);

    expect(withFigure).toMatchObject({ status: 'ENDED', pushedAt: null, pushDurationMs: 42000, sessionAt: 1700000042000 });
    expect(without).toMatchObject({ status: 'ENDED', pushedAt: null, pushDurationMs: null, sessionAt: 1700000042000 });
  });

  it('given an interruption, when the push arrives late, then the session stays ENDED', () => {
    const end = interrupted({ sequence: '1', event_time: 1700000060, errcode: 1 });
    const push = pushed({ sequence: '1', event_time: 1700000000, node: '10.0.0.1' });

    const row = foldSession([end, push]);

    expect(row).toMatchObject({ status: 'ENDED', pushedAt: 1700000000000, interruptedAt: 1700000060000, node: '10.0.0.1' });
    expect(row).toEqual(foldSession([push, end]));
  });

  it('given callbacks without event_time, then their times fall back to when the service received them', () => {
    const row = foldSession([
      pushed({ sequence: '1' }, { receivedAt: RECEIVED_AT }),
      interrupted({ sequence: '1', event_time: 0 }, { receivedAt: RECEIVED_AT + 5000 }),
    ]);

    expect(row).toMatchObject({ status: 'ENDED', pushedAt: RECEIVED_AT, interruptedAt: RECEIVED_AT + 5000, sessionAt: RECEIVED_AT });
    expect(row.pushDurationMs).toBe(5000);
  });

  it('given an untimed push received after the interruption, then no negative push duration is made up', () => {
    const row = foldSession([
      interrupted({ sequence: '1' }, { receivedAt: RECEIVED_AT }),
      pushed({ sequence: '1' }, { receivedAt: RECEIVED_AT + 60_000 }),
    ]);

    expect(row).toMatchObject({ status: 'ENDED', pushedAt: RECEIVED_AT + 60_000, interruptedAt: RECEIVED_AT });
    expect(row.pushDurationMs).toBeNull();
  });

  it('given newer fields, then set_id, width and height are kept, from the push or else the interruption', () => {
    const fromPush = foldSession([
      pushed({ sequence: '1', event_time: 1700000000, set_id: 2, width: 1920, height: 1080 }),
      interrupted({ sequence: '1', event_time: 1700000010, set_id: 3, width: '1280', height: '720' }),
    ]);
    const fromEnd = foldSession([interrupted({ sequence: '1', event_time: 1700000010, set_id: '3', width: '1280', height: '720' })]);

    expect(fromPush).toMatchObject({ setId: 2, width: 1920, height: 1080 });
    expect(fromEnd).toMatchObject({ setId: 3, width: 1280, height: 720 });
  });

  it('given two pushes of one sequence, then the earliest by event_time is the start, whatever arrives first', () => {
    const early = pushed({ sequence: '1', event_time: 1700000000, node: 'early' });
    const late = pushed({ sequence: '1', event_time: 1700000005, node: 'late' });

    expect(foldSession([late, early])).toMatchObject({ pushedAt: 1700000000000, node: 'early' });
    expect(foldSession([early, late])).toEqual(foldSession([late, early]));
  });

  it('given a session, when an event is repeated, then the state is the same object and the row unchanged', () => {
    const push = seedPush();
    const end = interrupted({ sequence: SEQUENCE, event_time: PUSHED_AT + 1, errcode: 1 });
    const state = [push, end].reduce(reduceSession, emptySession(SEQUENCE));

    expect(reduceSession(state, push)).toBe(state);
    expect(reduceSession(state, end)).toBe(state);
    expect(sessionRow(reduceSession(reduceSession(state, end), push))).toEqual(sessionRow(state));
  });

  it('given a session, when a relay event arrives, then the state is the same object', () => {
    const state = reduceSession(emptySession(SEQUENCE), seedPush());
    const relay = fromSeed(seedExamples().find((e) => e.raw.includes('"TaskStart"'))!.raw);

    expect(reduceSession(state, relay)).toBe(state);
  });
});
