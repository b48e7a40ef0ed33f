// Which rollup cells an interruption counts in, and how a time range is split between the rollups and the interruptions.
import { rollupCells, statsPlan } from '../../src/readmodels/insights/interruptionRollups';
import type { InterruptionFacts } from '../../src/readmodels/insights/interruptionStats';

const H = 3_600_000;
const D = 24 * H;
const at = (hours: number, minutes = 0) => hours * H + minutes * 60_000;

describe('rollup cells', () => {
  const facts: InterruptionFacts = [at(25, 30), 18, 501, 'a.example', 'n1', 60_000];

  it('counts an interruption by hour and day over every domain, and within its domain by day (by hour only all of them)', () => {
    const cells = rollupCells(facts).map((c) => `${c.period} ${c.dimension} ${c.scope || '*'} ${c.start / H} ${c.key}`);
    expect(cells.sort()).toEqual(
      [
        'DAY ALL * 24 ',
        'DAY ALL a.example 24 ',
        'DAY DOMAIN * 24 a.example',
        'DAY ERRCODE * 24 18:501',
        'DAY ERRCODE a.example 24 18:501',
        'DAY NODE * 24 n1',
        'DAY NODE a.example 24 n1',
        'HOUR ALL * 25 ',
        'HOUR ALL a.example 25 ',
        'HOUR DOMAIN * 25 a.example',
        'HOUR ERRCODE * 25 18:501',
        'HOUR NODE * 25 n1',
      ].sort(),
    );
  });

  it('keys an interruption without domain or node as the groupings do, and gives it no domain of its own', () => {
    const cells = rollupCells([at(1), null, null, null, null, null]);
    expect(cells.every((c) => c.scope === '')).toBe(true);
    expect(cells.filter((c) => c.period === 'HOUR').map((c) => [c.dimension, c.key])).toEqual([
      ['ERRCODE', 'none'],
      ['NODE', 'unknown'],
      ['ALL', ''],
      ['DOMAIN', 'unknown'],
    ]);
  });
});

describe('statistics plan', () => {
  it('reads a range within one hour, or without a whole hour, from the interruptions alone', () => {
    expect(statsPlan(at(1, 10), at(1, 50), 'ERRCODE', null)).toEqual({ scanned: [[at(1, 10), at(1, 50)]], rolled: [] });
    expect(statsPlan(at(1, 30), at(2, 15), 'HOUR', null)).toEqual({ scanned: [[at(1, 30), at(2, 15)]], rolled: [] });
  });

  it('reads whole days from day cells, the hours around them from hour cells, and the partial hours at the ends one by one', () => {
    expect(statsPlan(at(22, 20), at(50, 10), 'ERRCODE', null)).toEqual({
      scanned: [
        [at(22, 20), at(23)],
        [at(50), at(50, 10)],
      ],
      rolled: [
        { period: 'HOUR', from: at(23), to: D },
        { period: 'DAY', from: D, to: 2 * D },
        { period: 'HOUR', from: 2 * D, to: at(50) },
      ],
    });
  });

  it('reads hour cells alone when grouped by hour, and aligned ends read nothing one by one', () => {
    expect(statsPlan(0, 3 * D, 'HOUR', 'a.example')).toEqual({ scanned: [], rolled: [{ period: 'HOUR', from: 0, to: 3 * D }] });
    expect(statsPlan(0, 3 * D, 'DAY', null)).toEqual({ scanned: [], rolled: [{ period: 'DAY', from: 0, to: 3 * D }] });
  });

  it('reads the partial days one by one when grouped by errcode or node within a domain, which has no hour cells for them', () => {
    expect(statsPlan(at(22, 20), at(50, 10), 'NODE', 'a.example')).toEqual({
      scanned: [
        [at(22, 20), D],
        [2 * D, at(50, 10)],
      ],
      rolled: [{ period: 'DAY', from: D, to: 2 * D }],
    });
    expect(statsPlan(at(2), at(30), 'ERRCODE', 'a.example')).toEqual({ scanned: [[at(2), at(30)]], rolled: [] });
    expect(statsPlan(at(2), at(30), 'DOMAIN', 'a.example').rolled).toEqual([{ period: 'HOUR', from: at(2), to: at(30) }]);
  });
});
