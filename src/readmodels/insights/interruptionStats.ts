// Interruption statistics: one bucket per key of the chosen grouping, with a count and push-duration percentiles.
import { DurationHistogram } from './durationHistogram';
import { toTheEnd } from '../../processing/slicedReads';
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

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The key of the interruptions whose domain or node CSS did not give. */
export const ABSENT_KEY = 'unknown';

/** The bucket key: `errcode:sub_errcode` (sub 0 when CSS sent none), the domain or node (ABSENT_KEY when absent), or the UTC hour or day it began. */
export function interruptionKey(grouping: InterruptionGrouping, [at, errcode, subErrcode, domain, node]: InterruptionFacts): string {
  switch (grouping) {
    case 'ERRCODE':
      return errcode === null ? 'none' : `${errcode}:${subErrcode ?? 0}`;
    case 'DOMAIN':
      return domain ?? ABSENT_KEY;
    case 'NODE':
      return node ?? ABSENT_KEY;
    case 'HOUR':
      return new Date(Math.floor(at / HOUR_MS) * HOUR_MS).toISOString();
    case 'DAY':
      return new Date(Math.floor(at / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  }
}

type StoredPercentiles = readonly [p50: number | null, p90: number | null];

/**
 * A rollup cell as read: its histogram only when it may be merged, its percentiles when the file keeps them; either may
 * be what reads it instead (only the buckets answered read theirs).
 */
export interface RollupCellRead {
  count: number;
  histogram: Uint8Array | (() => Uint8Array) | null;
  percentiles: StoredPercentiles | (() => StoredPercentiles) | null;
}

/** What a rollup cell added by its count alone holds besides: read again only for the buckets answered. */
export type CellReadAgain = (start: number, key: string) => Omit<RollupCellRead, 'count'>;

/** Made as they are first needed: most buckets by node hold one interruption or one cell. */
interface Group {
  count: number;
  /** Rollup cells, each with its weight (-1: a cell taken back out). */
  cells?: Array<[Omit<RollupCellRead, 'count'>, 1 | -1]>;
  /** Rollup cells added by their counts alone, three numbers each: where they are read again, their start, their weight. */
  counted?: number[];
  /** Durations read one by one. */
  durations?: number[];
  /** Durations read one by one and taken back out of its cells. */
  takenBack?: number[];
}

/**
 * Interruptions added a slice at a time, and rollup cells, bucketed at the end. A bucket's percentiles are exact when all
 * its interruptions were read one by one, else read from the merged histograms (within 1 %).
 */
export class InterruptionTally {
  /** By key; grouped by time, by the start of the hour or day (a number hashes at once, a fresh string each time). */
  private readonly groups = new Map<string | number, Group>();
  /** What reads again the cells added by their counts alone, by the first of their three numbers. */
  private readonly readsAgain: CellReadAgain[] = [];

  private readonly byTime: boolean;

  /**
   * @param first answers only that many buckets (the largest; by time, the oldest): the percentiles of the others are never
   * worked out, and rollup cells may be added without their histograms (`histogramsLater`).
   */
  constructor(
    readonly grouping: InterruptionGrouping,
    private readonly first = Number.POSITIVE_INFINITY,
  ) {
    this.byTime = grouping === 'HOUR' || grouping === 'DAY';
    this.unit = grouping === 'HOUR' ? HOUR_MS : DAY_MS;
  }

  /** The ISO string of the day of the last hour keyed: Date formats in microseconds, and 90 days by hour have 2,160 keys. */
  private day = [Number.NaN, ''] as [start: number, iso: string];

  private readonly unit: number;

  /** The start of the hour or day holding `at`. */
  private timeStart(at: number): number {
    return Math.floor(at / this.unit) * this.unit;
  }

  /** The key of the hour or day from `start`, made once per bucket. */
  private timeKeyOf(start: number): string {
    if (this.unit === DAY_MS) return interruptionKey('DAY', [start, null, null, null, null, null]);
    const day = Math.floor(start / DAY_MS) * DAY_MS;
    if (this.day[0] !== day) this.day = [day, new Date(day).toISOString()];
    const hour = (start - day) / HOUR_MS;
    // "…T00:00:00.000Z" with the hour in place of 00.
    return `${this.day[1].slice(0, -13)}${hour < 10 ? '0' : ''}${hour}${this.day[1].slice(-11)}`;
  }

  /**
   * Whether rollup cells are best added without their histograms, each with what reads it: by node with `first`, a few of
   * tens of thousands of buckets are answered (an hour has ~24,000 at the benchmark's scale). Not by errcode (a few dozen
   * keys: reading each answered cell again costs more than its histogram read at once), nor by time (cells alone). What
   * reads them must read the same snapshot as the counts: `buckets` is then called inside the read that added the cells.
   */
  get histogramsLater(): boolean {
    return this.grouping === 'NODE' && Number.isFinite(this.first);
  }

  private group(key: string | number): Group {
    let group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, (group = { count: 0 }));
    return group;
  }

  /** Adds an interruption; with weight -1, takes it back out of the rollup cell holding it (added as well). */
  add(row: InterruptionFacts, weight: 1 | -1 = 1): void {
    const group = this.group(this.byTime ? this.timeStart(row[0]) : interruptionKey(this.grouping, row));
    group.count += weight;
    if (row[5] === null) return;
    if (weight === 1) (group.durations ??= []).push(row[5]);
    else (group.takenBack ??= []).push(row[5]);
  }

  /**
   * Adds a rollup cell: its interruptions of the period from `start` with this grouping's `key`; with weight -1, takes them
   * back out (a cell within a larger one already added).
   */
  addCell(start: number, key: string, cell: RollupCellRead, weight: 1 | -1 = 1): void {
    const group = this.group(this.byTime ? this.timeStart(start) : key);
    group.count += weight * cell.count;
    (group.cells ??= []).push([cell, weight]);
  }

  /**
   * Adds rollup cells by their counts alone, by a key that is not a time (by node: hundreds of thousands of cells over a
   * few hours, a few of them answered), keeping of each only where it starts; the rest is read again for the buckets
   * answered, by `readAgain`. The cells' weights are as in addCell.
   */
  cellsCounted(readAgain: CellReadAgain): (start: number, key: string, count: number, weight: 1 | -1) => void {
    if (this.byTime) throw new Error(`cells by ${this.grouping} are added with what they hold`);
    const from = this.readsAgain.push(readAgain) - 1;
    return (start, key, count, weight) => {
      const group = this.group(key);
      group.count += weight * count;
      (group.counted ??= []).push(from, start, weight);
    };
  }

  /**
   * By count, largest first (then key); for groupings by time, oldest first. With `first`, only that many: the percentiles
   * of the others are never worked out (by node, an hour can have tens of thousands of buckets).
   */
  buckets(): InterruptionBucketRow[] {
    return toTheEnd(this.bucketsInSteps());
  }

  /** buckets() in steps: the generator yields once they are ordered, then after each `perStep` buckets worked out. */
  *bucketsInSteps(perStep = BUCKETS_PER_STEP): Generator<void, InterruptionBucketRow[]> {
    // Grouped by time, by the start of each bucket's period, then keyed.
    type Entry = [string | number, Group];
    const order = this.byTime ? ([a]: Entry, [b]: Entry) => (a as number) - (b as number) : ([a, x]: Entry, [b, y]: Entry) => y.count - x.count || (a < b ? -1 : 1);
    // A group whose cells were all taken back out again had nothing in the range.
    const chosen = firstInOrder(this.groups.entries(), this.first, order, ([, group]) => group.count !== 0);
    // One histogram for every bucket in turn: a statistic by hour over months has thousands of buckets.
    const merged = new DurationHistogram();
    const rows: InterruptionBucketRow[] = [];
    for (const [id, group] of chosen) {
      if (rows.length % perStep === 0) yield;
      rows.push(this.bucketOf(id, group, merged));
    }
    return rows;
  }

  /** A bucket's count and percentiles, exact when each of its interruptions was read, else from its merged histograms. */
  private bucketOf(id: string | number, { count, cells: added = [], counted = [], durations = [], takenBack = [] }: Group, merged: DurationHistogram): InterruptionBucketRow {
    const key = typeof id === 'number' ? this.timeKeyOf(id) : id;
    const cells = counted.length === 0 ? added : [...added];
    for (let i = 0; i < counted.length; i += 3) cells.push([this.readsAgain[counted[i]!]!(counted[i + 1]!, key), counted[i + 2] as 1 | -1]);
    if (cells.length === 0 && takenBack.length === 0) {
      const sorted = Float64Array.from(durations).sort();
      return { key, count, pushDurationP50Ms: nearestRank(sorted, 50), pushDurationP90Ms: nearestRank(sorted, 90) };
    }
    const [only, weight] = cells[0] ?? [];
    if (cells.length === 1 && weight === 1 && durations.length === 0 && takenBack.length === 0 && only!.percentiles !== null) {
      const [p50, p90] = typeof only!.percentiles === 'function' ? only!.percentiles() : only!.percentiles;
      return { key, count, pushDurationP50Ms: p50, pushDurationP90Ms: p90 };
    }
    merged.clear();
    for (const [cell, weight] of cells) {
      if (cell.histogram === null) throw new Error(`bucket ${key} merges a rollup cell read without its histogram`);
      merged.addEncoded(typeof cell.histogram === 'function' ? cell.histogram() : cell.histogram, weight);
    }
    for (const duration of durations) merged.add(duration);
    for (const duration of takenBack) merged.add(duration, -1);
    return { key, count, pushDurationP50Ms: merged.percentile(50), pushDurationP90Ms: merged.percentile(90) };
  }
}

/** Buckets worked out in a step of bucketsInSteps: by node, tens of thousands of buckets each merge histograms. */
const BUCKETS_PER_STEP = 5_000;

/**
 * The first `n` of the items kept, in order: all of them sorted when `n` is not far fewer, else kept sorted as they come
 * (a few answered of tens of thousands: most are compared with the last one kept and go).
 */
export function firstInOrder<T>(items: Iterable<T>, n: number, order: (a: T, b: T) => number, keep: (item: T) => boolean): T[] {
  const kept: T[] = [];
  if (!(n < 1_000)) {
    for (const item of items) if (keep(item)) kept.push(item);
    kept.sort(order);
    if (kept.length > n) kept.length = n;
    return kept;
  }
  for (const item of items) {
    if (!keep(item) || (kept.length === n && order(item, kept[n - 1]!) >= 0)) continue;
    // Where it goes: after every item kept before it, by binary search.
    let [low, high] = [0, kept.length];
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (order(kept[mid]!, item) <= 0) low = mid + 1;
      else high = mid;
    }
    kept.splice(low, 0, item);
    if (kept.length > n) kept.pop();
  }
  return kept;
}

export function interruptionBuckets(grouping: InterruptionGrouping, rows: Iterable<InterruptionFacts>): InterruptionBucketRow[] {
  const tally = new InterruptionTally(grouping);
  for (const row of rows) tally.add(row);
  return tally.buckets();
}
