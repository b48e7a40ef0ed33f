// The nodes with the most interruptions in a time range, found from the hour and day cells ranked by count: by node over a
// day or more, or a whole hour or two, a few thousand of tens of thousands of nodes are counted, not every one.
import { DAY_MS, HOUR_MS } from './interruptionStats';

/** The first version of the insights read model whose files index the node cells by count and the interruptions by node. */
export const NODES_RANKED_SINCE = 14;

/** One hour's or one day's cells by node, read largest count first. */
export interface RankedCells {
  period: 'HOUR' | 'DAY';
  start: number;
}

/** A partial day touching at most this many hours is bounded by its hour cells, a longer one by its day cell. */
export const HOURS_BEFORE_DAY = 4;

/**
 * A range shorter than a day is ranked when it is this many whole hours or fewer: their cells hold each node's exact
 * count in each hour, so the bound of the nodes not met falls fast. Over more hours of alike nodes (a few interruptions
 * each) the ranking meets thousands before it knows (three whole hours by node, `first: 100`, on the scale data set:
 * 192 ms against 165 ms for every node's cells).
 */
export const RANKED_WHOLE_HOURS = 2;

/**
 * Ranges touching more UTC days with interruptions than this are answered from every node's cells (and running totals):
 * each day adds to the bound of every node not met, so that over many days of alike nodes the ranking would meet most of
 * them. Days without interruptions add nothing: a year holding a few busy days is ranked over those.
 */
export const RANKED_DAYS = 31;

/**
 * The cells whose counts bound each node's interruptions in [from, to): each UTC day the range touches that holds cells
 * by node (`daysWithCells`, their starts in order, read only for a range that may be ranked), by its day cell, or by the
 * cells of the hours it touches where those are few (`hourCells`: within one domain there are none); a range of
 * RANKED_WHOLE_HOURS whole hours or fewer by the cells of those hours. Null where the ranking would not pay: any other
 * range shorter than a day holds a few interruptions per node, most of them tied, and the bound of its partial hours is
 * loose, so that most nodes would be counted; one touching more than RANKED_DAYS days with cells sums too many bounds.
 */
export function rankedCellsOf(from: number, to: number, hourCells: boolean, daysWithCells: () => readonly number[]): RankedCells[] | null {
  if (to - from < DAY_MS) return hourCells ? wholeHoursOf(from, to) : null;
  const days = daysWithCells();
  if (days.length > RANKED_DAYS) return null;
  const lists: RankedCells[] = [];
  for (const day of days) {
    const [start, end] = [Math.max(from, day), Math.min(to, day + DAY_MS)];
    const firstHour = Math.floor(start / HOUR_MS) * HOUR_MS;
    const hours = Math.ceil((end - firstHour) / HOUR_MS);
    if (hourCells && hours <= HOURS_BEFORE_DAY) for (let hour = firstHour; hour < end; hour += HOUR_MS) lists.push({ period: 'HOUR', start: hour });
    else lists.push({ period: 'DAY', start: day });
  }
  return lists;
}

/** The cells of the hours of [from, to) when it is RANKED_WHOLE_HOURS whole hours or fewer; null otherwise. */
function wholeHoursOf(from: number, to: number): RankedCells[] | null {
  if (from % HOUR_MS !== 0 || to % HOUR_MS !== 0 || to - from > RANKED_WHOLE_HOURS * HOUR_MS) return null;
  const lists: RankedCells[] = [];
  for (let hour = from; hour < to; hour += HOUR_MS) lists.push({ period: 'HOUR', start: hour });
  return lists;
}

/** What the ranking reads, all in one snapshot of the file. */
export interface NodeRankingReads {
  /** Up to `limit` cells of a list after `after` in the order largest count first, then key last first. */
  cells(list: RankedCells, after: readonly [count: number, key: string] | null, limit: number): Array<[count: number, key: string]>;
  /** Each key's interruptions in the range, those with none left out. */
  counts(keys: readonly string[]): Array<[key: string, count: number]>;
}

/**
 * Cells read of each list in the first step, FIRST_STEP_CELLS in all (each of them counted: no place is known yet), but at
 * least PAGE_SMALLEST and at most FIRST_PAGE_AT_MOST; each step reads twice as many as the one before, up to PAGE_LARGEST.
 */
const [FIRST_STEP_CELLS, PAGE_SMALLEST, FIRST_PAGE_AT_MOST, PAGE_LARGEST] = [512, 32, 128, 2_048];

/** Nodes met before the ranking gives up and every node's cells answer: each costs a cell read, most of them a count. */
export const RANKED_NODES_AT_MOST = 5_000;

/** By count, largest first, then by key. */
export const byCount = (a: readonly [string, number], b: readonly [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1);

/**
 * The first `first` nodes by interruptions in the range, by count then key, with their counts, or null when more than
 * `atMost` nodes were met before they were known. Fagin's threshold algorithm: the lists are read a page at a time,
 * largest first; a node not yet met has at most the sum of the counts last read in each list, so once the last of the
 * first `first` has more, no other node can take its place (with the same count, one with a lower key could). A node met
 * is counted over the range itself only when it could still take a place: its counts in the lists it was met in, and
 * elsewhere what each list last held, add up to at least the last ranked one's (which only rises, while what the lists
 * hold only falls). The generator yields between steps.
 */
export function* busiestNodes(
  lists: readonly RankedCells[],
  first: number,
  reads: NodeRankingReads,
  atMost = RANKED_NODES_AT_MOST,
): Generator<void, Array<[key: string, count: number]> | null> {
  const read = lists.map((list) => ({ list, last: null as [number, string] | null, done: false }));
  /** Nodes counted, or found unable to take a place. */
  const settled = new Set<string>();
  let best: Array<[string, number]> = [];
  const firstPage = Math.min(FIRST_PAGE_AT_MOST, Math.max(PAGE_SMALLEST, Math.floor(FIRST_STEP_CELLS / lists.length)));
  for (let page = firstPage; ; page = Math.min(2 * page, PAGE_LARGEST)) {
    // The nodes met in this step, with their count in each list they were met in.
    const met = new Map<string, Array<number | undefined>>();
    read.forEach((list, i) => {
      if (list.done) return;
      const cells = reads.cells(list.list, list.last, page);
      if (cells.length < page) list.done = true;
      if (cells.length > 0) list.last = cells[cells.length - 1]!;
      for (const [count, key] of cells) {
        if (settled.has(key)) continue;
        const counts = met.get(key) ?? met.set(key, new Array<number | undefined>(read.length)).get(key)!;
        counts[i] = count;
      }
    });
    // What each list not read to its end last held: the most a node not met there yet has in it.
    const held = read.map((list) => (list.done ? 0 : list.last![0]));
    const lastRanked = best.length === first ? best[first - 1]![1] : Number.NEGATIVE_INFINITY;
    const counted: string[] = [];
    for (const [key, counts] of met) {
      settled.add(key);
      let most = 0;
      for (let i = 0; i < held.length; i++) most += counts[i] ?? held[i]!;
      if (most >= lastRanked) counted.push(key);
    }
    if (counted.length > 0) best = [...best, ...reads.counts(counted)].sort(byCount).slice(0, first);
    const bound = held.reduce((sum, count) => sum + count, 0);
    if (read.every((list) => list.done) || (best.length === first && best[first - 1]![1] > bound)) return best;
    if (settled.size > atMost) return null;
    yield;
  }
}
