// Interruption buckets from a tally: the order they come in, and the first few alone.
import { CellHistogram, DurationHistogram } from '../../src/readmodels/insights/durationHistogram';
import { firstInOrder, HOUR_MS, InterruptionTally, type InterruptionFacts, type InterruptionGrouping } from '../../src/readmodels/insights/interruptionStats';

const row = (at: number, errcode: number, pushDurationMs: number | null = null): InterruptionFacts => [at, errcode, 0, 'a.example', 'n1', pushDurationMs];

function tallied(grouping: InterruptionGrouping, rows: InterruptionFacts[], first?: number) {
  const tally = new InterruptionTally(grouping, first);
  for (const r of rows) tally.add(r);
  return tally;
}

describe('interruption buckets', () => {
  // Errcode 3 three times (the latest hour), 1 twice (the earliest), 2 once (between).
  const rows = [row(2 * HOUR_MS, 3, 30), row(2 * HOUR_MS + 1, 3, 10), row(2 * HOUR_MS + 2, 3, 20), row(0, 1, 5), row(1, 1, 7), row(HOUR_MS, 2)];

  it('orders buckets by count, largest first, and by time oldest first', () => {
    expect(tallied('ERRCODE', rows).buckets().map((b) => [b.key, b.count])).toEqual([
      ['3:0', 3],
      ['1:0', 2],
      ['2:0', 1],
    ]);
    expect(tallied('HOUR', rows).buckets().map((b) => [b.key, b.count])).toEqual([
      ['1970-01-01T00:00:00.000Z', 2],
      ['1970-01-01T01:00:00.000Z', 1],
      ['1970-01-01T02:00:00.000Z', 3],
    ]);
  });

  it('answers the first few alone: the largest, or the oldest, with the same percentiles as in the whole answer', () => {
    for (const grouping of ['ERRCODE', 'HOUR'] as const) {
      const all = tallied(grouping, rows).buckets();
      expect(tallied(grouping, rows, 2).buckets()).toEqual(all.slice(0, 2));
      expect(tallied(grouping, rows, 10).buckets()).toEqual(all);
    }
    expect(tallied('ERRCODE', rows, 1).buckets()).toEqual([{ key: '3:0', count: 3, pushDurationP50Ms: 20, pushDurationP90Ms: 30 }]);
  });
});

/** A rollup cell's histogram, encoded as stored, of these durations. */
function encoded(...durations: number[]): Uint8Array {
  const histogram = new CellHistogram();
  for (const ms of durations) histogram.add(ms);
  return histogram.encode();
}

describe('the first buckets alone', () => {
  it('reads the histograms of the buckets answered only, and answers as the whole answer does', () => {
    // Node n0 in three cells, n1 in two, n2 to n9 in one each (one of them with a duration read one by one too).
    const cells: Array<[string, Uint8Array]> = [
      ['n0', encoded(10, 20)],
      ['n0', encoded(30)],
      ['n0', encoded(40)],
      ['n1', encoded(50)],
      ['n1', encoded(60, 70)],
      ...Array.from({ length: 8 }, (_, i): [string, Uint8Array] => [`n${i + 2}`, encoded(100 + i)]),
    ];
    const answer = (first?: number) => {
      const read: string[] = [];
      const tally = new InterruptionTally('NODE', first);
      cells.forEach(([key, histogram], i) => {
        const count = new DurationHistogram();
        count.addEncoded(histogram);
        const lazily = () => (read.push(`${key}#${i}`), histogram);
        tally.addCell(0, key, { count: count.total, histogram: tally.histogramsLater ? lazily : histogram, percentiles: null }, 1);
      });
      tally.add([1, null, null, null, 'n5', 7]);
      return { buckets: tally.buckets(), read };
    };
    const whole = answer();
    expect(whole.buckets.map((b) => [b.key, b.count])).toEqual([['n0', 4], ['n1', 3], ['n5', 2], ['n2', 1], ['n3', 1], ['n4', 1], ['n6', 1], ['n7', 1], ['n8', 1], ['n9', 1]]);
    const firstTwo = answer(2);
    expect(firstTwo.buckets).toEqual(whole.buckets.slice(0, 2));
    expect(firstTwo.read.sort()).toEqual(['n0#0', 'n0#1', 'n0#2', 'n1#3', 'n1#4']);
    expect(answer(3).buckets).toEqual(whole.buckets.slice(0, 3));
    expect(whole.read).toEqual([]);
  });

  it('adds cells by their counts alone, reading again only the cells of the buckets answered, those taken back too', () => {
    // [start, node, durations, weight]: n0 in three hours less one interruption of the last taken back, n1 in two.
    const cells: Array<[number, string, number[], 1 | -1]> = [
      [0, 'n0', [10, 20], 1],
      [HOUR_MS, 'n0', [30], 1],
      [2 * HOUR_MS, 'n0', [40, 45], 1],
      [2 * HOUR_MS, 'n0', [45], -1],
      [0, 'n1', [50], 1],
      [HOUR_MS, 'n1', [60, 70], 1],
      ...Array.from({ length: 8 }, (_, i): [number, string, number[], 1 | -1] => [0, `n${i + 2}`, [100 + i], 1]),
    ];
    const byStart = new Map(cells.filter(([, , , weight]) => weight === 1).map(([start, key, durations]) => [`${key}@${start}`, encoded(...durations)]));
    const takenBack = new Map(cells.filter(([, , , weight]) => weight === -1).map(([start, key, durations]) => [`${key}@${start}`, encoded(...durations)]));
    const whole = new InterruptionTally('NODE');
    for (const [start, key, durations, weight] of cells) {
      whole.addCell(start, key, { count: durations.length, histogram: encoded(...durations), percentiles: null }, weight);
    }
    const read: string[] = [];
    const counted = new InterruptionTally('NODE', 2);
    const fromCells = counted.cellsCounted((start, key) => ({ histogram: () => (read.push(`${key}@${start}`), byStart.get(`${key}@${start}`)!), percentiles: null }));
    const fromTakenBack = counted.cellsCounted((start, key) => ({ histogram: () => (read.push(`${key}@${start} back`), takenBack.get(`${key}@${start}`)!), percentiles: null }));
    for (const [start, key, durations, weight] of cells) (weight === 1 ? fromCells : fromTakenBack)(start, key, durations.length, weight);
    expect(read).toEqual([]);
    const answered = counted.buckets();
    expect(answered.map((b) => [b.key, b.count])).toEqual([
      ['n0', 4],
      ['n1', 3],
    ]);
    expect(answered).toEqual(whole.buckets().slice(0, 2));
    expect(read.sort()).toEqual([`n0@${2 * HOUR_MS} back`, 'n0@0', `n0@${2 * HOUR_MS}`, `n0@${HOUR_MS}`, 'n1@0', `n1@${HOUR_MS}`].sort());
    expect(() => new InterruptionTally('HOUR', 2).cellsCounted(() => ({ histogram: null, percentiles: null }))).toThrow('cells by HOUR');
  });

  it('keeps the first n in order as sorting all would, ties and all', () => {
    const random = (seed: number) => () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const next = random(7);
    const order = (a: [number, string], b: [number, string]) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1);
    for (let round = 0; round < 50; round++) {
      const items = Array.from({ length: Math.floor(next() * 300) }, (_, i): [number, string] => [Math.floor(next() * 4), `k${i}`]);
      const kept = (item: [number, string]) => item[0] !== 0;
      const sorted = items.filter(kept).sort(order);
      for (const n of [1, 5, 20, 2_000]) expect(firstInOrder(items, n, order, kept)).toEqual(sorted.slice(0, n));
    }
  });
});
