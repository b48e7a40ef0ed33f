// Which rollup cells an interruption counts in, and how a time range is split between the rollups and the interruptions.
import { PERIODS, periodStart, rollupCells, type RollupCells } from '../../src/readmodels/insights/interruptionRollups';
import { statsPlan as currentPlan } from '../../src/readmodels/insights/statsPlan';
import type { InterruptionFacts, InterruptionGrouping } from '../../src/readmodels/insights/interruptionStats';

const H = 3_600_000;
const D = 24 * H;
const at = (hours: number, minutes = 0) => hours * H + minutes * 60_000;

describe('rollup cells', () => {
  const facts: InterruptionFacts = [at(25, 30), 18, 501, 'a.example', 'n1', 60_000];

  it('counts an interruption by five minutes, hour and day over every domain, and within its domain by day (by five minutes and hour only all of them)', () => {
    const cells = rollupCells(facts).map((c) => `${c.period} ${c.dimension} ${c.scope || '*'} ${c.start / H} ${c.key}`);
    expect(cells.sort()).toEqual(
      [
        // By five minutes as by hour, but never by node: 25:30 is in the five minutes from 25:30.
        'FIVE_MINUTES ALL * 25.5 ',
        'FIVE_MINUTES ALL a.example 25.5 ',
        'FIVE_MINUTES DOMAIN * 25.5 a.example',
        'FIVE_MINUTES ERRCODE * 25.5 18:501',
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
        // No week cells: whole days in a row are read from running totals.
      ].sort(),
    );
  });

  it('begins UTC weeks on Monday at midnight (the week cells of the files that have them)', () => {
    const weekOf = (iso: string) => periodStart(PERIODS.find(([period]) => period === 'WEEK')!, Date.parse(iso));
    expect(new Date(weekOf('2024-05-05T23:59:59.999Z')).toISOString()).toBe('2024-04-29T00:00:00.000Z');
    expect(new Date(weekOf('2024-05-06T00:00:00.000Z')).toISOString()).toBe('2024-05-06T00:00:00.000Z');
    expect(new Date(weekOf('2024-05-12T12:00:00.000Z')).toISOString()).toBe('2024-05-06T00:00:00.000Z');
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

/** The files of version 6 have no five-minute cells: the plans below are theirs, with hours the shortest cells. */
const HOURS_AT_LEAST: RollupCells = { weeks: true, fiveMinutes: false };
const statsPlan = (from: number, to: number, grouping: InterruptionGrouping, domain: string | null, cells = HOURS_AT_LEAST) =>
  currentPlan(from, to, grouping, domain, cells);

describe('statistics plan', () => {
  it('reads a range within one hour, or without a whole hour, from the interruptions alone', () => {
    expect(statsPlan(at(1, 10), at(1, 50), 'ERRCODE', null)).toEqual({ scanned: [[at(1, 10), at(1, 50)]], rolled: [], takenBack: [] });
    expect(statsPlan(at(1, 30), at(2, 15), 'HOUR', null)).toEqual({ scanned: [[at(1, 30), at(2, 15)]], rolled: [], takenBack: [] });
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
      takenBack: [],
    });
  });

  it('reads a day and takes back its hours before the range when the range holds most of that day', () => {
    // 20 of the first day's hours are in the range: its day cell, less 4 hour cells, instead of 20 hour cells.
    expect(statsPlan(at(3, 40), at(50, 10), 'ERRCODE', null)).toEqual({
      scanned: [
        [at(3, 40), at(4)],
        [at(50), at(50, 10)],
      ],
      rolled: [
        { period: 'DAY', from: 0, to: D },
        { period: 'DAY', from: D, to: 2 * D },
        { period: 'HOUR', from: 2 * D, to: at(50) },
      ],
      takenBack: [{ period: 'HOUR', from: 0, to: at(4) }],
    });
    // And at the far end: 22 of the last day's hours.
    expect(statsPlan(at(23), at(70), 'ERRCODE', null)).toEqual({
      scanned: [],
      rolled: [
        { period: 'HOUR', from: at(23), to: D },
        { period: 'DAY', from: D, to: 2 * D },
        { period: 'DAY', from: 2 * D, to: 3 * D },
      ],
      takenBack: [{ period: 'HOUR', from: at(70), to: 3 * D }],
    });
  });

  it('reads hour cells alone when grouped by hour, and aligned ends read nothing one by one', () => {
    expect(statsPlan(0, 3 * D, 'HOUR', 'a.example')).toEqual({ scanned: [], rolled: [{ period: 'HOUR', from: 0, to: 3 * D }], takenBack: [] });
    expect(statsPlan(0, 3 * D, 'DAY', null)).toEqual({ scanned: [], rolled: [{ period: 'DAY', from: 0, to: 3 * D }], takenBack: [] });
  });

  it('reads the partial days one by one when grouped by errcode or node within a domain, which has no hour cells for them', () => {
    expect(statsPlan(at(22, 20), at(50, 10), 'NODE', 'a.example')).toEqual({
      scanned: [
        [at(22, 20), D],
        [2 * D, at(50, 10)],
      ],
      rolled: [{ period: 'DAY', from: D, to: 2 * D }],
      takenBack: [],
    });
    expect(statsPlan(at(2), at(30), 'ERRCODE', 'a.example')).toEqual({ scanned: [[at(2), at(30)]], rolled: [], takenBack: [] });
  });

  it('reads a day less its hours outside the range when the range holds most of that day but no whole one', () => {
    // 23 hours across midnight, 22 of them in the second day: 3 hour cells and a day cell less one, instead of 24.
    expect(statsPlan(at(22, 20), at(47, 30), 'ERRCODE', null)).toEqual({
      scanned: [
        [at(22, 20), at(23)],
        [at(47), at(47, 30)],
      ],
      rolled: [
        { period: 'HOUR', from: at(23), to: D },
        { period: 'DAY', from: D, to: 2 * D },
      ],
      takenBack: [{ period: 'HOUR', from: at(47), to: 2 * D }],
    });
    // Half of each day: hour cells, as before.
    expect(statsPlan(at(12), at(36), 'ERRCODE', null).rolled).toEqual([{ period: 'HOUR', from: at(12), to: at(36) }]);
    // Within one domain by domain: 22 hours of the first day, 6 of the second.
    expect(statsPlan(at(2), at(30), 'DOMAIN', 'a.example')).toEqual({
      scanned: [],
      rolled: [
        { period: 'DAY', from: 0, to: D },
        { period: 'HOUR', from: D, to: at(30) },
      ],
      takenBack: [{ period: 'HOUR', from: 0, to: at(2) }],
    });
  });

  describe('over several weeks', () => {
    /** 2024-05-01 is a Wednesday; the whole weeks within the range below are those of May 6, 13 and 20. */
    const may = (day: number, hours = 0, minutes = 0) => Date.UTC(2024, 4, day, hours, minutes);

    it('reads whole weeks from week cells, the days around them from day cells, the hours around those from hour cells', () => {
      expect(statsPlan(may(1, 10, 20), may(29, 5, 10), 'NODE', null)).toEqual({
        scanned: [
          [may(1, 10, 20), may(1, 11)],
          [may(29, 5), may(29, 5, 10)],
        ],
        // 13 hours of May 1: its day cell less 11 hour cells.
        rolled: [
          { period: 'DAY', from: may(1), to: may(2) },
          { period: 'DAY', from: may(2), to: may(6) },
          { period: 'WEEK', from: may(6), to: may(27) },
          { period: 'DAY', from: may(27), to: may(29) },
          { period: 'HOUR', from: may(29), to: may(29, 5) },
        ],
        takenBack: [{ period: 'HOUR', from: may(1), to: may(1, 11) }],
      });
    });

    it('reads weeks from Monday to Monday alone, and days alone when the range holds no whole week nor most of one', () => {
      expect(statsPlan(may(6), may(20), 'ERRCODE', null)).toEqual({ scanned: [], rolled: [{ period: 'WEEK', from: may(6), to: may(20) }], takenBack: [] });
      expect(statsPlan(may(9), may(13, 1), 'DOMAIN', null).rolled).toEqual([
        { period: 'DAY', from: may(9), to: may(13) },
        { period: 'HOUR', from: may(13), to: may(13, 1) },
      ]);
      // Six of its seven days: the week cell less one day cell.
      expect(statsPlan(may(7), may(13, 1), 'DOMAIN', null)).toEqual({
        scanned: [],
        rolled: [
          { period: 'WEEK', from: may(6), to: may(13) },
          { period: 'HOUR', from: may(13), to: may(13, 1) },
        ],
        takenBack: [{ period: 'DAY', from: may(6), to: may(7) }],
      });
    });

    it('reads no week cells grouped by day, which a week cell cannot split into, nor from a file of the version before them', () => {
      const byDays = [
        { period: 'DAY', from: may(1), to: may(2) },
        { period: 'DAY', from: may(2), to: may(29) },
        { period: 'HOUR', from: may(29), to: may(29, 5) },
      ];
      expect(statsPlan(may(1, 10, 20), may(29, 5, 10), 'DAY', null).rolled).toEqual(byDays);
      expect(statsPlan(may(1, 10, 20), may(29, 5, 10), 'NODE', null, { weeks: false, fiveMinutes: false }).rolled).toEqual(byDays);
      expect(statsPlan(may(1, 10, 20), may(29, 5, 10), 'HOUR', null).rolled).toEqual([{ period: 'HOUR', from: may(1, 11), to: may(29, 5) }]);
    });

    it('reads the partial days one by one and the days around whole weeks from day cells by errcode or node within a domain', () => {
      expect(statsPlan(may(1, 10, 20), may(29, 5, 10), 'ERRCODE', 'a.example')).toEqual({
        scanned: [
          [may(1, 10, 20), may(2)],
          [may(29), may(29, 5, 10)],
        ],
        rolled: [
          { period: 'DAY', from: may(2), to: may(6) },
          { period: 'WEEK', from: may(6), to: may(27) },
          { period: 'DAY', from: may(27), to: may(29) },
        ],
        takenBack: [],
      });
    });
  });
});

describe('statistics plan with five-minute cells', () => {
  const M = 60_000;

  it('reads the whole five minutes at the ends of a range from their cells, and only what is left of the ends one by one', () => {
    // One hour from 22:13:37: 22:15 to 23:00 is most of the 22:00 hour, so its cell less 22:00 to 22:15.
    expect(currentPlan(at(22, 13) + 37_000, at(23, 13) + 37_000, 'DOMAIN', null)).toEqual({
      scanned: [
        [at(22, 13) + 37_000, at(22, 15)],
        [at(23, 10), at(23, 13) + 37_000],
      ],
      rolled: [
        { period: 'HOUR', from: at(22), to: at(23) },
        { period: 'FIVE_MINUTES', from: at(23), to: at(23, 10) },
      ],
      takenBack: [{ period: 'FIVE_MINUTES', from: at(22), to: at(22, 15) }],
    });
    // Grouped by hour too: a range without a whole hour is five-minute cells.
    expect(currentPlan(at(1, 30), at(2, 15), 'HOUR', null)).toEqual({ scanned: [], rolled: [{ period: 'FIVE_MINUTES', from: at(1, 30), to: at(2, 15) }], takenBack: [] });
    // Most of one hour: its cell less the five minutes outside the range.
    expect(currentPlan(at(1, 10), at(1, 50), 'ERRCODE', null)).toEqual({
      scanned: [],
      rolled: [{ period: 'HOUR', from: at(1), to: at(2) }],
      takenBack: [
        { period: 'FIVE_MINUTES', from: at(1), to: at(1, 10) },
        { period: 'FIVE_MINUTES', from: at(1, 50), to: at(2) },
      ],
    });
  });

  it('has none by node, nor by errcode or node within a domain: those plans are as before', () => {
    for (const [grouping, domain] of [
      ['NODE', null],
      ['NODE', 'a.example'],
      ['ERRCODE', 'a.example'],
    ] as const) {
      expect(currentPlan(at(22, 13) + 37_000, at(50, 2) + 5 * M, grouping, domain)).toEqual(statsPlan(at(22, 13) + 37_000, at(50, 2) + 5 * M, grouping, domain));
    }
    // Within a domain by domain, hour or day, the domain's own five-minute cells serve.
    expect(currentPlan(at(1, 30), at(1, 45), 'DAY', 'a.example').rolled).toEqual([{ period: 'FIVE_MINUTES', from: at(1, 30), to: at(1, 45) }]);
  });

  it('reads whole weeks as days, which the running totals answer, as a file of this version has no week cells', () => {
    // 2024-05-01 10:20 to 2024-05-29 05:10 holds the weeks of May 6, 13 and 20.
    const [from, to] = [Date.UTC(2024, 4, 1, 10, 20), Date.UTC(2024, 4, 29, 5, 10)];
    const periods = (plan: ReturnType<typeof currentPlan>) => [...plan.rolled, ...plan.takenBack].map((range) => range.period);
    expect(periods(statsPlan(from, to, 'NODE', null))).toContain('WEEK');
    expect(periods(currentPlan(from, to, 'NODE', null))).not.toContain('WEEK');
    expect(currentPlan(from, to, 'NODE', null)).toEqual(statsPlan(from, to, 'NODE', null, { weeks: false, fiveMinutes: false }));
  });
});

