// The whole days of a statistic's plan, netted into the spans read from the running totals: what is left is read from the cells.
import { statsPlan } from '../../src/readmodels/insights/statsPlan';
import { wholeDaySpans } from '../../src/readmodels/insights/runningTotals';

const H = 3_600_000;
const D = 24 * H;
/** 1970-01-05, the first Monday of the epoch: UTC weeks begin on Mondays. */
const MONDAY = 4 * D;

describe('whole days of a plan as spans', () => {
  it('reads the days and weeks between two partial days as one span; the hours stay cells', () => {
    // Wednesday 01:00 to the Wednesday four weeks on, 05:00: Wednesday less its first hour, the days to Monday, three weeks, two days, five hours.
    const plan = statsPlan(MONDAY + 2 * D + H, MONDAY + 30 * D + 5 * H, 'NODE', null, { weeks: true, fiveMinutes: false });
    expect(plan.rolled.map((range) => range.period)).toEqual(['DAY', 'DAY', 'WEEK', 'DAY', 'HOUR']);
    expect(wholeDaySpans(plan)).toEqual({
      spans: [[MONDAY + 2 * D, MONDAY + 30 * D]],
      rest: { rolled: [{ period: 'HOUR', from: MONDAY + 30 * D, to: MONDAY + 30 * D + 5 * H }], takenBack: [{ period: 'HOUR', from: MONDAY + 2 * D, to: MONDAY + 2 * D + H }] },
    });
  });

  it('nets a week read whole less the days of it before the range, one of them the day read for its hours', () => {
    // Tuesday 01:00: Tuesday read whole less its first hour; Wednesday to Sunday as the week less Monday and Tuesday.
    // In a file with week cells (versions 4 to 6) and five-minute ones (7 on): the netting of either.
    const plan = statsPlan(MONDAY + D + H, MONDAY + 14 * D + 30 * 60_000, 'ERRCODE', null, { weeks: true, fiveMinutes: true });
    expect(plan.takenBack).toContainEqual({ period: 'DAY', from: MONDAY, to: MONDAY + 2 * D });
    // The half hour after the last day is six five-minute cells: they stay cells.
    expect(wholeDaySpans(plan)).toEqual({
      spans: [[MONDAY + D, MONDAY + 14 * D]],
      rest: {
        rolled: [{ period: 'FIVE_MINUTES', from: MONDAY + 14 * D, to: MONDAY + 14 * D + 30 * 60_000 }],
        takenBack: [{ period: 'HOUR', from: MONDAY + D, to: MONDAY + D + H }],
      },
    });
  });

  it('keeps two spans apart where a day between them is not read', () => {
    const plan = {
      rolled: [{ period: 'DAY' as const, from: 0, to: 2 * D }, { period: 'DAY' as const, from: 3 * D, to: 9 * D }],
      takenBack: [{ period: 'DAY' as const, from: 8 * D, to: 9 * D }],
    };
    expect(wholeDaySpans(plan).spans).toEqual([[0, 2 * D], [3 * D, 8 * D]]);
  });

  it('leaves a plan that reads a day twice, or takes back one not read, as it is', () => {
    const twice = { rolled: [{ period: 'WEEK' as const, from: 0, to: 7 * D }, { period: 'DAY' as const, from: D, to: 2 * D }], takenBack: [] };
    expect(wholeDaySpans(twice)).toEqual({ spans: [], rest: twice });
    const notRead = { rolled: [{ period: 'DAY' as const, from: D, to: 2 * D }], takenBack: [{ period: 'DAY' as const, from: 0, to: D }] };
    expect(wholeDaySpans(notRead)).toEqual({ spans: [], rest: notRead });
  });
});
