// A destination's circuit breaker on an injected clock: opens after consecutive failures, probes once after the cool-down.
import { CircuitBreaker, type BreakerState } from '../../src/forwarding/circuitBreaker';

describe('CircuitBreaker', () => {
  const setUp = () => {
    const changes: BreakerState[] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000 }, (state) => changes.push(state));
    return { breaker, changes };
  };

  it('stays closed below the threshold, and a success resets the count', () => {
    const { breaker } = setUp();
    breaker.record(false, 0);
    breaker.record(false, 1);
    breaker.record(true, 2);
    breaker.record(false, 3);
    breaker.record(false, 4);
    expect(breaker.state(5)).toBe('closed');
    expect(breaker.canAttempt(5)).toBe(true);
  });

  it('opens after N consecutive failures and lets nothing through during the cool-down', () => {
    const { breaker, changes } = setUp();
    for (let t = 0; t < 3; t++) breaker.record(false, t);
    expect(breaker.state(2)).toBe('open');
    expect(breaker.canAttempt(500)).toBe(false);
    expect(breaker.probeAt()).toBe(1_002);
    expect(changes).toEqual(['open']);
  });

  it('half-open after the cool-down: one probe at a time; success closes, failure opens for another cool-down', () => {
    const { breaker, changes } = setUp();
    for (let t = 0; t < 3; t++) breaker.record(false, t);
    expect(breaker.canAttempt(1_002)).toBe(true);
    breaker.attemptStarted(1_002);
    expect(breaker.canAttempt(1_003)).toBe(false);
    breaker.record(false, 1_010);
    expect(breaker.state(1_500)).toBe('open');
    expect(breaker.canAttempt(2_010)).toBe(true);
    breaker.attemptStarted(2_010);
    breaker.record(true, 2_020);
    expect(breaker.state(2_020)).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('failures of requests sent before it opened do not extend the cool-down', () => {
    const { breaker } = setUp();
    for (let t = 0; t < 3; t++) breaker.record(false, t);
    breaker.record(false, 900);
    expect(breaker.probeAt()).toBe(1_002);
  });
});
