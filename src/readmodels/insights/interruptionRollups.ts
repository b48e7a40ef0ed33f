// Hourly and daily rollups of interruptions: the cells each one counts in, a batch's net changes to them, and their reads.
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { DurationHistogram } from './durationHistogram';
import { DAY_MS, HOUR_MS, interruptionKey, type InterruptionFacts, type InterruptionGrouping, type InterruptionTally } from './interruptionStats';

export type RollupPeriod = 'HOUR' | 'DAY';
/** ERRCODE, NODE and DOMAIN cells are keyed as those groupings key their buckets; ALL cells (key '') count every interruption. */
export type RollupDimension = 'ERRCODE' | 'NODE' | 'DOMAIN' | 'ALL';

/** The scope of the cells over every domain; a domain is never empty (CSS's empty fields read as absent). */
export const EVERY_DOMAIN = '';

interface Cell {
  period: RollupPeriod;
  dimension: RollupDimension;
  scope: string;
  start: number;
  key: string;
}

const PERIODS: ReadonlyArray<[RollupPeriod, number]> = [
  ['HOUR', HOUR_MS],
  ['DAY', DAY_MS],
];

/**
 * Every cell an interruption counts in: by hour and by day, over every domain (by errcode, node, domain, and all) and over
 * its own domain (by errcode, node, and all): each grouping, with or without a domain, then reads one dimension of one scope.
 */
export function rollupCells(facts: InterruptionFacts): Cell[] {
  const domain = facts[3];
  const keys: Array<[RollupDimension, string]> = [
    ['ERRCODE', interruptionKey('ERRCODE', facts)],
    ['NODE', interruptionKey('NODE', facts)],
    ['ALL', ''],
  ];
  const cells: Cell[] = [];
  for (const [period, unit] of PERIODS) {
    const start = Math.floor(facts[0] / unit) * unit;
    for (const [dimension, key] of keys) {
      cells.push({ period, dimension, scope: EVERY_DOMAIN, start, key });
      if (domain !== null) cells.push({ period, dimension, scope: domain, start, key });
    }
    cells.push({ period, dimension: 'DOMAIN', scope: EVERY_DOMAIN, start, key: interruptionKey('DOMAIN', facts) });
  }
  return cells;
}

/** A batch's changes to the rollups, netted per cell: an interruption counted, or one taken back when its session changed. */
export class RollupChanges {
  private readonly cells = new Map<string, { cell: Cell; count: number; histogram: DurationHistogram }>();

  add(facts: InterruptionFacts, weight: 1 | -1): void {
    for (const cell of rollupCells(facts)) {
      const id = `${cell.period}\u0000${cell.dimension}\u0000${cell.scope}\u0000${cell.start}\u0000${cell.key}`;
      let change = this.cells.get(id);
      if (change === undefined) this.cells.set(id, (change = { cell, count: 0, histogram: new DurationHistogram() }));
      change.count += weight;
      if (facts[5] !== null) change.histogram.add(facts[5], weight);
    }
  }

  /** The cells whose count or histogram changed, with the change. */
  *changed(): Generator<{ cell: Cell; count: number; histogram: DurationHistogram }> {
    for (const change of this.cells.values()) {
      let moved = change.count !== 0;
      change.histogram.forEachBucket(() => (moved = true));
      if (moved) yield change;
    }
  }
}

/** Writes a batch's changes, inside the projection's transaction: each cell read, changed and written once; emptied ones go. */
export function rollupWriter(db: ReadModelDatabase): (changes: RollupChanges) => void {
  const where = 'period = ? AND dimension = ? AND scope = ? AND start = ? AND key = ?';
  const read = db.prepare<unknown[], { count: number; histogram: Buffer }>(`SELECT count, histogram FROM insight_interruption_rollups WHERE ${where}`);
  const remove = db.prepare(`DELETE FROM insight_interruption_rollups WHERE ${where}`);
  const write = db.prepare(
    'INSERT INTO insight_interruption_rollups (period, dimension, scope, start, key, count, histogram) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (period, dimension, scope, start, key) DO UPDATE SET count = excluded.count, histogram = excluded.histogram',
  );
  return (changes) => {
    for (const { cell, count, histogram } of changes.changed()) {
      const key = [cell.period, cell.dimension, cell.scope, cell.start, cell.key];
      const stored = read.get(key);
      if (stored !== undefined) histogram.addEncoded(stored.histogram);
      const total = count + (stored?.count ?? 0);
      if (total === 0) remove.run(key);
      else write.run([...key, total, histogram.encode()]);
    }
  };
}

/** Where the rollups answer for [from, to): whole hours between the two partial ones, which the interruptions answer. */
export function rollupSpan(from: number, to: number): { scanned: Array<[number, number]>; rolled: [number, number] | null } {
  const first = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const last = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (first >= last) return { scanned: [[from, to]], rolled: null };
  return { scanned: [[from, first], [last, to]].filter(([a, b]) => a! < b!) as Array<[number, number]>, rolled: [first, last] };
}

/** Adds the cells of whole hours [from, to) to the tally: whole days from the day cells unless grouped by hour. */
export function rollupReader(db: ReadModelDatabase) {
  const cells = db
    .prepare<[RollupPeriod, RollupDimension, string, number, number], [number, string, number, Buffer]>(
      'SELECT start, key, count, histogram FROM insight_interruption_rollups WHERE period = ? AND dimension = ? AND scope = ? AND start >= ? AND start < ?',
    )
    .raw();
  return (tally: InterruptionTally, grouping: InterruptionGrouping, from: number, to: number, domain: string | null): void => {
    const scope = domain ?? EVERY_DOMAIN;
    // By domain within one domain, its own ALL cells are the one bucket.
    const dimension: RollupDimension =
      grouping === 'ERRCODE' || grouping === 'NODE' ? grouping : grouping === 'DOMAIN' && domain === null ? 'DOMAIN' : 'ALL';
    const read = (period: RollupPeriod, a: number, b: number) => {
      if (a >= b) return;
      for (const [start, key, count, histogram] of cells.iterate(period, dimension, scope, a, b)) {
        tally.addCell(start, dimension === 'ALL' && grouping === 'DOMAIN' ? scope : key, count, histogram);
      }
    };
    const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
    const lastDay = Math.floor(to / DAY_MS) * DAY_MS;
    if (grouping === 'HOUR' || firstDay >= lastDay) return read('HOUR', from, to);
    read('HOUR', from, firstDay);
    read('DAY', firstDay, lastDay);
    read('HOUR', lastDay, to);
  };
}
