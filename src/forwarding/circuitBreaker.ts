// A destination's circuit breaker: opens after consecutive failures, lets one probe through after a cool-down, closes on success.
import type { BreakerConfig } from './forwardConfig';

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private probeInFlight = false;
  private reported: BreakerState = 'closed';

  constructor(
    private readonly config: BreakerConfig,
    /** Told of every change of state, for metrics and logs. */
    private readonly onChange: (state: BreakerState) => void = () => {},
  ) {}

  state(now: number): BreakerState {
    if (this.openedAt === null) return 'closed';
    return now - this.openedAt >= this.config.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a request may go now: always when closed, never while open, one probe at a time when half-open. */
  canAttempt(now: number): boolean {
    const state = this.state(now);
    if (state === 'half-open') this.report('half-open');
    return state === 'closed' || (state === 'half-open' && !this.probeInFlight);
  }

  /** When an open breaker lets its probe through (ms); null when not open. */
  probeAt(): number | null {
    return this.openedAt === null ? null : this.openedAt + this.config.cooldownMs;
  }

  attemptStarted(now: number): void {
    if (this.state(now) === 'half-open') this.probeInFlight = true;
  }

  /** An attempt ended: `healthy` when the destination answered (2xx, or a 4xx about that one delivery). */
  record(healthy: boolean, now: number): void {
    const wasProbe = this.probeInFlight;
    this.probeInFlight = false;
    if (healthy) {
      this.consecutiveFailures = 0;
      this.openedAt = null;
      this.report('closed');
      return;
    }
    this.consecutiveFailures++;
    const state = this.state(now);
    // A failed probe opens it for another cool-down; failures of requests sent before it opened change nothing.
    if ((state === 'closed' && this.consecutiveFailures >= this.config.failureThreshold) || (state === 'half-open' && wasProbe)) {
      this.openedAt = now;
      this.report('open');
    }
  }

  private report(state: BreakerState): void {
    if (state === this.reported) return;
    this.reported = state;
    this.onChange(state);
  }
}
