// Every node's interruptions in each UTC hour over every domain, kept in memory until the hour's node cells change: the
// nodes with the most interruptions over hours the ranking does not suit (three or more, or cut inside their hours).
import { bound } from '../../eventstore/sqlite/boundValue';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { byCount } from './busiestNodes';
import { nodeCellChangesTable, nodeHourChangesTable } from './insights.table';
import { ABSENT_KEY, HOUR_MS } from './interruptionStats';
import { RecentlyUsed } from './recentlyUsed';

/** Hours kept in memory: two days' worth, about 200 KB each at the benchmark data set's 25,000 nodes an hour. */
export const KEPT_HOURS = 48;

/**
 * Cut hours whose interruptions are kept in memory, in time order: about 400 KB each at the benchmark data set's 50,000
 * interruptions in its busiest hours. An hour's are read whole only when it is cut a second time unchanged: an hour still
 * written to changes at every batch, and its part is read alone each time.
 */
export const KEPT_CUT_HOURS = 8;

/** Node names numbered at most: past this, every hour kept is forgotten and read again as it is asked for. */
const NUMBERED_NODES_AT_MOST = 500_000;

/**
 * One hour's node cells, as of the hour's `changes`: the first `size` of `nodes` and `counts`, each node's number and its
 * count; where a later change was read alone, where each node is (`slots`, by number) and room to grow.
 */
interface HourCounts {
  changes: number;
  size: number;
  nodes: Int32Array;
  counts: Int32Array;
  slots?: Map<number, number>;
}

/** Sets the node's count in the hour, adding the node where it had none. */
function setCount(hour: HourCounts, node: number, count: number): void {
  if (hour.slots === undefined) hour.slots = new Map(Array.from(hour.nodes.subarray(0, hour.size), (number, slot) => [number, slot]));
  const slot = hour.slots.get(node);
  if (slot !== undefined) {
    hour.counts[slot] = count;
    return;
  }
  if (hour.size === hour.nodes.length) {
    const capacity = Math.max(16, 2 * hour.size);
    const [nodes, counts] = [new Int32Array(capacity), new Int32Array(capacity)];
    nodes.set(hour.nodes.subarray(0, hour.size));
    counts.set(hour.counts.subarray(0, hour.size));
    [hour.nodes, hour.counts] = [nodes, counts];
  }
  hour.nodes[hour.size] = node;
  hour.counts[hour.size] = count;
  hour.slots.set(node, hour.size);
  hour.size += 1;
}

/** One hour's interruptions in time order, as of the hour's `changes`: each one's milliseconds into the hour and node number. */
interface HourInterruptions {
  changes: number;
  at: Int32Array;
  nodes: Int32Array;
}

/** The first index of the sorted `values` whose value is `value` or more. */
function firstAtLeast(values: Int32Array, value: number): number {
  let [low, high] = [0, values.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The interruptions of [from, to) whose nodes are counted one by one, with the weight they count with. */
interface ScannedPart {
  from: number;
  to: number;
  weight: 1 | -1;
}

/** What counts over a range: whole hours from their cells, and the parts of cut hours from their interruptions. */
export interface HourPlan {
  hours: number[];
  scanned: ScannedPart[];
}

/**
 * The hours and interruptions that count every node's interruptions in [from, to): each hour wholly inside it, and of a
 * cut hour, its interruptions inside the range, or (more than half of it inside) the hour less those outside.
 */
export function hourPlanOf(from: number, to: number): HourPlan {
  const plan: HourPlan = { hours: [], scanned: [] };
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour < to; hour += HOUR_MS) {
    const [start, end] = [Math.max(from, hour), Math.min(to, hour + HOUR_MS)];
    if (start === hour && end === hour + HOUR_MS) plan.hours.push(hour);
    else if (end - start <= HOUR_MS / 2) plan.scanned.push({ from: start, to: end, weight: 1 });
    else {
      plan.hours.push(hour);
      if (hour < start) plan.scanned.push({ from: hour, to: start, weight: -1 });
      if (end < hour + HOUR_MS) plan.scanned.push({ from: end, to: hour + HOUR_MS, weight: -1 });
    }
  }
  return plan;
}

/**
 * The first `first` of the nodes counted (by number), by count then key: only the nodes at or above the count of the
 * `first`-th are sorted, found by how many nodes hold each count.
 */
export function firstCounted(totals: Int32Array, first: number, nameOf: (node: number) => string): Array<[key: string, count: number]> {
  let most = 0;
  for (const count of totals) if (count > most) most = count;
  if (most === 0 || first <= 0) return [];
  let least = 1;
  if (most <= 1 << 20) {
    const nodesAt = new Int32Array(most + 1);
    for (const count of totals) if (count > 0) nodesAt[count]! += 1;
    for (let count = most, taken = 0; count >= 1; count--) {
      taken += nodesAt[count]!;
      if (taken >= first) {
        least = count;
        break;
      }
    }
  }
  const kept: Array<[string, number]> = [];
  totals.forEach((count, node) => {
    if (count >= least) kept.push([nameOf(node), count]);
  });
  return kept.sort(byCount).slice(0, first);
}

/**
 * Every node's count over a range shorter than a day, from its hours' node cells over every domain (version 15, which
 * counts each hour's changes and lists the cells of the latest): an hour is read once, and after a batch has changed it,
 * the cells that batch wrote alone (or every cell again, past what is listed); a cut hour's part from its interruptions,
 * kept as well once the hour is cut twice unchanged. Null for a file without those counts. Its reads belong in the read
 * transaction of the statistic that asks them.
 */
export function nodeHourCounts(db: ReadModelDatabase) {
  if (!nodeHourChangesTable.existsIn(db)) return null;
  const changesIn = db.prepare<[number, number], [start: number, changes: number]>('SELECT start, changes FROM insight_node_hour_changes WHERE start >= ? AND start < ?').raw();
  // Along the index of the node cells by count, which holds both: not the cells' rows.
  const cellsOf = db
    .prepare<[number], [count: number, key: string]>(
      `SELECT count, key FROM insight_interruption_rollups WHERE dimension = 'NODE' AND period = 'HOUR' AND scope = '' AND start = ${bound('?')} ORDER BY count DESC, key DESC`,
    )
    .raw();
  // The cells an hour's changes after a given one wrote, where those are still listed (not in a file of version 15).
  const listed = nodeCellChangesTable.existsIn(db);
  const oldestListed = listed ? db.prepare<[number], number | null>(`SELECT min(changes) FROM insight_node_cell_changes WHERE start = ${bound('?')}`).pluck() : null;
  const changedSince = listed ? db.prepare<[number, number], string>('SELECT keys FROM insight_node_cell_changes WHERE start = ? AND changes > ?').pluck() : null;
  const cellCount = db
    .prepare<[number, string], number>("SELECT count FROM insight_interruption_rollups WHERE period = 'HOUR' AND dimension = 'NODE' AND scope = '' AND start = ? AND key = ?")
    .pluck();
  // Along the index of the interruptions by time, which holds the node.
  const nodesIn = db.prepare<[number, number], string | null>('SELECT node FROM insight_sessions WHERE interrupted_at >= ? AND interrupted_at < ?').pluck();
  const interruptionsIn = db
    .prepare<[number, number], [at: number, node: string | null]>(
      'SELECT interrupted_at, node FROM insight_sessions WHERE interrupted_at >= ? AND interrupted_at < ? ORDER BY interrupted_at',
    )
    .raw();
  const names: string[] = [];
  const numbers = new Map<string, number>();
  const numberOf = (name: string): number => {
    let number = numbers.get(name);
    if (number === undefined) {
      number = names.length;
      names.push(name);
      numbers.set(name, number);
    }
    return number;
  };
  const kept = new RecentlyUsed<HourCounts>(KEPT_HOURS);
  const keptInterruptions = new RecentlyUsed<HourInterruptions>(KEPT_CUT_HOURS);
  /** The changes each hour had when it was last cut: cut again unchanged, its interruptions are read whole and kept. */
  const cutAt = new RecentlyUsed<number>(KEPT_HOURS);

  /** The hour's interruptions where they are kept, or are now, cut a second time unchanged; null where they are not. */
  function interruptionsOf(hour: number, changes: number): HourInterruptions | null {
    const key = String(hour);
    let interruptions = keptInterruptions.get(key);
    if (interruptions?.changes !== changes) {
      interruptions = undefined;
      if (cutAt.get(key) === changes) {
        const [at, nodes] = [[] as number[], [] as number[]];
        for (const [time, node] of interruptionsIn.iterate(hour, hour + HOUR_MS)) {
          at.push(time - hour);
          nodes.push(numberOf(node ?? ABSENT_KEY));
        }
        interruptions = { changes, at: Int32Array.from(at), nodes: Int32Array.from(nodes) };
      }
    }
    cutAt.set(key, changes);
    if (interruptions === undefined) return null;
    keptInterruptions.set(key, interruptions);
    return interruptions;
  }

  /** The node numbers of the interruptions of `part`, from its hour's interruptions where those are kept. */
  function nodesOf(part: ScannedPart, hour: number, interruptions: HourInterruptions | null): ArrayLike<number> {
    if (interruptions === null) {
      const nodes: number[] = [];
      for (const node of nodesIn.iterate(part.from, part.to)) nodes.push(numberOf(node ?? ABSENT_KEY));
      return nodes;
    }
    return interruptions.nodes.subarray(firstAtLeast(interruptions.at, part.from - hour), firstAtLeast(interruptions.at, part.to - hour));
  }

  /** Those of `hours` that hold node cells (a count of changes in `changes`), each as kept or read again; yields after each hour read. */
  function* hoursOf(hours: readonly number[], changes: ReadonlyMap<number, number>): Generator<void, HourCounts[]> {
    const counts: HourCounts[] = [];
    for (const start of hours) {
      const changed = changes.get(start);
      if (changed === undefined) continue;
      let hour = kept.get(String(start));
      if (hour !== undefined && hour.changes < changed && (oldestListed?.get(start) ?? Number.POSITIVE_INFINITY) <= hour.changes + 1) {
        // Every change since is listed: its cells alone are read (an hour still being written to).
        const keys = new Set(changedSince!.all(start, hour.changes).flatMap((listed) => JSON.parse(listed) as string[]));
        for (const key of keys) setCount(hour, numberOf(key), cellCount.get(start, key) ?? 0);
        hour.changes = changed;
      } else if (hour === undefined || hour.changes !== changed) {
        // Row by row: a whole hour's rows at once would outlive the young generation's collections.
        const [nodes, cellCounts] = [[] as number[], [] as number[]];
        for (const [count, key] of cellsOf.iterate(start)) {
          nodes.push(numberOf(key));
          cellCounts.push(count);
        }
        hour = { changes: changed, size: nodes.length, nodes: Int32Array.from(nodes), counts: Int32Array.from(cellCounts) };
        yield;
      }
      kept.set(String(start), hour);
      counts.push(hour);
    }
    return counts;
  }

  return {
    /**
     * The first `first` nodes by their interruptions in [from, to) over every domain, by count then key, with their
     * counts; yields between the reads of hours and parts of hours.
     */
    *firstNodes(from: number, to: number, first: number): Generator<void, Array<[key: string, count: number]>> {
      if (names.length > NUMBERED_NODES_AT_MOST) {
        names.length = 0;
        numbers.clear();
        kept.clear();
        keptInterruptions.clear();
      }
      const plan = hourPlanOf(from, to);
      // Each hour's changes, of the whole hours and the cut ones alike.
      const changes = new Map(changesIn.all(Math.floor(from / HOUR_MS) * HOUR_MS, to));
      const hours = yield* hoursOf(plan.hours, changes);
      kept.trim();
      const cutHours = new Map<number, HourInterruptions | null>();
      const scanned: Array<{ nodes: ArrayLike<number>; weight: 1 | -1 }> = [];
      for (const part of plan.scanned) {
        const hour = Math.floor(part.from / HOUR_MS) * HOUR_MS;
        if (!cutHours.has(hour)) cutHours.set(hour, interruptionsOf(hour, changes.get(hour) ?? 0));
        scanned.push({ nodes: nodesOf(part, hour, cutHours.get(hour)!), weight: part.weight });
        yield;
      }
      keptInterruptions.trim();
      cutAt.trim();
      // Numbered now: every node counted has its place.
      const totals = new Int32Array(names.length);
      for (const { size, nodes, counts } of hours) for (let i = 0; i < size; i++) totals[nodes[i]!]! += counts[i]!;
      for (const { nodes, weight } of scanned) for (let i = 0; i < nodes.length; i++) totals[nodes[i]!]! += weight;
      return firstCounted(totals, first, (node) => names[node]!);
    },
  };
}
export type NodeHourCounts = NonNullable<ReturnType<typeof nodeHourCounts>>;
