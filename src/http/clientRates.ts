// How often each client did something in the last second or two: one past its budget waits behind the others.
import { LRUCache } from 'lru-cache';

/** Clients remembered at most: the oldest are forgotten first (a client forgotten starts afresh). */
const MAX_CLIENTS = 10_000;

interface ClientRecord {
  /** The second (of the epoch) `count` counts; `before`, the count of the second before it. */
  second: number;
  count: number;
  before: number;
}

/** Counts, per client (by clientOf: an IPv4 address or an IPv6 /64), what it does in each second, against a budget. */
export class ClientRates {
  private readonly clients = new LRUCache<string, ClientRecord>({ max: MAX_CLIENTS });
  /** The last second in which some client went past its budget: before it, nobody is over it, and no client is looked up. */
  private lastSecondOver = -Infinity;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  count(client: string): void {
    const second = Math.floor(this.now() / 1000);
    let record = this.clients.get(client);
    if (record === undefined) this.clients.set(client, (record = { second, count: 0, before: 0 }));
    else if (record.second !== second) Object.assign(record, { second, count: 0, before: record.second === second - 1 ? record.count : 0 });
    if (++record.count > this.perSecond) this.lastSecondOver = second;
  }

  /** Whether any client may be over its budget now: when not, a request's client need not even be worked out. */
  get anyOver(): boolean {
    return Math.floor(this.now() / 1000) - this.lastSecondOver <= 1;
  }

  /** Past its budget this second or the one before: a client that keeps at it stays over it until it pauses. */
  over(client: string): boolean {
    const record = this.clients.peek(client);
    if (record === undefined) return false;
    const second = Math.floor(this.now() / 1000);
    const lastTwoSeconds = record.second === second ? Math.max(record.count, record.before) : record.second === second - 1 ? record.count : 0;
    return lastTwoSeconds > this.perSecond;
  }
}
