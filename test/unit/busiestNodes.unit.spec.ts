// The busiest nodes of a range, ranked from hour and day cells by count: the same nodes and counts as counting every node.
import { busiestNodes, rankedCellsOf, type NodeRankingReads, type RankedCells } from '../../src/readmodels/insights/busiestNodes';
import { DAY_MS, HOUR_MS } from '../../src/readmodels/insights/interruptionStats';
import { toTheEnd } from '../../src/processing/slicedReads';

const DAY = Date.UTC(2024, 0, 1);

/** The start of every UTC day of [from, to): the days a range touches, as if each held interruptions. */
const everyDay = (from: number, to: number) => {
  const days: number[] = [];
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) days.push(day);
  return days;
};

describe('rankedCellsOf', () => {
  const at = (iso: string) => Date.parse(`2024-01-${iso}Z`);

  it('ranks nothing over less than a day but a whole hour or two, nor over more than 31 days that hold interruptions', () => {
    const daysRead = jest.fn(() => [at('01T00:00')]);
    expect(rankedCellsOf(at('01T00:00'), at('01T23:59'), true, daysRead)).toBeNull();
    expect(rankedCellsOf(at('01T05:00'), at('01T08:00'), true, daysRead)).toBeNull();
    expect(rankedCellsOf(at('01T05:20'), at('01T06:20'), true, daysRead)).toBeNull();
    expect(daysRead).not.toHaveBeenCalled();
    const month = everyDay(at('01T12:00'), Date.parse('2024-02-01T12:00Z'));
    expect(month).toHaveLength(32);
    expect(rankedCellsOf(at('01T12:00'), Date.parse('2024-02-01T12:00Z'), true, () => month)).toBeNull();
    expect(rankedCellsOf(at('01T00:00'), Date.parse('2024-02-01T00:00Z'), true, () => everyDay(at('01T00:00'), Date.parse('2024-02-01T00:00Z')))).toHaveLength(31);
  });

  it('ranks a long range over the days that hold interruptions alone', () => {
    const days = [at('03T00:00'), Date.parse('2024-03-10T00:00Z'), Date.parse('2024-11-30T00:00Z')];
    expect(rankedCellsOf(at('01T00:00'), Date.parse('2025-01-01T00:00Z'), true, () => days)).toEqual(days.map((start) => ({ period: 'DAY', start })));
    expect(rankedCellsOf(at('01T00:00'), Date.parse('2025-01-01T00:00Z'), true, () => [])).toEqual([]);
  });

  it('bounds a partial day of a few hours by their hour cells, a longer one by its day cell', () => {
    const lists = rankedCellsOf(at('01T22:13'), at('02T23:29'), true, () => everyDay(at('01T22:13'), at('02T23:29')));
    expect(lists).toEqual([
      { period: 'HOUR', start: at('01T22:00') },
      { period: 'HOUR', start: at('01T23:00') },
      { period: 'DAY', start: at('02T00:00') },
    ]);
    expect(rankedCellsOf(at('01T00:00'), at('02T00:00'), true, () => [at('01T00:00')])).toEqual([{ period: 'DAY', start: at('01T00:00') }]);
  });

  it('ranks a whole hour or two by their hour cells, across midnight too', () => {
    expect(rankedCellsOf(at('01T05:00'), at('01T06:00'), true, () => [])).toEqual([{ period: 'HOUR', start: at('01T05:00') }]);
    expect(rankedCellsOf(at('01T23:00'), at('02T01:00'), true, () => [])).toEqual([
      { period: 'HOUR', start: at('01T23:00') },
      { period: 'HOUR', start: at('02T00:00') },
    ]);
  });

  it('reads day cells alone within one domain, which keeps no hour cells by node', () => {
    expect(rankedCellsOf(at('01T05:00'), at('01T06:00'), false, () => [at('01T00:00')])).toBeNull();
    expect(rankedCellsOf(at('01T22:13'), at('02T23:29'), false, () => everyDay(at('01T22:13'), at('02T23:29')))).toEqual([
      { period: 'DAY', start: at('01T00:00') },
      { period: 'DAY', start: at('02T00:00') },
    ]);
  });
});

/** A small deterministic generator (mulberry32): the same interruptions on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Interruptions of `nodes` nodes over two days, the busier nodes `skew` times as likely as the next. */
function interruptions(seed: number, count: number, nodes: number, skew: number): Array<[node: string, at: number]> {
  const next = random(seed);
  const weights = Array.from({ length: nodes }, (_, i) => skew ** -i);
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: count }, () => {
    let pick = next() * total;
    const node = weights.findIndex((weight) => (pick -= weight) < 0);
    return [`n${String(node === -1 ? nodes - 1 : node).padStart(3, '0')}`, DAY + Math.floor(next() * 2 * DAY_MS)];
  });
}

/** The ranking's reads over interruptions in memory: hour and day cells as the rollups keep them, counts over the range. */
function readsOver(rows: Array<[string, number]>, from: number, to: number) {
  const [counted, met] = [[] as string[][], new Set<string>()];
  const cellsOf = ({ period, start }: RankedCells) => {
    const length = period === 'HOUR' ? HOUR_MS : DAY_MS;
    const counts = new Map<string, number>();
    for (const [node, at] of rows) if (at >= start && at < start + length) counts.set(node, (counts.get(node) ?? 0) + 1);
    return [...counts].map(([key, count]) => [count, key] as [number, string]).sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1));
  };
  const reads: NodeRankingReads = {
    cells: (list, after, limit) => {
      const page = cellsOf(list)
        .filter(([count, key]) => after === null || count < after[0] || (count === after[0] && key < after[1]))
        .slice(0, limit);
      for (const [, key] of page) met.add(key);
      return page;
    },
    counts: (keys) => {
      counted.push([...keys]);
      return keys.map((key) => [key, rows.filter(([node, at]) => node === key && at >= from && at < to).length] as [string, number]).filter(([, count]) => count > 0);
    },
  };
  return { reads, counted, met };
}

/** Every node counted over the range, by count then key: what the ranking must agree with. */
function everyNode(rows: Array<[string, number]>, from: number, to: number, first: number): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const [node, at] of rows) if (at >= from && at < to) counts.set(node, (counts.get(node) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, first);
}

/** Every node alike, one interruption a day: no bound falls below the last one ranked until every node is counted. */
const alike = (nodes: number) => Array.from({ length: nodes }, (_, i) => [0, 1].map((day) => [`n${i}`, DAY + day * DAY_MS + (i % 24) * HOUR_MS] as [string, number])).flat();

describe('busiestNodes', () => {
  const ranges: Array<[string, number, number]> = [
    ['two whole days', DAY, DAY + 2 * DAY_MS],
    ['from 22:13 to 23:29 the next day', DAY + 22 * HOUR_MS + 780_000, DAY + DAY_MS + 23 * HOUR_MS + 1_740_000],
    ['from 03:00 to 05:20 the next day', DAY + 3 * HOUR_MS, DAY + DAY_MS + 5 * HOUR_MS + 1_200_000],
  ];

  it.each(ranges)('finds the same nodes and counts as counting every node, %s', (_, from, to) => {
    for (const [seed, skew] of [[1, 1.02], [2, 1.1], [3, 1], [4, 1.5]] as const) {
      const rows = interruptions(seed, 3_000, 300, skew);
      for (const first of [1, 5, 20, 400]) {
        const { reads } = readsOver(rows, from, to);
        expect([seed, first, toTheEnd(busiestNodes(rankedCellsOf(from, to, true, () => everyDay(from, to))!, first, reads, Number.POSITIVE_INFINITY))]).toEqual([
          seed,
          first,
          everyNode(rows, from, to, first),
        ]);
      }
    }
  });

  it('ranks the lowest key first among equal counts, though its cells are read last', () => {
    // Two hundred nodes and "a", one interruption each of five days: cells of equal counts are read by key, last first.
    const nodes = ['a', ...Array.from({ length: 200 }, (_, i) => `f${String(i).padStart(3, '0')}`)];
    const rows = nodes.flatMap((node) => [0, 1, 2, 3, 4].map((day) => [node, DAY + day * DAY_MS + HOUR_MS] as [string, number]));
    const to = DAY + 5 * DAY_MS;
    expect(toTheEnd(busiestNodes(rankedCellsOf(DAY, to, true, () => everyDay(DAY, to))!, 1, readsOver(rows, DAY, to).reads))).toEqual([['a', 5]]);
  });

  it('counts a few of many nodes when some stand out', () => {
    const rows = interruptions(5, 20_000, 2_000, 1.01);
    const { reads, counted, met } = readsOver(rows, DAY, DAY + 2 * DAY_MS);
    const found = toTheEnd(busiestNodes(rankedCellsOf(DAY, DAY + 2 * DAY_MS, true, () => everyDay(DAY, DAY + 2 * DAY_MS))!, 10, reads));
    expect(found).toEqual(everyNode(rows, DAY, DAY + 2 * DAY_MS, 10));
    expect(met.size).toBeLessThan(400);
    expect(counted.flat().length).toBeLessThanOrEqual(met.size);
  });

  it('counts only the nodes met that could still take a place', () => {
    // Two hundred nodes with five interruptions on the first day, two hundred with five on the second, and "zz" with five
    // and one: the first step meets "zz" and 127 of each, after which "zz" leads with six. The rest met in the second step
    // have five where met and at most none in the list read to its end: they are not counted.
    const [first, second] = [DAY + HOUR_MS, DAY + DAY_MS + HOUR_MS];
    const rows = [
      ...Array.from({ length: 200 }, (_, i) => Array.from({ length: 5 }, () => [`a${String(i).padStart(3, '0')}`, first] as [string, number])).flat(),
      ...Array.from({ length: 200 }, (_, i) => Array.from({ length: 5 }, () => [`b${String(i).padStart(3, '0')}`, second] as [string, number])).flat(),
      ...Array.from({ length: 5 }, () => ['zz', first] as [string, number]),
      ['zz', second] as [string, number],
    ];
    const { reads, counted, met } = readsOver(rows, DAY, DAY + 2 * DAY_MS);
    expect(toTheEnd(busiestNodes(rankedCellsOf(DAY, DAY + 2 * DAY_MS, true, () => everyDay(DAY, DAY + 2 * DAY_MS))!, 1, reads))).toEqual([['zz', 6]]);
    expect([met.size, counted.flat().length]).toEqual([401, 256]);
  });

  it('gives up once more nodes than allowed were counted, however the rest would go', () => {
    const rows = alike(3_000);
    const { reads, counted } = readsOver(rows, DAY, DAY + 2 * DAY_MS);
    expect(toTheEnd(busiestNodes(rankedCellsOf(DAY, DAY + 2 * DAY_MS, true, () => everyDay(DAY, DAY + 2 * DAY_MS))!, 20, reads, 500))).toBeNull();
    expect(counted.flat().length).toBeLessThan(3_000);
  });

  it('yields between its steps', () => {
    const rows = alike(3_000);
    const steps = busiestNodes(rankedCellsOf(DAY, DAY + 2 * DAY_MS, true, () => everyDay(DAY, DAY + 2 * DAY_MS))!, 20, readsOver(rows, DAY, DAY + 2 * DAY_MS).reads, Number.POSITIVE_INFINITY);
    let yields = 0;
    for (let step = steps.next(); step.done !== true; step = steps.next()) yields++;
    expect(yields).toBeGreaterThanOrEqual(4);
  });
});
