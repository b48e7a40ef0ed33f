// The delivery rules: what is retried, how long to wait (jitter, Retry-After), when to give up.
import type { AttemptResult } from '../../src/forwarding/attemptResult';
import { isDestinationFailure } from '../../src/forwarding/attemptResult';
import { backoffDelayMs, judgeAttempt, parseRetryAfter } from '../../src/forwarding/retryPolicy';

const policy = { maxAttempts: 5, maxAgeSeconds: 3_600, initialDelayMs: 1_000, maxDelayMs: 60_000, jitter: 'full' as const, deadLetterOn4xx: true };
const answer = (status: number, extra: Partial<Extract<AttemptResult, { kind: 'response' }>> = {}): AttemptResult => ({
  kind: 'response',
  status,
  retryAfter: null,
  location: null,
  body: '',
  durationMs: 3,
  ...extra,
});
const NOW = 1_700_000_000_000;
const first = { attempts: 1, offeredAt: NOW, lastDelayMs: null };
const half = () => 0.5;

describe('judgeAttempt', () => {
  it('delivers on any 2xx', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(judgeAttempt(answer(status), first, policy, NOW, half)).toEqual({ outcome: 'delivered' });
  });

  it('retries timeouts, network errors, redirects, 408, 429 and 5xx', () => {
    const retried: AttemptResult[] = [
      { kind: 'timeout', timeoutMs: 100, durationMs: 100 },
      { kind: 'network', error: 'connect ECONNREFUSED 127.0.0.1:9', durationMs: 1 },
      answer(301, { location: 'https://elsewhere/' }),
      answer(408),
      answer(429),
      answer(500),
      answer(503),
    ];
    for (const result of retried) expect(judgeAttempt(result, first, policy, NOW, half).outcome).toBe('retry');
  });

  it('dead-letters other 4xx at once, unless deadLetterOn4xx is off', () => {
    for (const status of [400, 401, 403, 404, 410, 413, 422]) {
      expect(judgeAttempt(answer(status, { body: 'no such hook' }), first, policy, NOW, half)).toEqual({ outcome: 'dead-letter', reason: `HTTP ${status}: no such hook` });
      expect(judgeAttempt(answer(status), first, { ...policy, deadLetterOn4xx: false }, NOW, half).outcome).toBe('retry');
    }
  });

  it('gives up after maxAttempts, and after maxAgeSeconds since the delivery was offered', () => {
    expect(judgeAttempt(answer(500), { ...first, attempts: 4 }, policy, NOW, half).outcome).toBe('retry');
    expect(judgeAttempt(answer(500), { ...first, attempts: 5 }, policy, NOW, half)).toEqual({ outcome: 'dead-letter', reason: 'gave up after 5 attempts: HTTP 500' });
    expect(judgeAttempt(answer(500), first, policy, NOW + 3_600_000, half)).toEqual({ outcome: 'dead-letter', reason: 'gave up after 3600 s: HTTP 500' });
  });

  it('makes the last try fall on the age limit rather than after it', () => {
    const verdict = judgeAttempt(answer(500), { ...first, attempts: 3 }, { ...policy, jitter: 'decorrelated' }, NOW + 3_599_000, () => 0.99);
    expect(verdict).toMatchObject({ outcome: 'retry', delayMs: 1_000 });
  });

  it('waits what a 429 or 503 asks for in Retry-After, capped at maxDelayMs; other statuses do not hold the destination', () => {
    expect(judgeAttempt(answer(429, { retryAfter: '7' }), first, policy, NOW, half)).toMatchObject({ delayMs: 7_000, askedFor: true });
    expect(judgeAttempt(answer(503, { retryAfter: '86400' }), first, policy, NOW, half)).toMatchObject({ delayMs: 60_000, askedFor: true });
    expect(judgeAttempt(answer(500, { retryAfter: '7' }), first, policy, NOW, half)).toMatchObject({ delayMs: 500, askedFor: false });
    expect(judgeAttempt(answer(503, { retryAfter: 'soon' }), first, policy, NOW, half)).toMatchObject({ delayMs: 500, askedFor: false });
  });

  it('reads a Retry-After date against the system clock while the age counts on the monotonic one', () => {
    // Offered 10 s ago on the monotonic clock; the receiver asks for 30 s after the system clock's now.
    const [monotonic, wall] = [12_345, NOW];
    const offered = { ...first, offeredAt: monotonic - 10_000 };
    const date = new Date(wall + 30_000).toUTCString();
    expect(judgeAttempt(answer(503, { retryAfter: date }), offered, policy, monotonic, half, wall)).toMatchObject({ outcome: 'retry', delayMs: 30_000, askedFor: true });
  });
});

describe('backoffDelayMs', () => {
  it('full jitter: uniform below an exponentially growing ceiling, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 0.999_999, null))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelayMs(3, policy, () => 0.25, null)).toBe(1_000);
    expect(backoffDelayMs(40, policy, () => 0.999_999, null)).toBe(60_000);
    expect(backoffDelayMs(2_000, policy, () => 0, null)).toBe(0);
  });

  it('decorrelated jitter: between the base and three times the last delay, capped', () => {
    const decorrelated = { ...policy, jitter: 'decorrelated' as const };
    expect(backoffDelayMs(1, decorrelated, () => 0, null)).toBe(1_000);
    expect(backoffDelayMs(1, decorrelated, () => 1, null)).toBe(3_000);
    expect(backoffDelayMs(5, decorrelated, () => 0.5, 10_000)).toBe(15_500);
    expect(backoffDelayMs(9, decorrelated, () => 1, 50_000)).toBe(60_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, capped, never negative', () => {
    expect(parseRetryAfter('1', NOW, 60_000)).toBe(1_000);
    expect(parseRetryAfter(' 120 ', NOW, 60_000)).toBe(60_000);
    expect(parseRetryAfter(new Date(NOW + 5_000).toUTCString(), NOW, 60_000)).toBe(5_000);
    expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW, 60_000)).toBe(0);
    expect(parseRetryAfter('-1', NOW, 60_000)).toBeNull();
    expect(parseRetryAfter('12.5', NOW, 60_000)).toBeNull();
    expect(parseRetryAfter('', NOW, 60_000)).toBeNull();
  });
});

describe('isDestinationFailure', () => {
  it('counts what says the destination is unwell, not an answered 4xx about one delivery', () => {
    expect([200, 301, 400, 404, 408, 410, 429, 500, 503].map((s) => isDestinationFailure(answer(s)))).toEqual([false, true, false, false, true, false, true, true, true]);
    expect(isDestinationFailure({ kind: 'timeout', timeoutMs: 1, durationMs: 1 })).toBe(true);
  });
});
