// Interruption statistics: one bucket per key of the chosen grouping, with a count and push-duration percentiles.
import { nearestRank } from './percentiles';

export type InterruptionGrouping = 'ERRCODE' | 'DOMAIN' | 'NODE' | 'HOUR' | 'DAY';

/** What a grouping reads of an interruption, as the covering index holds it. */
export type InterruptionFacts = [interruptedAt: number, errcode: number | null, subErrcode: number | null, domain: string | null, node: string | null, pushDurationMs: number | null];

export interface InterruptionBucketRow {
  key: string;
  count: number;
  pushDurationP50Ms: number | null;
  pushDurationP90Ms: number | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The bucket key: `errcode:sub_errcode` (sub 0 when CSS sent none), the domain or node ("unknown" when absent), or the UTC hour or day it began. */
export function interruptionKey(grouping: InterruptionGrouping, [at, errcode, subErrcode, domain, node]: InterruptionFacts): string {
  switch (grouping) {
    case 'ERRCODE':
      return errcode === null ? 'none' : `${errcode}:${subErrcode ?? 0}`;
    case 'DOMAIN':
      return domain ?? 'unknown';
    case 'NODE':
      return node ?? 'unknown';
    case 'HOUR':
      return new Date(Math.floor(at / HOUR_MS) * HOUR_MS).toISOString();
    case 'DAY':
      return new Date(Math.floor(at / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  }
}

/** Interruptions added a slice at a time, bucketed at the end. */
export class InterruptionTally {
  private readonly groups = new Map<string, { count: number; durations: number[] }>();

  constructor(private readonly grouping: InterruptionGrouping) {}

  /** Time keys by the start of their hour or day: an ISO string made once per bucket, not once per row. */
  private readonly timeKeys = new Map<number, string>();

  private keyOf(row: InterruptionFacts): string {
    const unit = this.grouping === 'HOUR' ? HOUR_MS : this.grouping === 'DAY' ? DAY_MS : 0;
    if (unit === 0) return interruptionKey(this.grouping, row);
    const start = Math.floor(row[0] / unit) * unit;
    let key = this.timeKeys.get(start);
    if (key === undefined) this.timeKeys.set(start, (key = interruptionKey(this.grouping, row)));
    return key;
  }

  add(row: InterruptionFacts): void {
    const key = this.keyOf(row);
    let group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, (group = { count: 0, durations: [] }));
    group.count++;
    if (row[5] !== null) group.durations.push(row[5]);
  }

  /** By count, largest first (then key); for groupings by time, oldest first. */
  buckets(): InterruptionBucketRow[] {
    const buckets = [...this.groups].map(([key, { count, durations }]) => {
      const sorted = Float64Array.from(durations).sort();
      return { key, count, pushDurationP50Ms: nearestRank(sorted, 50), pushDurationP90Ms: nearestRank(sorted, 90) };
    });
    const byTime = this.grouping === 'HOUR' || this.grouping === 'DAY';
    return buckets.sort((a, b) => (byTime ? (a.key < b.key ? -1 : 1) : b.count - a.count || (a.key < b.key ? -1 : 1)));
  }
}

export function interruptionBuckets(grouping: InterruptionGrouping, rows: Iterable<InterruptionFacts>): InterruptionBucketRow[] {
  const tally = new InterruptionTally(grouping);
  for (const row of rows) tally.add(row);
  return tally.buckets();
}
