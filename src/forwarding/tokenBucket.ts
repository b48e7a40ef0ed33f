// A destination's rate limit: a token bucket refilled at `rate` per second, holding at most one second's worth.
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private readonly capacity: number;

  constructor(
    private readonly ratePerSecond: number,
    now: number,
  ) {
    this.capacity = Math.max(1, ratePerSecond);
    this.tokens = this.capacity;
    this.refilledAt = now;
  }

  /** Takes a token when one is there. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** When the next token will be there (ms). */
  nextTokenAt(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? now : now + Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.refilledAt = now;
  }
}
