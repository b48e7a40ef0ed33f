// Each client's refusals: one refused over and over waits behind everyone else's, and cannot crowd CSS off the thread.
import { LRUCache } from 'lru-cache';

/**
 * Refusals a client may cause in a second before its next callbacks wait behind the others'. CSS causes none (unless
 * every callback is refused, a wrong key say, when waiting changes nothing); a scanner or a hostile client causes
 * hundreds, each costing the thread that answers CSS the reading of up to the body limit (64 KB of 5,000 members: 1.6 ms).
 */
export const REFUSALS_PER_SECOND = 20;
/** Clients remembered at most: the oldest are forgotten first (a client forgotten starts afresh). */
const MAX_CLIENTS = 10_000;

interface ClientRecord {
  /** The second (of the epoch) `refusals` counts; `before`, the count of the second before it. */
  second: number;
  refusals: number;
  before: number;
}

/** Each client's refusals per second (by clientOf: an IPv4 address or an IPv6 /64). */
export class RefusedClients {
  private readonly clients = new LRUCache<string, ClientRecord>({ max: MAX_CLIENTS });
  /** The last second in which some client went past its budget: before it, nobody is over it, and no client is looked up. */
  private lastSecondOver = -Infinity;

  constructor(
    private readonly perSecond = REFUSALS_PER_SECOND,
    private readonly now: () => number = Date.now,
  ) {}

  refused(client: string): void {
    const second = Math.floor(this.now() / 1000);
    const record = this.clients.get(client);
    if (record === undefined) this.clients.set(client, { second, refusals: 1, before: 0 });
    else if (record.second !== second) Object.assign(record, { second, refusals: 1, before: record.second === second - 1 ? record.refusals : 0 });
    else record.refusals++;
    if ((this.clients.peek(client)?.refusals ?? 0) > this.perSecond) this.lastSecondOver = second;
  }

  /** Whether any client may be over its budget now: when not, a request's client need not even be worked out. */
  get anyOverBudget(): boolean {
    return Math.floor(this.now() / 1000) - this.lastSecondOver <= 1;
  }

  /** Past its budget this second or the one before: a client that keeps being refused stays over it until it pauses. */
  overBudget(client: string): boolean {
    const record = this.clients.peek(client);
    if (record === undefined) return false;
    const second = Math.floor(this.now() / 1000);
    const lastTwoSeconds = record.second === second ? Math.max(record.refusals, record.before) : record.second === second - 1 ? record.refusals : 0;
    return lastTwoSeconds > this.perSecond;
  }
}
