// Five-minute, hourly and daily rollups of interruptions (weekly in older files): the cells each one counts in, a batch's net changes to them, and their reads.
import { limitBy } from '../../eventstore/sqlite/boundLimit';
import { bound } from '../../eventstore/sqlite/boundValue';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { CellHistogram } from './durationHistogram';
import { interruptionRollupsTable } from './insights.table';
import { RecentlyUsed } from './recentlyUsed';
import { RUNNING_SPAN_DAYS, runningTotalsReader, TOTAL_KEYS_PER_SLICE, wholeDaySpans } from './runningTotals';
import type { StatsPlan } from './statsPlan';
import { DAY_MS, HOUR_MS, interruptionKey, type InterruptionFacts, type InterruptionGrouping, type InterruptionTally } from './interruptionStats';

export type RollupPeriod = 'FIVE_MINUTES' | 'HOUR' | 'DAY' | 'WEEK';
/** ERRCODE, NODE and DOMAIN cells are keyed as those groupings key their buckets; ALL cells (key '') count every interruption. */
export type RollupDimension = 'ERRCODE' | 'NODE' | 'DOMAIN' | 'ALL';

/**
 * The versions of the insights read model whose files hold week cells: from 4, and until running totals (version 6) made
 * them unread (any whole days of a grouping by key are read from the totals); version 7 no longer writes them.
 */
export const WEEK_CELLS_SINCE = 4;
export const WEEK_CELLS_UNTIL = 7;
/** The first version whose files hold five-minute cells. */
export const FIVE_MINUTE_CELLS_SINCE = 7;

/** Which periods shorter than an hour or longer than a day a file holds cells of (by its version). */
export interface RollupCells {
  weeks: boolean;
  fiveMinutes: boolean;
}
/** The cells of this version's files. */
export const CURRENT_CELLS: RollupCells = { weeks: false, fiveMinutes: true };

/** The scope of the cells over every domain; a domain is never empty (CSS's empty fields read as absent). */
export const EVERY_DOMAIN = '';

interface Cell {
  period: RollupPeriod;
  dimension: RollupDimension;
  scope: string;
  start: number;
  key: string;
}

const FIVE_MINUTES_MS = 5 * 60_000;
const WEEK_MS = 7 * DAY_MS;
/** UTC weeks begin on Monday: the epoch fell on a Thursday, so Mondays lie 4 days past a multiple of a week. */
const WEEK_OFFSET_MS = 4 * DAY_MS;

/** Each period's length and where its periods begin (ms past a multiple of the length); each nests in the next. */
export const PERIODS: ReadonlyArray<[RollupPeriod, number, number]> = [
  ['FIVE_MINUTES', FIVE_MINUTES_MS, 0],
  ['HOUR', HOUR_MS, 0],
  ['DAY', DAY_MS, 0],
  ['WEEK', WEEK_MS, WEEK_OFFSET_MS],
];

/** The start of the period holding `at`, or (`up`) of the first period starting at or after it. */
export const periodStart = ([, unit, offset]: (typeof PERIODS)[number], at: number, up = false) =>
  (up ? Math.ceil((at - offset) / unit) : Math.floor((at - offset) / unit)) * unit + offset;

/**
 * Every cell an interruption counts in. Over every domain: by errcode, node, domain, and all, by hour and day, and all but
 * by node by five minutes. Over its own domain: all, by five minutes, hour and day, and by errcode and by node by day only
 * (by hour, many domains times many nodes would make about a cell per interruption; the partial days of a range read that
 * domain's interruptions instead). Nodes are too many for five-minute cells: they would count one each. No week cells:
 * whole days in a row are read from the running totals.
 */
export function rollupCells(facts: InterruptionFacts): Cell[] {
  const domain = facts[3];
  const keys: Array<[RollupDimension, string]> = [
    ['ERRCODE', interruptionKey('ERRCODE', facts)],
    ['NODE', interruptionKey('NODE', facts)],
    ['ALL', ''],
  ];
  const cells: Cell[] = [];
  for (const length of PERIODS) {
    const [period] = length;
    if (period === 'WEEK') continue;
    const start = periodStart(length, facts[0]);
    const short = period === 'FIVE_MINUTES' || period === 'HOUR';
    for (const [dimension, key] of keys) {
      if (period === 'FIVE_MINUTES' && dimension === 'NODE') continue;
      cells.push({ period, dimension, scope: EVERY_DOMAIN, start, key });
      if (domain !== null && (!short || dimension === 'ALL')) cells.push({ period, dimension, scope: domain, start, key });
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

  /** Each changed cell by its id. */
  entries() {
    return this.cells.entries();
  }
}

/** A cell as stored: its count and its durations. */
interface CellValue {
  count: number;
  histogram: CellHistogram;
}

/** Whether a cell's changes only count interruptions in (every duration's weight 1), as a new cell's must. */
function onlyAdded(count: number, durations: readonly number[]): boolean {
  if (count <= 0) return false;
  for (let i = 1; i < durations.length; i += 2) if (durations[i]! < 0) return false;
  return true;
}

/**
 * Of each hour, the cells by node its latest changes wrote are listed for this many changes, in the hours up to this many
 * before the latest one written to: the hours still being written to, whose readers would otherwise read every cell again.
 */
export const [NODE_CELL_CHANGES_KEPT, NODE_CELL_CHANGE_HOURS] = [200, 2];

/** Cells kept decoded between batches: the five-minute, hour and day cells of the last few hours' interruptions fit several times over. */
export const CACHED_ROLLUP_CELLS = 2048;

/**
 * Writes a batch's changes, inside the projection's transaction: each cell read, changed and written once; emptied ones go.
 * The cells written lately stay decoded in memory, so a cell the next batches change again is neither read nor decoded
 * again. They are changed in place as the batch is written, so what a rolled-back transaction wrote must be forgotten:
 * `rolledBack` drops them all.
 */
export function rollupWriter(db: ReadModelDatabase) {
  const where = `period = ${bound('?')} AND dimension = ${bound('?')} AND scope = ${bound('?')} AND start = ${bound('?')} AND key = ${bound('?')}`;
  const read = db.prepare<unknown[], { count: number; histogram: Buffer }>(`SELECT count, histogram FROM insight_interruption_rollups WHERE ${where}`);
  const remove = db.prepare(`DELETE FROM insight_interruption_rollups WHERE ${where}`);
  const insert = 'INSERT INTO insight_interruption_rollups (period, dimension, scope, start, key, count, p50_ms, p90_ms, histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ';
  const write = db.prepare(
    `${insert} ON CONFLICT (period, dimension, scope, start, key) DO UPDATE SET count = excluded.count, p50_ms = excluded.p50_ms, p90_ms = excluded.p90_ms, histogram = excluded.histogram`,
  );
  const insertNew = db.prepare(`${insert} ON CONFLICT (period, dimension, scope, start, key) DO NOTHING`);
  /** What a cell stores after its key. */
  const stored = ({ count, histogram }: CellValue) => [count, histogram.percentile(50), histogram.percentile(90), histogram.encode()] as const;
  // The hour and day cells of every interruption are also kept without their histograms, apart (see rollupSummariesTable).
  const summarise = db.prepare(
    'INSERT INTO insight_rollup_summaries (period, scope, start, count, p50_ms, p90_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (period, scope, start) DO UPDATE SET count = excluded.count, p50_ms = excluded.p50_ms, p90_ms = excluded.p90_ms',
  );
  const unsummarise = db.prepare('DELETE FROM insight_rollup_summaries WHERE period = ? AND scope = ? AND start = ?');
  // What readers keep of an hour's node cells in memory is read again once this has moved, the cells of its latest
  // changes alone where they are still listed (nodeHourCounts.ts).
  const nodeHourChanged = db
    .prepare<[number], number>(
      'INSERT INTO insight_node_hour_changes (start, changes) VALUES (?, 1) ON CONFLICT (start) DO UPDATE SET changes = changes + 1 RETURNING changes',
    )
    .pluck();
  const nodeCellsChanged = db.prepare<[number, number, string]>('INSERT INTO insight_node_cell_changes (start, changes, keys) VALUES (?, ?, ?)');
  const forgetCellChanges = db.prepare<[number, number]>('DELETE FROM insight_node_cell_changes WHERE start = ? AND changes <= ?');
  const forgetHoursBefore = db.prepare<[number]>('DELETE FROM insight_node_cell_changes WHERE start < ?');
  const summarised = ({ cell, row }: { cell: Cell; row: ReturnType<typeof stored> | null }) => {
    if (cell.dimension !== 'ALL' || !(cell.period === 'HOUR' || cell.period === 'DAY')) return;
    if (row === null) unsummarise.run(cell.period, cell.scope, cell.start);
    else summarise.run(cell.period, cell.scope, cell.start, row[0], row[1], row[2]);
  };
  // By cell id.
  const cached = new RecentlyUsed<CellValue>(CACHED_ROLLUP_CELLS);
  const decoded = (key: unknown[]): CellValue => {
    const row = read.get(key);
    return { count: row?.count ?? 0, histogram: row === undefined ? new CellHistogram() : CellHistogram.decode(row.histogram) };
  };
  return {
    write(changes: RollupChanges): void {
      // The keys of the node cells written, by hour.
      const nodeHours = new Map<number, string[]>();
      for (const [id, { cell, count, durations }] of changes.entries()) {
        if (count === 0 && durations.length === 0) continue;
        if (cell.period === 'HOUR' && cell.dimension === 'NODE' && cell.scope === EVERY_DOMAIN) {
          const keys = nodeHours.get(cell.start) ?? nodeHours.set(cell.start, []).get(cell.start)!;
          keys.push(cell.key);
        }
        const key = [cell.period, cell.dimension, cell.scope, cell.start, cell.key];
        let value = cached.get(id);
        if (value === undefined && onlyAdded(count, durations)) {
          // Most cells an interruption counts in are new (a node's or a domain's hour): written without being read first.
          // Only when the batch takes nothing back from the cell: one it does must hold what it takes back, so is read.
          const fresh = { count, histogram: new CellHistogram() };
          for (let i = 0; i < durations.length; i += 2) fresh.histogram.add(durations[i]!, durations[i + 1]!);
          const row = stored(fresh);
          if (insertNew.run([...key, ...row]).changes === 1) {
            summarised({ cell, row });
            cached.set(id, fresh);
            continue;
          }
        }
        value ??= decoded(key);
        for (let i = 0; i < durations.length; i += 2) value.histogram.add(durations[i]!, durations[i + 1]!);
        value.count += count;
        const row = value.count === 0 ? null : stored(value);
        if (row === null) remove.run(key);
        else write.run([...key, ...row]);
        summarised({ cell, row });
        cached.set(id, value);
      }
      let latest = Number.NEGATIVE_INFINITY;
      for (const [start, keys] of nodeHours) {
        const changed = nodeHourChanged.get(start)!;
        nodeCellsChanged.run(start, changed, JSON.stringify(keys));
        forgetCellChanges.run(start, changed - NODE_CELL_CHANGES_KEPT);
        latest = Math.max(latest, start);
      }
      if (nodeHours.size > 0) forgetHoursBefore.run(latest - NODE_CELL_CHANGE_HOURS * HOUR_MS);
      cached.trim();
    },
    rolledBack(): void {
      cached.clear();
    },
  };
}

/** Cells read in a turn: with their histograms, about 15 ms. */
export const CELLS_PER_SLICE = 4_000;

/** The length of the periods a grouping by time buckets by. */
const bucketPeriod = (grouping: InterruptionGrouping): RollupPeriod | null => (grouping === 'HOUR' ? 'HOUR' : grouping === 'DAY' ? 'DAY' : null);

/** Pages of rows in keyset order, the first read by `first`, each next one by `after` the last row read; done at a short page. */
function* paged<Row>(perPage: number, first: () => Row[], after: (last: Row) => Row[]): Generator<Row[], void> {
  for (let rows = first(); ; rows = after(rows[rows.length - 1]!)) {
    yield rows;
    if (rows.length < perPage) return;
  }
}

/**
 * The node cells of [from, to) as [start, count, key], `perPage` at a time, along the index of the node cells by count
 * (version 14), which holds all three: not the cells' rows, whose histograms make them many times larger.
 */
function nodeCountPages(db: ReadModelDatabase, perPage: number) {
  type CountRow = [start: number, count: number, key: string];
  const page = (cellsFrom: string) =>
    db
      .prepare<unknown[], CountRow>(
        `SELECT start, count, key FROM insight_interruption_rollups WHERE dimension = 'NODE' AND period = ${bound('?')} AND scope = ${bound('?')} AND ${cellsFrom} AND start < ? ` +
          `ORDER BY start, count, key ${limitBy('?')}`,
      )
      .raw();
  const [first, next] = [page('start >= ?'), page('(start, count, key) > (?, ?, ?)')];
  return (period: RollupPeriod, scope: string, from: number, to: number): Generator<CountRow[], void> =>
    paged(perPage, () => first.all(period, scope, from, to, perPage), (last) => next.all(period, scope, ...last, to, perPage));
}

/**
 * Adds the cells of the plan's whole periods to the tally. In a file whose cells keep their percentiles, a cell that is
 * its bucket alone (an hour grouped by hour, a day by day, none of it taken back) is read without its histogram. By node
 * with `first`, in a file that indexes the node cells by count, only each cell's count is read until the nodes answered
 * read the rest. In one with running totals, grouped by anything but time, spans of several whole days are read from
 * those instead.
 */
export function rollupReader(
  db: ReadModelDatabase,
  { runningTotals = false, summaries = false, totalKeysPerSlice = TOTAL_KEYS_PER_SLICE, cellsPerSlice = CELLS_PER_SLICE } = {},
) {
  const hasPercentiles = interruptionRollupsTable.hasColumn(db, 'p90Ms');
  const cellWhere = `WHERE period = ${bound('?')} AND dimension = ${bound('?')} AND scope = ${bound('?')} AND start = ${bound('?')} AND key = ${bound('?')}`;
  const percentiles = hasPercentiles ? 'p50_ms, p90_ms' : 'NULL, NULL';
  type CellRow = [start: number, key: string, count: number, p50: number | null, p90: number | null, histogram: Buffer | null];
  // A page of cells in key order, the first from `from`, the next after the last one read.
  const prepare = (histogram: string, cellsFrom: string) =>
    db
      .prepare<[RollupPeriod, RollupDimension, string, number, string, number, number], CellRow>(
        `SELECT start, key, count, ${percentiles}, ${histogram} FROM insight_interruption_rollups ` +
          `WHERE period = ${bound('?')} AND dimension = ${bound('?')} AND scope = ${bound('?')} AND ${cellsFrom} AND start < ? ORDER BY start, key ${limitBy('?')}`,
      )
      .raw();
  const pagesOf = (histogram: string) => ({ first: prepare(histogram, '(start, key) >= (?, ?)'), next: prepare(histogram, '(start, key) > (?, ?)') });
  const cells = pagesOf('histogram');
  const aloneCells = pagesOf('NULL');
  /** The cells of [from, to), `cellsPerSlice` at a time: a day by node holds one for each node. */
  const cellPages = (pages: typeof cells, period: RollupPeriod, dimension: RollupDimension, scope: string, from: number, to: number): Generator<CellRow[], void> =>
    paged(
      cellsPerSlice,
      () => pages.first.all(period, dimension, scope, from, '', to, cellsPerSlice),
      ([start, key]) => pages.next.all(period, dimension, scope, start, key, to, cellsPerSlice),
    );
  const histogramOf = db.prepare<[RollupPeriod, RollupDimension, string, number, string], Buffer>(`SELECT histogram FROM insight_interruption_rollups ${cellWhere}`).pluck();
  const percentilesOf = db.prepare<[RollupPeriod, RollupDimension, string, number, string], [number | null, number | null]>(`SELECT ${percentiles} FROM insight_interruption_rollups ${cellWhere}`).raw();
  const nodeCounts = interruptionRollupsTable.hasIndex(db, 'insight_node_cells_by_count') ? nodeCountPages(db, cellsPerSlice) : null;
  // Those kept apart (version 6) are read in order from a small table, not a row of the rollups each.
  const aloneSummaries = summaries
    ? db.prepare<[RollupPeriod, string, number, number], CellRow>("SELECT start, '', count, p50_ms, p90_ms, NULL FROM insight_rollup_summaries WHERE period = ? AND scope = ? AND start >= ? AND start < ?").raw()
    : null;
  const readTotals = runningTotals ? runningTotalsReader(db, totalKeysPerSlice) : null;
  type Plan = Pick<StatsPlan, 'rolled' | 'takenBack'> & { scannedBack?: Array<[number, number]> };
  /** Adds the plan's cells to the tally; yields between steps (the running totals' slices of keys, each range of cells). */
  return function* readRollups(tally: InterruptionTally, grouping: InterruptionGrouping, plan: Plan, domain: string | null): Generator<void, void> {
    const scope = domain ?? EVERY_DOMAIN;
    // By domain within one domain, its own ALL cells are the one bucket.
    const dimension: RollupDimension =
      grouping === 'ERRCODE' || grouping === 'NODE' ? grouping : grouping === 'DOMAIN' && domain === null ? 'DOMAIN' : 'ALL';
    // What is taken back shares a bucket with the cells around it.
    const cutOut = [...plan.takenBack, ...(plan.scannedBack ?? []).map(([from, to]) => ({ from, to }))];
    const bucketOf = (key: string) => (dimension === 'ALL' && grouping === 'DOMAIN' ? scope : key);
    const alone = (period: RollupPeriod, from: number, to: number) =>
      hasPercentiles && period === bucketPeriod(grouping) && !cutOut.some((back) => back.from < to && from < back.to);
    let { rolled, takenBack } = plan;
    if (readTotals !== null && bucketPeriod(grouping) === null) {
      const { spans, rest } = wholeDaySpans(plan);
      ({ rolled, takenBack } = rest);
      for (const [from, to] of spans) {
        if (to - from >= RUNNING_SPAN_DAYS[dimension] * DAY_MS) yield* readTotals(tally, dimension, scope, [from, to], bucketOf);
        else rolled = [...rolled, { period: 'DAY', from, to }];
      }
    }
    for (const [ranges, weight] of [[rolled, 1], [takenBack, -1]] as const) {
      for (const { period, from, to } of ranges) {
        // Alone, the bucket is an hour or a day of every interruption (dimension ALL).
        const isAlone = weight === 1 && alone(period, from, to);
        const later = !isAlone && tally.histogramsLater;
        if (later && dimension === 'NODE' && nodeCounts !== null) {
          // Each node's count from the index of the node cells by count; the rest of a cell is read only for the nodes answered.
          const add = tally.cellsCounted((start, key) => ({
            histogram: () => histogramOf.get(period, dimension, scope, start, key)!,
            percentiles: hasPercentiles ? () => percentilesOf.get(period, dimension, scope, start, key)! : null,
          }));
          for (const rows of nodeCounts(period, scope, from, to)) {
            for (const [start, count, key] of rows) add(start, key, count, weight);
            yield;
          }
          continue;
        }
        const pages = isAlone && aloneSummaries !== null ? [aloneSummaries.all(period, scope, from, to)] : cellPages(isAlone || later ? aloneCells : cells, period, dimension, scope, from, to);
        for (const rows of pages) {
          for (const [start, key, count, p50, p90, stored] of rows) {
            const histogram = later ? () => histogramOf.get(period, dimension, scope, start, key)! : stored;
            const cell = { count, histogram, percentiles: hasPercentiles ? ([p50, p90] as const) : null };
            tally.addCell(start, bucketOf(key), cell, weight);
          }
          yield;
        }
      }
    }
  };
}
