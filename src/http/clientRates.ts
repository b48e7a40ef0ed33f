// How often each client did something in the last second or two: one past its budget waits behind the others.
import { LRUCache } from 'lru-cache';

/** Clients remembered at most: the oldest are forgotten first (a client forgotten starts afresh). */
const MAX_CLIENTS = 10_000;

interface SecondCounts {
  /** The second (of the monotonic clock) `count` counts; `before`, the count of the second before it. */
  second: number;
  count: number;
  before: number;
}

/** One more in `second`; the counts of the second before kept when it is the one just gone. */
function countIn(counts: SecondCounts, second: number): number {
  if (counts.second !== second) Object.assign(counts, { second, count: 0, before: counts.second === second - 1 ? counts.count : 0 });
  return ++counts.count;
}

/** The larger count of this second and the one before (0 when neither was counted). */
function lastTwoSeconds(counts: SecondCounts, second: number): number {
  return counts.second === second ? Math.max(counts.count, counts.before) : counts.second === second - 1 ? counts.count : 0;
}

/**
 * Counts, per client (by clientOf: an IPv4 address or an IPv6 /64), what it does in each second, against a budget. With
 * `overallPerSecond`, all clients together have one too: past it, every client counted in the last two seconds is
 * over, so that many addresses each under its own budget cannot do together what one may not.
 */
export class ClientRates {
  private readonly clients = new LRUCache<string, SecondCounts>({ max: MAX_CLIENTS });
  private readonly everyone: SecondCounts = { second: -Infinity, count: 0, before: 0 };
  /** The last second in which some client went past its budget: before it, nobody is over it, and no client is looked up. */
  private lastSecondOver = -Infinity;

  private readonly overallPerSecond: number;
  private readonly now: () => number;

  /**
   * `now` in ms, the monotonic clock by default: a system clock set back an hour kept every client that had gone past
   * its budget looked up, as if over, for that hour.
   */
  constructor(
    private readonly perSecond: number,
    options: { overallPerSecond?: number; now?: () => number } = {},
  ) {
    this.overallPerSecond = options.overallPerSecond ?? Infinity;
    this.now = options.now ?? (() => performance.now());
  }

  count(client: string): void {
    const second = Math.floor(this.now() / 1000);
    let record = this.clients.get(client);
    if (record === undefined) this.clients.set(client, (record = { second, count: 0, before: 0 }));
    if (countIn(record, second) > this.perSecond) this.lastSecondOver = second;
    if (countIn(this.everyone, second) > this.overallPerSecond) this.lastSecondOver = second;
  }

  /** Whether any client may be over its budget now: when not, a request's client need not even be worked out. */
  get anyOver(): boolean {
    return Math.floor(this.now() / 1000) - this.lastSecondOver <= 1;
  }

  /** Past its budget (or all together past theirs) this second or the one before: one that keeps at it stays over until it pauses. */
  over(client: string): boolean {
    const record = this.clients.peek(client);
    if (record === undefined) return false;
    const second = Math.floor(this.now() / 1000);
    const own = lastTwoSeconds(record, second);
    return own > this.perSecond || (own > 0 && lastTwoSeconds(this.everyone, second) > this.overallPerSecond);
  }
}
