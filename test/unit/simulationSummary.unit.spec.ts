import { dueSlots, retryDelayMs, type CallbackAnswer } from '../../src/simulation/callbackSender';
import { formatSummary, percentile, SimulationTally, type SimulationSummary } from '../../src/simulation/simulateTraffic';

const answer = (overrides: Partial<CallbackAnswer>): CallbackAnswer => ({
  slot: 0,
  attempt: 1,
  status: 200,
  eventId: 'e',
  stored: 'new',
  error: null,
  retryAfter: null,
  final: true,
  sentAt: 0,
  answeredAt: 1,
  ...overrides,
});

describe('pacing schedule', () => {
  it('has slot i due at i / rate seconds: the first at once, then one every 1000 / rate ms', () => {
    expect(dueSlots(0, 100)).toBe(1);
    expect(dueSlots(9.9, 100)).toBe(1);
    expect(dueSlots(10, 100)).toBe(2);
    expect(dueSlots(1000, 100)).toBe(101);
    expect(dueSlots(2500, 0.5)).toBe(2);
    expect(dueSlots(-1, 100)).toBe(0);
  });
});

describe('retryDelayMs', () => {
  const now = Date.UTC(2030, 0, 1);
  it('waits what Retry-After says, in seconds or as a date, within a minute', () => {
    expect(retryDelayMs('5', now)).toBe(5000);
    expect(retryDelayMs(new Date(now + 3000).toUTCString(), now)).toBe(3000);
    expect(retryDelayMs('3600', now)).toBe(60_000);
    expect(retryDelayMs(new Date(now - 3000).toUTCString(), now)).toBe(0);
  });

  it('waits a second when the header is missing or unreadable', () => {
    expect(retryDelayMs(null, now)).toBe(1000);
    expect(retryDelayMs('soon', now)).toBe(1000);
  });
});

describe('SimulationTally', () => {
  it('counts final answers by outcome and the sessions and relay tasks that got a 200', () => {
    const tally = new SimulationTally();
    tally.record(answer({ stored: 'new' }), { path: '/', body: '', sequence: 's1' });
    tally.record(answer({ stored: 'duplicate' }), { path: '/', body: '', sequence: 's1' });
    tally.record(answer({ stored: 'new' }), { path: '/', body: '', taskId: 't1' });
    tally.record(answer({ status: 503, error: 'overloaded', final: false }), { path: '/', body: '', sequence: 's2' });
    tally.record(answer({ status: 503, error: 'overloaded' }), { path: '/', body: '', sequence: 's2' });
    tally.record(answer({ status: 401, error: 'bad_signature' }), { path: '/', body: '', sequence: 's3' });
    tally.record(answer({ status: 0, error: 'ECONNREFUSED' }), { path: '/', body: '' });
    expect(tally.stored).toEqual({ new: 2, duplicate: 1 });
    expect(tally.rejected).toEqual({ '503 overloaded': 1, '401 bad_signature': 1, '0 ECONNREFUSED': 1 });
    expect([tally.sessions, tally.relayTasks]).toEqual([1, 1]);
  });

  it('counts each callback once by kind, at its final answer, whatever the answer', () => {
    const tally = new SimulationTally();
    const screenshot = { path: '/', body: '', sequence: 's1', kind: 'ScreenshotTaken' as const };
    tally.record(answer({ stored: 'new' }), { path: '/', body: '', sequence: 's1', kind: 'StreamPushed' });
    tally.record(answer({ status: 503, error: 'overloaded', final: false }), screenshot);
    tally.record(answer({ stored: 'new' }), screenshot);
    tally.record(answer({ status: 401, error: 'bad_signature' }), { ...screenshot, sequence: 's2' });
    expect(tally.kinds).toEqual({ StreamPushed: 1, ScreenshotTaken: 2 });
  });

  it('takes latency percentiles over every request, retries included', () => {
    const tally = new SimulationTally();
    for (let i = 1; i <= 100; i++) tally.record(answer({ sentAt: 1000, answeredAt: 1000 + i, final: i % 2 === 0 }), { path: '/', body: '' });
    expect(tally.latency()).toEqual({ p50: 50, p99: 99, max: 100 });
    expect(new SimulationTally().latency()).toEqual({ p50: NaN, p99: NaN, max: NaN });
  });

  it('uses nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('formatSummary', () => {
  const summary: SimulationSummary = {
    target: 'http://127.0.0.1:4000/callbacks',
    seed: 42,
    sent: 30,
    attempts: 32,
    retries: 2,
    stored: { new: 25, duplicate: 0 },
    rejected: { '401 bad_signature': 5 },
    sessions: 10,
    relayTasks: 1,
    kinds: { StreamPushed: 10, StreamInterrupted: 8, RelayTaskStarted: 2, ScreenshotTaken: 10 },
    stoppedBy: 'count',
    achievedRate: 99.5,
    targetRate: 100,
    latencyMs: { p50: 1.234, p99: 9.87, max: 12 },
    elapsedSeconds: 0.4,
  };

  it('says what was sent, what was stored and what was rejected, for a person', () => {
    expect(formatSummary(summary)).toBe(
      [
        'sent 30 callbacks to http://127.0.0.1:4000/callbacks in 0.4 s (stopped by count; 99.5/s achieved, 100/s asked)',
        '  200: 25 new, 0 duplicate',
        '  rejected: 401 bad_signature ×5',
        '  requests: 32 (2 retries after 503)',
        '  stored for 10 sessions and 1 relay tasks',
        '  sent, by kind: RelayTaskStarted ×2, ScreenshotTaken ×10, StreamInterrupted ×8, StreamPushed ×10',
        '  latency (send → answer): p50 1.2 ms, p99 9.9 ms, max 12.0 ms',
        '  seed 42',
        '',
      ].join('\n'),
    );
  });

  it('says how to get relay callbacks in when the service refused them for want of a token', () => {
    const text = formatSummary({ ...summary, rejected: { '401 unauthenticated': 3 } });
    expect(text).toContain('hint: relay (314) callbacks carry no signature');
    expect(formatSummary(summary)).not.toContain('hint:');
  });
});
