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
 * Every cell an interruption counts in. Over every domain: by errcode, node, domain, and all, by hour and by day. Over its own
 * domain: all, by hour and by day, and by errcode and by node by day only (by hour, many domains times many nodes would
 * make about a cell per interruption; the partial days of a range read that domain's interruptions instead).
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
      if (domain !== null && (period === 'DAY' || dimension === 'ALL')) cells.push({ period, dimension, scope: domain, start, key });
    }
    cells.push({ period, dimension: 'DOMAIN', scope: EVERY_DOMAIN, start, key: interruptionKey('DOMAIN', facts) });
  }
  return cells;
}

/** A batch's changes to the rollups, gathered per cell: an interruption counted, or one taken back when its session changed. */
export class RollupChanges {
  /** Per cell, the net count and each duration with its weight, in pairs. */
  private readonly cells = new Map<string, { cell: Cell; count: number; durations: number[] }>();

  add(facts: InterruptionFacts, weight: 1 | -1): void {
    for (const cell of rollupCells(facts)) {
      const id = `${cell.period}\u0000${cell.dimension}\u0000${cell.scope}\u0000${cell.start}\u0000${cell.key}`;
      let change = this.cells.get(id);
      if (change === undefined) this.cells.set(id, (change = { cell, count: 0, durations: [] }));
      change.count += weight;
      if (facts[5] !== null) change.durations.push(facts[5], weight);
    }
  }

  /** Moves a session's interruption from the cells of what it was to those of what it is (either may be none). */
  move(was: InterruptionFacts | null, is: InterruptionFacts | null): void {
    if (was !== null && is !== null && was.every((fact, i) => fact === is[i])) return;
    if (was !== null) this.add(was, -1);
    if (is !== null) this.add(is, 1);
  }

  values() {
    return this.cells.values();
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
  // One histogram for every cell in turn: its arrays grow once to the span of the durations seen, then are reused.
  const histogram = new DurationHistogram();
  return (changes) => {
    for (const { cell, count, durations } of changes.values()) {
      if (count === 0 && durations.length === 0) continue;
      const key = [cell.period, cell.dimension, cell.scope, cell.start, cell.key];
      const stored = read.get(key);
      histogram.clear();
      if (stored !== undefined) histogram.addEncoded(stored.histogram);
      for (let i = 0; i < durations.length; i += 2) histogram.add(durations[i]!, durations[i + 1]!);
      const total = count + (stored?.count ?? 0);
      if (total === 0) remove.run(key);
      else write.run([...key, total, histogram.encode()]);
    }
  };
}

export interface StatsPlan {
  /** Ranges whose interruptions are read one by one. */
  scanned: Array<[number, number]>;
  /** Ranges of whole periods read from the rollups. */
  rolled: Array<{ period: RollupPeriod; from: number; to: number }>;
}

const nonEmpty = <T extends { from: number; to: number }>(ranges: T[]) => ranges.filter((r) => r.from < r.to);

/**
 * How [from, to) is answered: whole days from the day cells (unless grouped by hour), whole hours from the hour cells, and
 * the partial hours at the two ends from the interruptions; by errcode or node within one domain, which has no hour cells,
 * the partial days at the two ends from that domain's interruptions.
 */
export function statsPlan(from: number, to: number, grouping: InterruptionGrouping, domain: string | null): StatsPlan {
  const [firstHour, lastHour] = [Math.ceil(from / HOUR_MS) * HOUR_MS, Math.floor(to / HOUR_MS) * HOUR_MS];
  const [firstDay, lastDay] = [Math.ceil(firstHour / DAY_MS) * DAY_MS, Math.floor(lastHour / DAY_MS) * DAY_MS];
  const hourCells = domain === null || !(grouping === 'ERRCODE' || grouping === 'NODE');
  const days = grouping !== 'HOUR' && firstDay < lastDay;
  // What the rollups answer: [rolledFrom, rolledTo), whole hours or (without hour cells) whole days.
  const [rolledFrom, rolledTo] = hourCells ? [firstHour, lastHour] : days ? [firstDay, lastDay] : [to, to];
  if (rolledFrom >= rolledTo) return { scanned: [[from, to]], rolled: [] };
  const rolled: StatsPlan['rolled'] = days
    ? [{ period: 'HOUR', from: rolledFrom, to: firstDay }, { period: 'DAY', from: firstDay, to: lastDay }, { period: 'HOUR', from: lastDay, to: rolledTo }]
    : [{ period: 'HOUR', from: rolledFrom, to: rolledTo }];
  return {
    scanned: nonEmpty([{ from, to: rolledFrom }, { from: rolledTo, to }]).map((r) => [r.from, r.to]),
    rolled: nonEmpty(rolled),
  };
}

/** Adds the cells of the plan's whole periods to the tally. */
export function rollupReader(db: ReadModelDatabase) {
  const cells = db
    .prepare<[RollupPeriod, RollupDimension, string, number, number], [number, string, number, Buffer]>(
      'SELECT start, key, count, histogram FROM insight_interruption_rollups WHERE period = ? AND dimension = ? AND scope = ? AND start >= ? AND start < ?',
    )
    .raw();
  return (tally: InterruptionTally, grouping: InterruptionGrouping, rolled: StatsPlan['rolled'], domain: string | null): void => {
    const scope = domain ?? EVERY_DOMAIN;
    // By domain within one domain, its own ALL cells are the one bucket.
    const dimension: RollupDimension =
      grouping === 'ERRCODE' || grouping === 'NODE' ? grouping : grouping === 'DOMAIN' && domain === null ? 'DOMAIN' : 'ALL';
    for (const { period, from, to } of rolled) {
      for (const [start, key, count, histogram] of cells.all(period, dimension, scope, from, to)) {
        tally.addCell(start, dimension === 'ALL' && grouping === 'DOMAIN' ? scope : key, count, histogram);
      }
    }
  };
}
