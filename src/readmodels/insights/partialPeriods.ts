// The partial periods (five minutes, hours or days) at a statistic's ends: read one by one, or, where most of one lies in the range, its cell less the interruptions outside.
import { CURRENT_CELLS, type RollupCells } from './interruptionRollups';
import { servedPeriods, type StatsPlan } from './statsPlan';
import type { InterruptionGrouping } from './interruptionStats';

/** A plan whose partial periods may be a cell less the interruptions of it outside the range. */
export interface PartialsPlan extends StatsPlan {
  /** Ranges whose interruptions are read one by one and taken back out of the cell read around them; absent for none. */
  scannedBack?: Array<[number, number]>;
}

/** How many interruptions lie in [from, to) (of the statistic's domain, when it has one), counted up to `atMost`. */
export type RowsIn = (from: number, to: number, atMost: number) => number;

/** At most this many interruptions are counted on the longer side of a cut period (about 0.1 ms). */
const COUNTED_AT_MOST = 1_000;

/** How many interruptions the ranges hold together, counted up to `atMost`. */
function rowsInRanges(ranges: ReadonlyArray<[number, number]>, rowsIn: RowsIn, atMost: number): number {
  return ranges.reduce((sum, [a, b]) => sum + (a < b && sum < atMost ? rowsIn(a, b, atMost - sum) : 0), 0);
}

/**
 * Whether the ranges outside hold fewer interruptions than those inside: where they are shorter, assumed; where they are
 * longer but hold few interruptions (the rest of an hour that has not yet come, or past the last interruption), counted.
 */
function fewerOutside(inside: Array<[number, number]>, outside: Array<[number, number]>, rowsIn: RowsIn | undefined): boolean {
  const span = (ranges: Array<[number, number]>) => ranges.reduce((sum, [a, b]) => sum + Math.max(0, b - a), 0);
  if (span(outside) < span(inside)) return true;
  if (rowsIn === undefined) return false;
  const outsideRows = rowsInRanges(outside, rowsIn, COUNTED_AT_MOST);
  return outsideRows < COUNTED_AT_MOST && rowsInRanges(inside, rowsIn, outsideRows + 1) > outsideRows;
}

/**
 * Where a range's end cuts one of the smallest periods with cells (five minutes; an hour by node, or in a file without
 * five-minute cells; within one domain by errcode or node a day) and fewer of its interruptions lie outside the range
 * than inside, its cell is read and the interruptions of it outside the range taken back, one by one. Without `rowsIn`,
 * the time on each side stands for its interruptions; with it, a longer time outside that holds few interruptions is
 * counted (a range ending now takes back nothing: its last period is one cell, not interruptions read one by one). A
 * bucket that does so is answered from histograms (within 1 %).
 */
export function takeBackPartials(plan: StatsPlan, grouping: InterruptionGrouping, domain: string | null, rowsIn?: RowsIn, cells: RollupCells = CURRENT_CELLS): PartialsPlan {
  // Their periods start at multiples of their length (only weeks do not, and they are never the smallest).
  const [period, unit] = servedPeriods(grouping, domain, cells)[0]!;
  const scanned: Array<[number, number]> = [];
  const rolled = [...plan.rolled];
  let takenBack = [...plan.takenBack];
  const scannedBack: Array<[number, number]> = [];
  // A range with no whole period may cut two: each piece on its own.
  const pieces = plan.scanned.flatMap(([a, b]): Array<[number, number]> => {
    const end = Math.floor(a / unit) * unit + unit;
    return b > end ? [[a, end], [end, b]] : [[a, b]];
  });
  for (const [a, b] of pieces) {
    const [start, end] = [Math.floor(a / unit) * unit, Math.floor(a / unit) * unit + unit];
    if (!fewerOutside([[a, b]], [[start, a], [b, end]], rowsIn)) {
      scanned.push([a, b]);
      continue;
    }
    // Its cell: already read within a larger one and taken back (then no longer taken back), or read on its own.
    const within = takenBack.find((back) => back.period === period && back.from <= start && end <= back.to);
    if (within === undefined) rolled.push({ period, from: start, to: end });
    else {
      takenBack = takenBack.filter((back) => back !== within);
      if (within.from < start) takenBack.push({ period, from: within.from, to: start });
      if (end < within.to) takenBack.push({ period, from: end, to: within.to });
    }
    if (start < a) scannedBack.push([start, a]);
    if (b < end) scannedBack.push([b, end]);
  }
  return scannedBack.length === 0 ? plan : { scanned, rolled, takenBack, scannedBack };
}

/** How many interruptions a plan reads one by one (those it scans and those it takes back), counted up to `atMost`. */
const rowsRead = (plan: PartialsPlan, rowsIn: RowsIn, atMost: number) => rowsInRanges([...plan.scanned, ...(plan.scannedBack ?? [])], rowsIn, atMost);

/**
 * Of the plan with hours the shortest cells and the one with five minutes, the one that reads fewer interruptions one by
 * one; the hours' on a tie, as it reads fewer cells. Five minutes cut at each end read at most minutes of interruptions,
 * but where the rest of a cut hour outside the range holds none (a range from before the first interruption, or to after
 * the last), that hour's cell less nothing is cheaper than its five-minute cells.
 */
export function fewerRowsRead(byHours: PartialsPlan, byFiveMinutes: PartialsPlan, rowsIn: RowsIn): PartialsPlan {
  const fiveMinutes = rowsRead(byFiveMinutes, rowsIn, COUNTED_AT_MOST);
  // Counted up to one more than the other: past that, the hours' plan loses whatever its full count.
  return rowsRead(byHours, rowsIn, fiveMinutes + 1) <= fiveMinutes ? byHours : byFiveMinutes;
}
