// Interruption statistics: one bucket per key of the chosen grouping, with a count and push-duration percentiles.
import { DurationHistogram } from './durationHistogram';

export type InterruptionGrouping = 'ERRCODE' | 'DOMAIN' | 'NODE' | 'HOUR' | 'DAY';

/** What a grouping reads of an interruption, as the covering index holds it. */
export type InterruptionFacts = [interruptedAt: number, errcode: number | null, subErrcode: number | null, domain: string | null, node: string | null, pushDurationMs: number | null];

export interface InterruptionBucketRow {
  key: string;
  count: number;
  pushDurationP50Ms: number | null;
  pushDurationP90Ms: number | null;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

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

/** Interruptions added a slice at a time, and rollup cells, bucketed at the end. */
export class InterruptionTally {
  private readonly groups = new Map<string, { count: number; durations: DurationHistogram }>();

  private readonly byTime: boolean;

  constructor(private readonly grouping: InterruptionGrouping) {
    this.byTime = grouping === 'HOUR' || grouping === 'DAY';
  }

  /** Time keys by the start of their hour or day: an ISO string made once per bucket, not once per row. */
  private readonly timeKeys = new Map<number, string>();

  private timeKeyOf(at: number): string {
    const unit = this.grouping === 'HOUR' ? HOUR_MS : DAY_MS;
    const start = Math.floor(at / unit) * unit;
    let key = this.timeKeys.get(start);
    if (key === undefined) this.timeKeys.set(start, (key = interruptionKey(this.grouping, [start, null, null, null, null, null])));
    return key;
  }

  private group(key: string): { count: number; durations: DurationHistogram } {
    let group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, (group = { count: 0, durations: new DurationHistogram() }));
    return group;
  }

  add(row: InterruptionFacts): void {
    const group = this.group(this.byTime ? this.timeKeyOf(row[0]) : interruptionKey(this.grouping, row));
    group.count++;
    if (row[5] !== null) group.durations.add(row[5]);
  }

  /** Adds a rollup cell: `count` interruptions of the period from `start` with this grouping's `key`, and their stored histogram. */
  addCell(start: number, key: string, count: number, histogram: Uint8Array): void {
    const group = this.group(this.byTime ? this.timeKeyOf(start) : key);
    group.count += count;
    group.durations.addEncoded(histogram);
  }

  /** By count, largest first (then key); for groupings by time, oldest first. */
  buckets(): InterruptionBucketRow[] {
    const buckets = [...this.groups].map(([key, { count, durations }]) => ({
      key,
      count,
      pushDurationP50Ms: durations.percentile(50),
      pushDurationP90Ms: durations.percentile(90),
    }));
    return buckets.sort((a, b) => (this.byTime ? (a.key < b.key ? -1 : 1) : b.count - a.count || (a.key < b.key ? -1 : 1)));
  }
}

export function interruptionBuckets(grouping: InterruptionGrouping, rows: Iterable<InterruptionFacts>): InterruptionBucketRow[] {
  const tally = new InterruptionTally(grouping);
  for (const row of rows) tally.add(row);
  return tally.buckets();
}
