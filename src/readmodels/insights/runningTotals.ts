// Running totals of the day cells: per key, every interruption before each UTC day, so any number of whole days is two reads.
import { bound } from '../../eventstore/sqlite/boundValue';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { CellHistogram } from './durationHistogram';
import { RecentlyUsed } from './recentlyUsed';
import type { RollupChanges, RollupDimension } from './interruptionRollups';
import type { StatsPlan } from './statsPlan';
import { DAY_MS, type InterruptionTally, type RollupCellRead } from './interruptionStats';

/** The first version of the insights read model whose files hold running totals. */
export const RUNNING_TOTALS_SINCE = 6;

/**
 * Whole days fewer than this are read from their day cells: a running total holds every bucket its key ever had, and a
 * span reads two of them (four where a bound falls on a day without interruptions of the key). By node, where a key has a
 * few interruptions a day, a key's totals are look-ups scattered through the file and its day cells small: tens of
 * thousands of nodes over three days (two of them with interruptions) read 2–2.6 times faster from the cells.
 */
export const RUNNING_SPAN_DAYS: Readonly<Record<RollupDimension, number>> = { ERRCODE: 3, DOMAIN: 3, ALL: 3, NODE: 6 };

type Range = StatsPlan['rolled'][number];

/**
 * The plan's whole days, netted: the day and week ranges read (+1) and taken back (-1) as the spans of days they come to,
 * and the rest (hours) as they were. Ranges that net to anything but once or not at all are all left as they were.
 */
export function wholeDaySpans(plan: Pick<StatsPlan, 'rolled' | 'takenBack'>): { spans: Array<[number, number]>; rest: Pick<StatsPlan, 'rolled' | 'takenBack'> } {
  const days = (range: Range) => range.period === 'DAY' || range.period === 'WEEK';
  const steps = new Map<number, number>();
  const step = (at: number, by: number) => steps.set(at, (steps.get(at) ?? 0) + by);
  for (const range of plan.rolled.filter(days)) [step(range.from, 1), step(range.to, -1)];
  for (const range of plan.takenBack.filter(days)) [step(range.from, -1), step(range.to, 1)];
  const spans: Array<[number, number]> = [];
  let [weight, start] = [0, 0];
  for (const at of [...steps.keys()].sort((a, b) => a - b)) {
    const next = weight + steps.get(at)!;
    if (next < 0 || next > 1) return { spans: [], rest: plan };
    if (weight === 0 && next === 1) start = at;
    else if (weight === 1 && next === 0) spans.push([start, at]);
    weight = next;
  }
  return { spans, rest: { rolled: plan.rolled.filter((range) => !days(range)), takenBack: plan.takenBack.filter((range) => !days(range)) } };
}

const TOTALS = 'insight_interruption_totals';
const DAY_CELL = `SELECT count, histogram FROM insight_interruption_rollups WHERE period = 'DAY' AND dimension = ${bound('?')} AND scope = ${bound('?')} AND start = ${bound('?')} AND key = ${bound('?')}`;
type Stored = [count: number, histogram: Buffer];

/** Keys whose latest total the writer remembers between batches: more than a day's keys of a busy platform. */
export const REMEMBERED_TOTAL_KEYS = 50_000;

/**
 * Keeps the running totals with a batch's changes to the day cells, inside the projection's transaction, after the day cells
 * are written. A key's total before a day is stored for each day it has interruptions (a day without any adds nothing);
 * a change to a day adds to every total after it: in time order, none yet but in a rebuild, a few for late corrections.
 * Where each key's latest total starts is remembered, so that a day already begun, with no total after it (nearly every
 * change, interruptions coming in time order), costs no read; `rolledBack` forgets it all with the batch.
 */
export function runningTotalsWriter(db: ReadModelDatabase) {
  const keyed = `dimension = ${bound('?')} AND scope = ${bound('?')} AND key = ${bound('?')}`;
  const later = db.prepare<unknown[], [start: number, ...Stored]>(`SELECT start, count, histogram FROM ${TOTALS} WHERE ${keyed} AND start > ?`).raw();
  const latest = db.prepare<unknown[], [start: number, ...Stored]>(`SELECT start, count, histogram FROM ${TOTALS} WHERE ${keyed} AND start <= ? ORDER BY start DESC LIMIT 1`).raw();
  const newest = db.prepare<unknown[], number | null>(`SELECT max(start) FROM ${TOTALS} WHERE ${keyed}`).pluck();
  const day = db.prepare<unknown[], Stored>(DAY_CELL).raw();
  const save = db.prepare(
    `INSERT INTO ${TOTALS} (dimension, scope, key, start, count, histogram) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dimension, scope, key, start) DO UPDATE SET count = excluded.count, histogram = excluded.histogram`,
  );
  /** By key, the start of its latest total (null: none). */
  const latestStarts = new RecentlyUsed<number | null>(REMEMBERED_TOTAL_KEYS);
  type DayCell = { dimension: RollupDimension; scope: string; key: string; start: number };
  const idOf = (cell: DayCell) => `${cell.dimension}\u0000${cell.scope}\u0000${cell.key}`;
  const latestStartOf = (cell: DayCell): number | null => {
    const id = idOf(cell);
    const known = latestStarts.get(id);
    const start = known !== undefined ? known : (newest.get(cell.dimension, cell.scope, cell.key) ?? null);
    latestStarts.set(id, start);
    return start;
  };
  return {
    write(changes: RollupChanges): void {
      const days = [...changes.entries()].map(([, change]) => change).filter(({ cell, count, durations }) => cell.period === 'DAY' && (count !== 0 || durations.length > 0));
      for (const { cell, count, durations } of days) {
        const newestStart = latestStartOf(cell);
        if (newestStart === null || newestStart <= cell.start) continue; // no total after this day
        for (const [start, stored, histogram] of later.all(cell.dimension, cell.scope, cell.key, cell.start)) {
          const total = CellHistogram.decode(histogram);
          for (let i = 0; i < durations.length; i += 2) total.add(durations[i]!, durations[i + 1]!);
          save.run(cell.dimension, cell.scope, cell.key, start, stored + count, total.encode());
        }
      }
      // Oldest first: a total made from the one before it finds that one made already.
      days.sort((a, b) => a.cell.start - b.cell.start);
      for (const { cell } of days) {
        const newestStart = latestStartOf(cell);
        if (newestStart === cell.start) continue; // the day has its total already
        // A key without totals has nothing before this day.
        const before = newestStart === null ? undefined : latest.get(cell.dimension, cell.scope, cell.key, cell.start);
        if (before?.[0] === cell.start) continue;
        const total = new CellHistogram();
        let count = 0;
        if (before !== undefined) {
          // The total before the latest day with one, plus that day: no day between them has interruptions of the key.
          const [start, stored, histogram] = before;
          const [dayCount, dayHistogram] = day.get(cell.dimension, cell.scope, start, cell.key) ?? [0, null];
          total.addEncoded(histogram);
          if (dayHistogram !== null) total.addEncoded(dayHistogram);
          count = stored + dayCount;
        }
        save.run(cell.dimension, cell.scope, cell.key, cell.start, count, total.encode());
        if (newestStart === null || cell.start > newestStart) latestStarts.set(idOf(cell), cell.start);
      }
      latestStarts.trim();
    },
    /** What the batch wrote is gone: what was remembered of it too. */
    rolledBack(): void {
      latestStarts.clear();
    },
  };
}

/** Keys a turn of the event loop reads the running totals of: by node, a range can have tens of thousands of keys. */
export const TOTAL_KEYS_PER_SLICE = 2_000;

/**
 * A key's count of interruptions before the start of a UTC day, from the running totals: two look-ups where the key's
 * interruptions would be read one by one (a month of a busy node's runs to tens of thousands).
 */
export function runningCountReader(db: ReadModelDatabase) {
  const latest = db
    .prepare<unknown[], [start: number, count: number]>(
      `SELECT start, count FROM ${TOTALS} WHERE dimension = ${bound('?')} AND scope = ${bound('?')} AND key = ${bound('?')} AND start <= ? ORDER BY start DESC LIMIT 1`,
    )
    .raw();
  const dayCount = db.prepare<unknown[], number>(DAY_CELL.replace('count, histogram', 'count')).pluck();
  /** A key's interruptions before the UTC day from `day`: its latest total at or before it, and that total's own day when it ended by then. */
  return (dimension: RollupDimension, scope: string, key: string, day: number): number => {
    const total = latest.get(dimension, scope, key, day);
    if (total === undefined) return 0;
    const [start, count] = total;
    return start + DAY_MS <= day ? count + (dayCount.get(dimension, scope, start, key) ?? 0) : count;
  };
}

/**
 * Adds the interruptions of whole days to a tally from the running totals: before the span's end, less those before its
 * start. A slice of keys at a time: the generator yields between slices (resumed in a later turn, in the same read).
 */
export function runningTotalsReader(db: ReadModelDatabase, keysPerSlice = TOTAL_KEYS_PER_SLICE) {
  // Per key, the latest day with a total at or before each bound (null: none before the span's start, nothing to take out).
  // The keys one step each along the primary key (a skip-scan) from the first after `@after`, `@slice` of them, and each
  // bound one more: not every day of every key.
  const keyed = `${TOTALS} WHERE dimension = ${bound('@dimension')} AND scope = ${bound('@scope')}`;
  const latestAt = (bound: string) => `(SELECT max(start) FROM ${keyed} AND key = keys.key AND start <= @${bound})`;
  const boundsFrom = (first: string) =>
    db
      .prepare<[{ dimension: RollupDimension; scope: string; from: number; to: number; after: string; slice: number }], [key: string, atFrom: number | null, atTo: number | null]>(
        `WITH RECURSIVE keys (key, n) AS (SELECT (SELECT min(key) FROM ${keyed} AND key ${first} @after), 1
           UNION ALL SELECT (SELECT min(key) FROM ${keyed} AND key > keys.key), n + 1 FROM keys WHERE key IS NOT NULL AND n < @slice)
         SELECT key, ${latestAt('from')}, ${latestAt('to')} FROM keys WHERE key IS NOT NULL`,
      )
      .raw();
  // The first slice from the smallest key ('' included), each next one after the last key read.
  const [firstBounds, nextBounds] = [boundsFrom('>='), boundsFrom('>')];
  const TOTAL_AT = `SELECT count, histogram FROM ${TOTALS} WHERE dimension = ${bound('?')} AND scope = ${bound('?')} AND key = ${bound('?')} AND start = ${bound('?')}`;
  // Each as stored, and its count alone, with what reads its histogram later (see InterruptionTally.histogramsLater).
  const both = (sql: string) => db.prepare<unknown[], Stored>(sql).raw();
  const one = <T>(sql: string, column: 'count' | 'histogram') => db.prepare<unknown[], T>(sql.replace('count, histogram', column)).pluck();
  const [totalAt, totalCountAt, totalHistogramAt] = [both(TOTAL_AT), one<number>(TOTAL_AT, 'count'), one<Buffer>(TOTAL_AT, 'histogram')] as const;
  const [day, dayCount, dayHistogram] = [both(DAY_CELL), one<number>(DAY_CELL, 'count'), one<Buffer>(DAY_CELL, 'histogram')] as const;
  return function* readTotals(
    tally: InterruptionTally,
    dimension: RollupDimension,
    scope: string,
    [from, to]: [number, number],
    bucketOf: (key: string) => string,
  ): Generator<void, void> {
    const later = tally.histogramsLater;
    const add = (start: number, key: string, count: number | undefined, histogram: RollupCellRead['histogram'], weight: 1 | -1) => {
      if (count !== undefined) tally.addCell(start, bucketOf(key), { count, histogram, percentiles: null }, weight);
    };
    /** The key's interruptions before `at`: the latest total at or before it, and that total's day when it ends by then. */
    const before = (key: string, start: number, at: number, weight: 1 | -1) => {
      const total = [dimension, scope, key, start];
      const dayCell = start + DAY_MS <= at ? [dimension, scope, start, key] : null;
      if (later) {
        add(start, key, totalCountAt.get(total), () => totalHistogramAt.get(total)!, weight);
        if (dayCell !== null) add(start, key, dayCount.get(dayCell), () => dayHistogram.get(dayCell)!, weight);
        return;
      }
      for (const cell of [totalAt.get(total), dayCell === null ? undefined : day.get(dayCell)]) add(start, key, cell?.[0], cell?.[1] ?? null, weight);
    };
    let after: string | null = null;
    for (;;) {
      const keys: Array<[key: string, atFrom: number | null, atTo: number | null]> = (after === null ? firstBounds : nextBounds).all({ dimension, scope, from, to, after: after ?? '', slice: keysPerSlice });
      for (const [key, atFrom, atTo] of keys) {
        if (atTo === null) continue;
        before(key, atTo, to, 1);
        if (atFrom !== null) before(key, atFrom, from, -1);
      }
      if (keys.length < keysPerSlice) return;
      after = keys[keys.length - 1]![0];
      yield;
    }
  };
}
