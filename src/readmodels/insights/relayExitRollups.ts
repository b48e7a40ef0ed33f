// Relay exits counted by exit code per UTC five minutes, hour and day: exit statistics over a range read the cells of its whole periods and the exits themselves only at its two ends.
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { relayExitRollupsTable } from './insights.table';
import { PERIODS, periodStart } from './interruptionRollups';
import { planOverPeriods, type StatsPlan } from './statsPlan';

/** No week cells: whole days in a row are few enough (a year is 365 a code), and a week cannot be split into days. */
const EXIT_PERIODS = PERIODS.filter(([period]) => period !== 'WEEK');

/** An exit code as a cell's key ('' for an exit without one), and back. */
const keyOf = (code: number | null): string => (code === null ? '' : String(code));
const codeOf = (key: string): number | null => (key === '' ? null : Number(key));
/** As SQLite orders them: none first, then by value. */
const byCode = (x: number | null, y: number | null): number => (x === y ? 0 : x === null ? -1 : y === null ? 1 : x - y);

export interface RelayExitBucketRow {
  exitCode: number | null;
  count: number;
}

/** Counts a stored exit in its cells. A TaskExit is stored once (by event id), and never moves: cells only grow. */
export function relayExitCounter(db: ReadModelDatabase): (exitCode: number | null, exitedAt: number) => void {
  const add = db.prepare<[string, number, string]>(
    'INSERT INTO insight_relay_exit_rollups (period, start, code, count) VALUES (?, ?, ?, 1) ON CONFLICT (period, start, code) DO UPDATE SET count = count + 1',
  );
  return (exitCode, exitedAt) => {
    for (const period of EXIT_PERIODS) add.run(period[0], periodStart(period, exitedAt), keyOf(exitCode));
  };
}

/**
 * TaskExits in [from, to) (ms) by exit code, most frequent first (then by code, none first): whole days, hours and five
 * minutes from their cells, the partial five minutes at the ends from the exits. A file of an older version (answering
 * while this one builds) has no cells: it counts every exit in the range.
 */
export function relayExitReader(db: ReadModelDatabase): (from: number, to: number) => RelayExitBucketRow[] {
  // Summed here rather than grouped by SQLite, which would sort them first: along these indexes, codes come in time order.
  const exitsIn = db.prepare<[number, number], number | null>('SELECT exit_code FROM insight_relay_exits WHERE exited_at >= ? AND exited_at < ?').pluck();
  const cellsIn = relayExitRollupsTable.existsIn(db)
    ? db.prepare<[string, number, number], [string, number]>('SELECT code, count FROM insight_relay_exit_rollups WHERE period = ? AND start >= ? AND start < ?').raw()
    : null;
  return (from, to) => {
    const counts = new Map<number | null, number>();
    const add = (code: number | null, count: number) => counts.set(code, (counts.get(code) ?? 0) + count);
    const plan: StatsPlan = cellsIn === null ? { scanned: [[from, to]], rolled: [], takenBack: [] } : planOverPeriods(from, to, EXIT_PERIODS);
    for (const [a, b] of plan.scanned) for (const code of exitsIn.all(a, b)) add(code, 1);
    for (const { period, from: a, to: b } of plan.rolled) for (const [key, count] of cellsIn!.all(period, a, b)) add(codeOf(key), count);
    for (const { period, from: a, to: b } of plan.takenBack) for (const [key, count] of cellsIn!.all(period, a, b)) add(codeOf(key), -count);
    return [...counts]
      .filter(([, count]) => count > 0)
      .map(([exitCode, count]) => ({ exitCode, count }))
      .sort((x, y) => y.count - x.count || byCode(x.exitCode, y.exitCode));
  };
}
