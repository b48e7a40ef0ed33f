// Which rollup cells, cells taken back and rows read one by one answer a statistic over a time range: pure, from the range and grouping.
import { CURRENT_CELLS, PERIODS, periodStart, type RollupCells, type RollupPeriod } from './interruptionRollups';
import type { InterruptionGrouping } from './interruptionStats';

export interface StatsPlan {
  /** Ranges whose interruptions are read one by one. */
  scanned: Array<[number, number]>;
  /** Ranges of whole periods read from the rollups. */
  rolled: Array<{ period: RollupPeriod; from: number; to: number }>;
  /**
   * Ranges of whole periods read from the rollups and taken back out: where most of a larger period lies in the range, it
   * is read whole and the smaller periods outside the range subtracted (fewer cells than those inside).
   */
  takenBack: Array<{ period: RollupPeriod; from: number; to: number }>;
}

/**
 * The periods whose cells serve a grouping, shortest first. Grouped by hour, only five-minute and hour cells; by day, no
 * week cells (a week cell cannot be split into its days); by node, no five-minute cells (there are none); by errcode or
 * node within one domain, which has no hour cells for them, days and weeks only. A file of an older version lacks the
 * cells `cells` says it has not.
 */
export function servedPeriods(grouping: InterruptionGrouping, domain: string | null, cells: RollupCells = CURRENT_CELLS): Array<(typeof PERIODS)[number]> {
  const hourCells = domain === null || !(grouping === 'ERRCODE' || grouping === 'NODE');
  return PERIODS.filter(([period]) => {
    switch (period) {
      case 'FIVE_MINUTES':
        return cells.fiveMinutes && hourCells && grouping !== 'NODE';
      case 'HOUR':
        return hourCells;
      case 'DAY':
        return grouping !== 'HOUR';
      case 'WEEK':
        return cells.weeks && grouping !== 'HOUR' && grouping !== 'DAY';
    }
  });
}

/**
 * How [from, to) is answered: whole weeks from the week cells (of a file that has them), whole days around them from the
 * day cells, whole hours around those from the hour cells, whole five minutes around those from the five-minute cells, and
 * the partial periods at the two ends from the interruptions, with the periods `servedPeriods` gives the grouping. Where an
 * edge holds most of the larger period around it (13 of a day's hours, say), that period's cells are read and the rest of
 * it taken back.
 */
export function statsPlan(from: number, to: number, grouping: InterruptionGrouping, domain: string | null, cells: RollupCells = CURRENT_CELLS): StatsPlan {
  return planOverPeriods(from, to, servedPeriods(grouping, domain, cells));
}

/** statsPlan with the periods that have cells given, shortest first, each nesting in the next: for any rollup of counts. */
export function planOverPeriods(from: number, to: number, served: ReadonlyArray<(typeof PERIODS)[number]>): StatsPlan {
  // Each period's whole periods within the previous one's: they nest, so once one holds none, no larger one does.
  const bounds: Array<[number, number]> = [];
  for (let [a, b] = [from, to], i = 0; i < served.length; i++) {
    [a, b] = [periodStart(served[i]!, a, true), periodStart(served[i]!, b)];
    if (a >= b) break;
    bounds.push([a, b]);
  }
  if (bounds.length === 0) return { scanned: [[from, to]], rolled: [], takenBack: [] };
  const rolled: StatsPlan['rolled'] = [];
  const takenBack: StatsPlan['takenBack'] = [];
  /** Whether reading the larger period's cell and taking back the smaller ones outside [a, b) reads fewer cells. */
  const mostlyInside = (small: (typeof PERIODS)[number], a: number, b: number, large: (typeof PERIODS)[number]) => {
    const inside = (b - a) / small[1];
    return 1 + (large[1] / small[1] - inside) < inside;
  };
  /** Whole periods [a, b) of `small` at an edge, within the period of `large` that `within` is. */
  const edge = (small: (typeof PERIODS)[number], a: number, b: number, large: (typeof PERIODS)[number], within: [number, number]) => {
    if (a >= b) return;
    if (!mostlyInside(small, a, b, large)) rolled.push({ period: small[0], from: a, to: b });
    else {
      rolled.push({ period: large[0], from: within[0], to: within[1] });
      if (within[0] < a) takenBack.push({ period: small[0], from: within[0], to: a });
      if (b < within[1]) takenBack.push({ period: small[0], from: b, to: within[1] });
    }
  };
  // In time order: the edges of each period up to the next larger one's whole periods, then those, then the far edges.
  const last = bounds.length - 1;
  for (let i = 0; i < last; i++) {
    const [inner, large] = [bounds[i + 1]![0], served[i + 1]!];
    edge(served[i]!, bounds[i]![0], inner, large, [inner - large[1], inner]);
  }
  // The largest whole periods; where a larger period has none in the range but holds most of it (a range of 23 hours
  // across midnight), the larger one's cell less the smaller ones outside, as at the edges.
  const [largest, larger] = [served[last]!, served[last + 1]];
  const [a, b] = bounds[last]!;
  const cut = larger === undefined ? a : periodStart(larger, b);
  if (larger === undefined || (cut > a && !mostlyInside(largest, a, cut, larger) && !mostlyInside(largest, cut, b, larger))) {
    rolled.push({ period: largest[0], from: a, to: b });
  } else if (cut <= a) edge(largest, a, b, larger, [cut, cut + larger[1]]);
  else {
    edge(largest, a, cut, larger, [cut - larger[1], cut]);
    edge(largest, cut, b, larger, [cut, cut + larger[1]]);
  }
  for (let i = last - 1; i >= 0; i--) {
    const [inner, large] = [bounds[i + 1]![1], served[i + 1]!];
    edge(served[i]!, inner, bounds[i]![1], large, [inner, inner + large[1]]);
  }
  const [outerFrom, outerTo] = bounds[0]!;
  const scanned: Array<[number, number]> = [[from, outerFrom], [outerTo, to]];
  return { scanned: scanned.filter(([a, b]) => a < b), rolled, takenBack };
}
