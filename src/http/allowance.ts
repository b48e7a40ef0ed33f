// What may be done in a second, on average, with a burst: taken first, paid for by waiting.

/**
 * A token bucket that may go into debt: what was taken (a message read, an answer's bytes) is done, and the debt is paid
 * by waiting.
 */
export class Allowance {
  private tokens: number;
  private updatedAt: number;
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    burstSeconds: number,
    now: number,
  ) {
    this.capacity = perSecond * burstSeconds;
    this.tokens = this.capacity;
    this.updatedAt = now;
  }

  /** Takes `count`; returns the milliseconds until the allowance is out of debt (0 if it is not in debt). */
  take(now: number, count: number): number {
    this.refill(now);
    this.tokens -= count;
    return this.debtMs();
  }

  /** The milliseconds until the allowance is out of debt, taking nothing. */
  wait(now: number): number {
    this.refill(now);
    return this.debtMs();
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }

  private debtMs(): number {
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }
}
