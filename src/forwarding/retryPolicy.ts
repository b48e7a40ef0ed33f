// The delivery rules: delivered on 2xx, retried with jittered backoff (or Retry-After), dead-lettered when retrying is pointless or over.
import { describeAttempt, type AttemptResult } from './attemptResult';
import type { RetryConfig } from './forwardConfig';

export interface DeliveryProgress {
  /** Attempts made so far, this one included. */
  attempts: number;
  /** When the delivery was first offered (ms, on the clock `now` is on): maxAgeSeconds counts from here. */
  offeredAt: number;
  /** The delay before this attempt, for decorrelated jitter; null before the first retry. */
  lastDelayMs: number | null;
}

export type AttemptVerdict =
  | { outcome: 'delivered' }
  /** askedFor: the delay is the destination's Retry-After, which holds back every delivery to it. */
  | { outcome: 'retry'; delayMs: number; reason: string; askedFor: boolean }
  | { outcome: 'dead-letter'; reason: string };

/**
 * Decides what follows an attempt. `random` returns [0, 1), injectable so tests choose the jitter. `wallNow`: the system
 * clock's time, which a Retry-After given as an HTTP date is read against; `now` may be on another clock (a monotonic one).
 */
export function judgeAttempt(
  result: AttemptResult,
  progress: DeliveryProgress,
  policy: RetryConfig,
  now: number,
  random: () => number,
  wallNow: number = now,
): AttemptVerdict {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { outcome: 'delivered' };
  const reason = describeAttempt(result);
  if (!isRetryable(result, policy)) return { outcome: 'dead-letter', reason };
  if (progress.attempts >= policy.maxAttempts) return { outcome: 'dead-letter', reason: `gave up after ${progress.attempts} attempts: ${reason}` };
  const deadline = progress.offeredAt + policy.maxAgeSeconds * 1000;
  if (now >= deadline) return { outcome: 'dead-letter', reason: `gave up after ${policy.maxAgeSeconds} s: ${reason}` };
  const asked = retryAfterOf(result, wallNow, policy.maxDelayMs);
  const delay = asked ?? backoffDelayMs(progress.attempts, policy, random, progress.lastDelayMs);
  // The last try falls on the deadline rather than after it.
  return { outcome: 'retry', delayMs: Math.max(0, Math.min(delay, deadline - now)), reason, askedFor: asked !== null };
}

/** Timeouts, network errors, redirects, 408, 429 and 5xx are retried; other 4xx only when deadLetterOn4xx is off. */
export function isRetryable(result: AttemptResult, policy: Pick<RetryConfig, 'deadLetterOn4xx'>): boolean {
  if (result.kind !== 'response') return true;
  const { status } = result;
  if (status === 408 || status === 429) return true;
  if (status >= 400 && status < 500) return !policy.deadLetterOn4xx;
  return true;
}

/**
 * Exponential backoff with jitter (the AWS Architecture Blog's "full" and "decorrelated"),
 * never above maxDelayMs. `attempts`: attempts made so far (1 before the first retry).
 */
export function backoffDelayMs(attempts: number, policy: Pick<RetryConfig, 'initialDelayMs' | 'maxDelayMs' | 'jitter'>, random: () => number, lastDelayMs: number | null): number {
  const { initialDelayMs: base, maxDelayMs: cap } = policy;
  if (policy.jitter === 'decorrelated') {
    const upper = Math.max(base, (lastDelayMs ?? base) * 3);
    return Math.min(cap, Math.round(base + random() * (upper - base)));
  }
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempts - 1, 52));
  return Math.round(random() * ceiling);
}

/** The wait a 429 or 503 asks for, capped; null when it asks for none (or in a form we cannot read). */
function retryAfterOf(result: AttemptResult, now: number, capMs: number): number | null {
  if (result.kind !== 'response' || (result.status !== 429 && result.status !== 503) || result.retryAfter === null) return null;
  return parseRetryAfter(result.retryAfter, now, capMs);
}

/** Retry-After as delay-seconds or an HTTP date, in ms from now, between 0 and capMs. */
export function parseRetryAfter(value: string, now: number, capMs: number): number | null {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(capMs, Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return null;
  return Math.min(capMs, Math.max(0, at - now));
}
