// Every node's count over a range from its hours: which hours and parts of hours count, and the first nodes of the totals.
import { firstCounted, hourPlanOf } from '../../src/readmodels/insights/nodeHourCounts';

const at = (time: string) => Date.parse(`2024-01-01T${time}Z`);

describe('hourPlanOf', () => {
  it('counts whole hours from their cells and nothing one by one', () => {
    expect(hourPlanOf(at('05:00'), at('08:00'))).toEqual({ hours: [at('05:00'), at('06:00'), at('07:00')], scanned: [] });
  });

  it('counts the interruptions of a cut hour one by one where at most half of it is in the range', () => {
    expect(hourPlanOf(at('05:40'), at('07:20'))).toEqual({
      hours: [at('06:00')],
      scanned: [
        { from: at('05:40'), to: at('06:00'), weight: 1 },
        { from: at('07:00'), to: at('07:20'), weight: 1 },
      ],
    });
  });

  it('counts a cut hour mostly in the range as the hour less the interruptions outside it', () => {
    expect(hourPlanOf(at('05:20'), at('07:45'))).toEqual({
      hours: [at('05:00'), at('06:00'), at('07:00')],
      scanned: [
        { from: at('05:00'), to: at('05:20'), weight: -1 },
        { from: at('07:45'), to: at('08:00'), weight: -1 },
      ],
    });
    // Inside one hour: both ends taken off it.
    expect(hourPlanOf(at('05:05'), at('05:55'))).toEqual({
      hours: [at('05:00')],
      scanned: [
        { from: at('05:00'), to: at('05:05'), weight: -1 },
        { from: at('05:55'), to: at('06:00'), weight: -1 },
      ],
    });
    expect(hourPlanOf(at('05:10'), at('05:30'))).toEqual({ hours: [], scanned: [{ from: at('05:10'), to: at('05:30'), weight: 1 }] });
  });
});

describe('firstCounted', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const nameOf = (node: number) => names[node]!;

  it('answers the first nodes by count, then by name, leaving out those counted none', () => {
    const totals = Int32Array.from([3, 7, 0, 3, 1, 7]);
    expect(firstCounted(totals, 3, nameOf)).toEqual([
      ['b', 7],
      ['f', 7],
      ['a', 3],
    ]);
    expect(firstCounted(totals, 10, nameOf)).toEqual([
      ['b', 7],
      ['f', 7],
      ['a', 3],
      ['d', 3],
      ['e', 1],
    ]);
    expect(firstCounted(Int32Array.from([0, 0]), 3, nameOf)).toEqual([]);
  });

  it('answers the same as sorting every node, whatever the counts', () => {
    let state = 5;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (const largest of [3, 50, 5_000_000]) {
      const totals = Int32Array.from({ length: 2_000 }, () => next() % largest);
      const keyOf = (node: number) => `node-${String(node).padStart(4, '0')}`;
      const sorted = [...totals]
        .map((count, node): [string, number] => [keyOf(node), count])
        .filter(([, count]) => count > 0)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const first of [1, 20, 1_999]) expect(firstCounted(totals, first, keyOf)).toEqual(sorted.slice(0, first));
    }
  });
});
