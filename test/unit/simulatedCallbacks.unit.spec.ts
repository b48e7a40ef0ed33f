import { parseCallbackBody } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import { authenticateCallback } from '../../src/ingest/authenticateCallback';
import { generateTraffic, trafficRounds, type CallbackBody } from '../../src/simulation/callbackTraffic';
import {
  callbackTarget,
  retimeRound,
  shiftCallbackTimes,
  signAsCss,
  simulatedCallbacks,
  type OutgoingCallback,
} from '../../src/simulation/simulatedCallbacks';

const HOUR = 3_600_000;
const msgOf = (body: CallbackBody) => JSON.parse(body.msg as string) as Record<string, unknown>;
const take = <T>(iterator: Iterator<T>, n: number): T[] => Array.from({ length: n }, () => iterator.next().value as T);

describe('trafficRounds', () => {
  it('starts with exactly what generateTraffic gives for the same seed and sizes', () => {
    const rounds = trafficRounds({ seed: 9, sessionsPerRound: 30, relayTasksPerRound: 5, streams: 3 });
    expect(rounds.next().value).toEqual(generateTraffic({ seed: 9, sessions: 30, relayTasks: 5, streams: 3 }));
  });

  it('numbers the sessions and relay tasks of later rounds on, so no id repeats', () => {
    const rounds = trafficRounds({ seed: 9, sessionsPerRound: 10, relayTasksPerRound: 2 });
    const bodies = take(rounds, 4).flat().map((c) => c.body);
    const sequences = new Set(bodies.filter((b) => b.event_type === 1).map((b) => b.sequence));
    const tasks = new Set(bodies.filter((b) => b.callback_event === 'TaskStart').map((b) => b.task_id));
    expect(sequences.size).toBe(40);
    expect(tasks.size).toBe(8);
  });

  it('refuses rounds with nothing in them (the stream would never yield a callback)', () => {
    expect(() => trafficRounds({ seed: 1, sessionsPerRound: 0, relayTasksPerRound: 0 }).next()).toThrow(RangeError);
  });
});

describe('shiftCallbackTimes', () => {
  it('moves event_time (seconds, as a number or a string) and keeps its type', () => {
    expect(shiftCallbackTimes({ event_type: 1, event_time: 1000 }, 5000)).toEqual({ event_type: 1, event_time: 1005 });
    expect(shiftCallbackTimes({ event_type: 314, event_time: '1000' }, -2000)).toEqual({ event_type: 314, event_time: '998' });
  });

  it('moves the millisecond times inside a relay msg and leaves durations and other fields alone', () => {
    const body = { event_type: 314, msg: JSON.stringify({ message: 'x', code: -22, task_exit_time: 1_700_000_000_500 }) };
    const shifted = shiftCallbackTimes(body, 3000);
    expect(msgOf(shifted)).toEqual({ message: 'x', code: -22, task_exit_time: 1_700_000_003_500 });
    const file = { event_type: 314, event_time: '10', msg: JSON.stringify({ url: 'u', index: 0, duration: 60 }) };
    expect(msgOf(shiftCallbackTimes(file, 1000))).toEqual({ url: 'u', index: 0, duration: 60 });
  });

  it('moves the instants of the full story in their own units, deep in lists, and leaves durations, audio timestamps and _usec alone', () => {
    const recording = { event_type: 100, start_time: 1_000_000_000, start_time_usec: 316_441, end_time: '1000000060', duration: 60, media_start_time: 135_802 };
    expect(shiftCallbackTimes(recording, 5000)).toEqual({ ...recording, start_time: 1_000_000_005, end_time: '1000000065' });
    const anomalies = { event_type: 321, data_time: 1_700_000_000_500, abnormal_event: [{ type: 6, detail: [{ occur_time: 1_700_000_000_100 }] }], report_interval: 5000 };
    expect(shiftCallbackTimes(anomalies, 2000)).toEqual({
      ...anomalies,
      data_time: 1_700_000_002_500,
      abnormal_event: [{ type: 6, detail: [{ occur_time: 1_700_000_002_100 }] }],
    });
    const erasure = {
      event_type: 347,
      data: { subtitle_tmp_res: [{ start_pts: 954_864, start_unix_time: 1_750_402_588, keywords_info: [{ begin_time: 957_759, end_time: 959_424 }] }] },
    };
    expect(shiftCallbackTimes(erasure, 1000).data).toEqual({
      subtitle_tmp_res: [{ start_pts: 954_864, start_unix_time: 1_750_402_589, keywords_info: [{ begin_time: 957_759, end_time: 959_424 }] }],
    });
    const clips = { event_type: 349, items: [{ begin_time: 1_761_128_808, end_time: 1_761_128_834, title: 'x' }] };
    expect(shiftCallbackTimes(clips, -8000).items).toEqual([{ begin_time: 1_761_128_800, end_time: 1_761_128_826, title: 'x' }]);
    const frames = { event_type: 344, event_time: 1_752_130_787, frames: [{ score: 22.78, time: 1_752_130_785_280 }] };
    expect(shiftCallbackTimes(frames, 1000)).toEqual({ ...frames, event_time: 1_752_130_788, frames: [{ score: 22.78, time: 1_752_130_786_280 }] });
  });

  it('leaves 0 ("not given") and a msg that is not JSON as they are', () => {
    expect(shiftCallbackTimes({ event_time: 0, msg: 'not json' }, 60_000)).toEqual({ event_time: 0, msg: 'not json' });
  });

  it('refuses an offset that is not whole seconds (second and millisecond times would drift apart)', () => {
    expect(() => shiftCallbackTimes({ event_time: 1 }, 1500)).toThrow(RangeError);
  });
});

describe('retimeRound', () => {
  const round = generateTraffic({ seed: 4, sessions: 20, relayTasks: 4 });
  const now = Date.UTC(2030, 0, 1, 12, 0, 0, 250);
  const retimed = retimeRound(round, now);

  it('ends the round at now, at most a second before', () => {
    const last = Math.max(...retimed.map((c) => c.at));
    expect(last).toBeLessThanOrEqual(now);
    expect(now - last).toBeLessThan(1000);
  });

  it('keeps every interval: a session still lasts its push_duration, a relay task its run', () => {
    for (const { body } of retimed.filter((c) => c.body.event_type === 0)) {
      const push = retimed.find((c) => c.body.event_type === 1 && c.body.sequence === body.sequence)!.body;
      // event_time is whole seconds: within a second of push_duration, as before the shift.
      const lasted = ((body.event_time as number) - (push.event_time as number)) * 1000;
      expect(Math.abs(lasted - Number(body.push_duration))).toBeLessThan(1000);
    }
    const offsets = retimed.map((c, i) => c.at - round[i]!.at);
    expect(new Set(offsets).size).toBe(1);
    const start = retimed.find((c) => c.body.callback_event === 'TaskStart')!;
    expect(msgOf(start.body).task_start_time).toBe(start.at);
  });

  it('puts every time in the past of now', () => {
    for (const { body } of retimed) {
      if (body.event_time !== undefined) expect(Number(body.event_time) * 1000).toBeLessThanOrEqual(now);
      if (typeof body.msg === 'string') {
        const msg = msgOf(body);
        for (const name of ['task_start_time', 'task_exit_time']) if (msg[name] !== undefined) expect(msg[name]).toBeLessThanOrEqual(now);
      }
    }
  });
});

describe('signAsCss', () => {
  const auth = { keys: ['the-key'], token: 'relay-token', clockSkewSeconds: 60, maxExpiryAheadSeconds: 660, quarantineMaxLateSeconds: 0 };

  it('signs push and interruption callbacks so that the service accepts them until t', () => {
    const signed = signAsCss({ event_type: 1, sequence: '1' }, 'the-key', 2_000_000_000);
    expect(signed.t).toBe(2_000_000_000);
    expect(authenticateCallback(signed as never, undefined, auth, 1_999_999_400)).toEqual({ ok: true, by: 'signature', keyIndex: 0 });
    expect(authenticateCallback(signed as never, undefined, auth, 2_000_000_061)).toMatchObject({ ok: false, error: 'expired' });
  });

  it('leaves relay callbacks unsigned, as CSS does (they carry the URL token), and everything unsigned without a key', () => {
    expect(signAsCss({ event_type: 314 }, 'the-key', 1)).toEqual({ event_type: 314 });
    expect(signAsCss({ event_type: 0 }, null, 1)).toEqual({ event_type: 0 });
  });
});

describe('callbackTarget', () => {
  it('adds /callbacks to the base, keeping a path prefix and a query, and the token as ?token=', () => {
    expect(callbackTarget('http://127.0.0.1:4000', null).toString()).toBe('http://127.0.0.1:4000/callbacks');
    expect(callbackTarget('https://example.com/ledger/', 'a b').toString()).toBe('https://example.com/ledger/callbacks?token=a+b');
    expect(callbackTarget('http://h/x?region=eu', 't').toString()).toBe('http://h/x/callbacks?region=eu&token=t');
  });
});

describe('simulatedCallbacks', () => {
  const now = Date.UTC(2030, 5, 1);
  const callbacks = take(
    simulatedCallbacks({ seed: 3, sessionsPerRound: 5, relayTasksPerRound: 1, key: 'k', path: '/callbacks?token=t', validForSeconds: 600, now: () => now }),
    200,
  );
  const interpreted = callbacks.map((c: OutgoingCallback) => {
    const parsed = parseCallbackBody(c.body);
    if (!parsed.ok) throw new Error(parsed.message);
    return interpretCallback(parsed.payload, c.body);
  });

  it('goes on across rounds with distinct callbacks the service recognizes', () => {
    expect(new Set(interpreted.map((e) => e.id)).size).toBe(200);
    expect(interpreted.filter((e) => e.type === 'UnrecognizedCallbackReceived')).toEqual([]);
    expect(new Set(interpreted.map((e) => e.type))).toEqual(
      new Set(['StreamPushed', 'StreamInterrupted', 'RelayTaskStarted', 'RelayVodFileStarted', 'RelayVodFileFinished', 'RelayTaskExited', 'RelayTaskAlarmRaised']),
    );
  });

  it('says which session or relay task each callback is about, and signs with t = now + validity', () => {
    for (const [i, callback] of callbacks.entries()) {
      const body = JSON.parse(callback.body) as CallbackBody;
      expect(callback.path).toBe('/callbacks?token=t');
      if (body.event_type === 314) {
        expect(body.t).toBeUndefined();
        expect(callback.taskId).toBe(body.task_id);
      } else {
        expect(body.t).toBe(now / 1000 + 600);
        expect(callback.sequence).toBe((interpreted[i]!.fields as { sequence: string }).sequence);
      }
    }
  });

  it('times each round to end by now, so nothing is dated in the future', () => {
    const times = interpreted.flatMap((e) => ('eventTime' in e.fields && e.fields.eventTime !== null ? [e.fields.eventTime * 1000] : []));
    expect(Math.max(...times)).toBeLessThanOrEqual(now);
    expect(Math.max(...times)).toBeGreaterThan(now - 24 * HOUR);
  });
});
