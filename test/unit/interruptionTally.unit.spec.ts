// Interruption buckets from a tally: the order they come in, and the first few alone.
import { HOUR_MS, InterruptionTally, type InterruptionFacts, type InterruptionGrouping } from '../../src/readmodels/insights/interruptionStats';

const row = (at: number, errcode: number, pushDurationMs: number | null = null): InterruptionFacts => [at, errcode, 0, 'a.example', 'n1', pushDurationMs];

function tallied(grouping: InterruptionGrouping, rows: InterruptionFacts[]) {
  const tally = new InterruptionTally(grouping);
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
      expect(tallied(grouping, rows).buckets(2)).toEqual(all.slice(0, 2));
      expect(tallied(grouping, rows).buckets(10)).toEqual(all);
    }
    expect(tallied('ERRCODE', rows).buckets(1)).toEqual([{ key: '3:0', count: 3, pushDurationP50Ms: 20, pushDurationP90Ms: 30 }]);
  });
});
