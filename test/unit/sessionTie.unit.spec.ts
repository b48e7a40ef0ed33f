// The rule that ties a recording, screenshot, moderation hit... to its push session, and what each event offers it.
import fc from 'fast-check';
import { SESSION_TIE_TOLERANCE_MS, sessionTieOf, tieToSession, type SessionInterval, type SessionTie } from '../../src/domain/sessionTie';
import { callbackTypeFixture, interpretBody, interpretRaw } from '../support/callbackTypeFixtures';

const T = 1_700_000_000_000;
const session = (sequence: string, pushedAt: number | null, interruptedAt: number | null, place: Partial<SessionInterval> = {}): SessionInterval => ({
  sequence,
  domain: 'push.example.com',
  appName: 'live',
  streamId: 'cam1',
  pushedAt,
  interruptedAt,
  ...place,
});
const at = (from: number, to = from, place: Partial<Extract<SessionTie, { by: 'streamTime' }>> = {}): SessionTie => ({
  by: 'streamTime',
  domain: 'push.example.com',
  appName: 'live',
  streamId: 'cam1',
  from,
  to,
  ...place,
});
const tied = (tie: SessionTie, sessions: SessionInterval[]) => tieToSession(tie, sessions)?.sequence ?? null;

describe('tieToSession', () => {
  const ended = session('101', T, T + 600_000);

  it('allows 6 s either side of the push interval (5 s of clock skew, 1 s of whole seconds)', () => {
    expect(SESSION_TIE_TOLERANCE_MS).toBe(6_000);
    expect(tied(at(T + 60_000), [ended])).toBe('101');
    expect(tied(at(T - 6_000), [ended])).toBe('101');
    expect(tied(at(T - 6_001), [ended])).toBeNull();
    expect(tied(at(T + 606_000), [ended])).toBe('101');
    expect(tied(at(T + 606_001), [ended])).toBeNull();
  });

  it('ties anything after the push of a live session', () => {
    expect(tied(at(T + 86_400_000), [session('102', T, null)])).toBe('102');
  });

  it('needs the same stream id, the same domain (in any case) and app name where both give one', () => {
    expect(tied(at(T + 1, T + 1, { streamId: 'cam2' }), [ended])).toBeNull();
    expect(tied(at(T + 1, T + 1, { domain: 'PUSH.Example.COM' }), [ended])).toBe('101');
    expect(tied(at(T + 1, T + 1, { domain: 'other.example.com' }), [ended])).toBeNull();
    expect(tied(at(T + 1, T + 1, { appName: 'live2' }), [ended])).toBeNull();
    expect(tied(at(T + 1, T + 1, { domain: null, appName: null }), [ended])).toBe('101');
    expect(tied(at(T + 1), [session('103', T, T + 10, { domain: null, appName: null })])).toBe('103');
  });

  it('never ties by time to a session whose push time is unknown', () => {
    expect(tied(at(T), [session('104', null, T + 10)])).toBeNull();
  });

  it('prefers the session the fact lies in over one it only comes near', () => {
    const next = session('106', T + 600_000 + 3_000, null);
    expect(tied(at(T + 600_000), [next, ended])).toBe('101');
  });

  it('gives a fact on the boundary of two pushes to the one that starts', () => {
    const next = session('107', T + 600_000, null);
    expect(tied(at(T + 600_000), [ended, next])).toBe('107');
  });

  it('gives a recording spanning two pushes (HLS resumption) to the one it overlaps most', () => {
    const next = session('108', T + 620_000, T + 900_000);
    expect(tied(at(T + 500_000, T + 900_000), [ended, next])).toBe('108');
    expect(tied(at(T + 300_000, T + 650_000), [ended, next])).toBe('101');
  });

  it('ties push anomaly reports, pushes and interruptions by sequence', () => {
    expect(tied({ by: 'sequence', sequence: '101' }, [session('100', T, null), ended])).toBe('101');
    expect(tied({ by: 'sequence', sequence: '999' }, [ended])).toBeNull();
  });

  it('answers the same whatever the order of the sessions', () => {
    const sessionArbitrary = fc.record({
      sequence: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String),
      // Few distinct times, so that sessions often tie on everything but their sequence.
      pushedAt: fc.option(fc.integer({ min: 0, max: 4 }).map((i) => T + i * 20_000), { freq: 8 }),
      length: fc.option(fc.integer({ min: 0, max: 3 }).map((i) => i * 25_000), { freq: 3 }),
      domain: fc.constantFrom('push.example.com', 'PUSH.example.com', null),
    });
    const toSession = (s: { sequence: string; pushedAt: number | null; length: number | null; domain: string | null }) =>
      session(s.sequence, s.pushedAt, s.pushedAt === null || s.length === null ? null : s.pushedAt + s.length, { domain: s.domain });
    const sessionsInTwoOrders = fc
      .uniqueArray(sessionArbitrary, { maxLength: 8, selector: (s) => s.sequence })
      .chain((drawn) => fc.tuple(fc.constant(drawn), fc.shuffledSubarray(drawn, { minLength: drawn.length, maxLength: drawn.length })));
    fc.assert(
      fc.property(sessionsInTwoOrders, fc.integer({ min: T - 10_000, max: T + 160_000 }), fc.integer({ min: 0, max: 30_000 }), ([one, other], from, length) => {
        const tie = at(from, from + length);
        expect(tied(tie, other.map(toSession))).toBe(tied(tie, one.map(toSession)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('sessionTieOf', () => {
  const tieOf = (name: string, receivedAt: number | null = null) => sessionTieOf(interpretRaw(callbackTypeFixture(name).raw), receivedAt);

  it('offers a recording file by its stream, from where the file starts to where it ends', () => {
    expect(tieOf('recording-file')).toEqual({
      by: 'streamTime',
      domain: 'yourapp',
      appName: 'yourappname',
      streamId: 'stream_test',
      from: 1642089598618 - 154_000,
      to: 1642089598618,
    });
  });

  it.each([
    ['screenshot', 1622599925000],
    ['image-moderation', 1610640000000],
    ['audio-moderation', 1685929588000],
    ['recording-status', 1700207929000],
    ['recording-exception', 1739934527000],
    ['quality-issue', 1747818881000],
  ])('offers a %s at its own time', (name, time) => {
    expect(tieOf(name)).toMatchObject({ by: 'streamTime', from: time, to: time });
  });

  it('offers a push anomaly report, a push and an interruption by sequence', () => {
    expect(tieOf('push-anomalies')).toEqual({ by: 'sequence', sequence: '000000000000000000' });
    expect(sessionTieOf(interpretBody({ event_type: 0, sequence: '42', stream_id: 's' }))).toEqual({ by: 'sequence', sequence: '42' });
  });

  it('falls back on when the callback was received for facts that carry no time of their own', () => {
    expect(tieOf('subtitles', T)).toMatchObject({ by: 'streamTime', streamId: 'teststream', from: T, to: T });
    expect(tieOf('subtitles')).toBeNull();
  });

  it('offers nothing for relay events and unrecognized callbacks', () => {
    expect(tieOf('relay-reset-task-config', T)).toBeNull();
    expect(sessionTieOf(interpretBody({ event_type: 9999, stream_id: 's' }), T)).toBeNull();
  });
});
