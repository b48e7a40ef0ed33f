// The partial five minutes, hours or days at a statistic's ends: read one by one, or, mostly inside the range, their cell less the interruptions outside it.
import type { RollupCells } from '../../src/readmodels/insights/interruptionRollups';
import { statsPlan as currentPlan } from '../../src/readmodels/insights/statsPlan';
import type { InterruptionGrouping } from '../../src/readmodels/insights/interruptionStats';
import { fewerRowsRead, takeBackPartials, type RowsIn } from '../../src/readmodels/insights/partialPeriods';

const H = 3_600_000;
const D = 24 * H;
const at = (hours: number, minutes = 0) => hours * H + minutes * 60_000;
/** The files of version 6 have no five-minute cells: the plans below are theirs, with hours the shortest cells. */
const HOURS_AT_LEAST: RollupCells = { weeks: true, fiveMinutes: false };
const statsPlan = (from: number, to: number, grouping: InterruptionGrouping, domain: string | null) => currentPlan(from, to, grouping, domain, HOURS_AT_LEAST);
const plan = (from: number, to: number, grouping: InterruptionGrouping, domain: string | null = null, rowsIn?: RowsIn) =>
  takeBackPartials(statsPlan(from, to, grouping, domain), grouping, domain, rowsIn, HOURS_AT_LEAST);
/** As the files of this version have them. */
const planNow = (from: number, to: number, grouping: InterruptionGrouping, domain: string | null = null, rowsIn?: RowsIn) =>
  takeBackPartials(currentPlan(from, to, grouping, domain), grouping, domain, rowsIn);
/** Counts, up to `atMost`, the interruptions at `instants` in [from, to), and keeps the largest `atMost` asked for. */
const counted = (instants: number[]) => {
  const asked = { atMost: 0 };
  const rowsIn: RowsIn = (from, to, atMost) => {
    asked.atMost = Math.max(asked.atMost, atMost);
    return Math.min(atMost, instants.filter((t) => from <= t && t < to).length);
  };
  return { rowsIn, asked };
};

describe('partial periods at the ends of a statistic', () => {
  it('reads an hour mostly in the range from its cell, less the interruptions of it outside the range', () => {
    expect(plan(at(1, 10), at(1, 50), 'ERRCODE')).toEqual({
      scanned: [],
      rolled: [{ period: 'HOUR', from: at(1), to: at(2) }],
      takenBack: [],
      scannedBack: [
        [at(1), at(1, 10)],
        [at(1, 50), at(2)],
      ],
    });
  });

  it('reads an hour cut at :13:20 by one-hour ranges: the larger part from the cell, the smaller one by one', () => {
    expect(plan(at(5, 13) + 20_000, at(6, 13) + 20_000, 'DOMAIN')).toEqual({
      scanned: [[at(6), at(6, 13) + 20_000]],
      rolled: [{ period: 'HOUR', from: at(5), to: at(6) }],
      takenBack: [],
      scannedBack: [[at(5), at(5, 13) + 20_000]],
    });
  });

  it('keeps reading one by one the parts of an hour no larger than what lies outside the range', () => {
    expect(plan(at(1, 30), at(2, 15), 'HOUR')).toEqual(statsPlan(at(1, 30), at(2, 15), 'HOUR', null));
    expect(plan(at(22, 40), at(50, 10), 'ERRCODE')).toEqual(statsPlan(at(22, 40), at(50, 10), 'ERRCODE', null));
  });

  it('no longer takes back an hour cell out of its day when most of that hour is in the range', () => {
    // 21 of the first day's hours: its day cell less 3 hour cells, and 3:10 to 4:00 of the fourth hour.
    expect(plan(at(3, 10), at(50, 10), 'ERRCODE')).toEqual({
      scanned: [[at(50), at(50, 10)]],
      rolled: [
        { period: 'DAY', from: 0, to: D },
        { period: 'DAY', from: D, to: 2 * D },
        { period: 'HOUR', from: 2 * D, to: at(50) },
      ],
      takenBack: [{ period: 'HOUR', from: 0, to: at(3) }],
      scannedBack: [[at(3), at(3, 10)]],
    });
  });

  it('within a domain by errcode or node, does the same with partial days', () => {
    expect(plan(at(2), at(30), 'NODE', 'a.example')).toEqual({
      scanned: [[D, at(30)]],
      rolled: [{ period: 'DAY', from: 0, to: D }],
      takenBack: [],
      scannedBack: [[0, at(2)]],
    });
  });

  it('reads a cut hour from its cell where the longer rest of it holds fewer interruptions (a range ending now)', () => {
    // From 22:40 to 50:10, "now" at 50:10: the hours from 50:00 have nothing after 50:10 yet.
    const { rowsIn } = counted([at(50, 1), at(50, 5), at(50, 9)]);
    expect(plan(at(22, 40), at(50, 10), 'ERRCODE', null, rowsIn)).toEqual({
      ...plan(at(22, 40), at(50, 10), 'ERRCODE'),
      scanned: [[at(22, 40), at(23)]],
      rolled: [...plan(at(22, 40), at(50, 10), 'ERRCODE').rolled, { period: 'HOUR', from: at(50), to: at(51) }],
      scannedBack: [[at(50, 10), at(51)]],
    });
  });

  it('keeps reading one by one where the rest holds as many, and counts at most a thousand to know', () => {
    const busy = Array.from({ length: 5_000 }, (_, i) => at(1) + i * 700);
    const { rowsIn, asked } = counted(busy);
    expect(plan(at(1, 30), at(1, 40), 'DOMAIN', null, rowsIn)).toEqual(plan(at(1, 30), at(1, 40), 'DOMAIN'));
    expect(asked.atMost).toBeLessThanOrEqual(1_000);
    // Shorter outside than inside: the cell, as by time alone, nothing counted.
    const { rowsIn: unasked, asked: none } = counted(busy);
    expect(plan(at(1, 5), at(1, 55), 'DOMAIN', null, unasked)).toEqual(plan(at(1, 5), at(1, 55), 'DOMAIN'));
    expect(none.atMost).toBe(0);
  });

  it('with five-minute cells, cuts five minutes instead of an hour at each end', () => {
    // 22:13:37 to 23:13:37: 22:13:37 to 22:15 is less than the rest of its five minutes, read one by one; 23:10 to 23:13:37
    // is more, read from its cell less 23:13:37 to 23:15.
    expect(planNow(at(22, 13) + 37_000, at(23, 13) + 37_000, 'DOMAIN')).toEqual({
      scanned: [[at(22, 13) + 37_000, at(22, 15)]],
      rolled: [
        { period: 'HOUR', from: at(22), to: at(23) },
        { period: 'FIVE_MINUTES', from: at(23), to: at(23, 10) },
        { period: 'FIVE_MINUTES', from: at(23, 10), to: at(23, 15) },
      ],
      takenBack: [{ period: 'FIVE_MINUTES', from: at(22), to: at(22, 15) }],
      scannedBack: [[at(23, 13) + 37_000, at(23, 15)]],
    });
    // By node there are none: the hour, as in a file without them.
    expect(planNow(at(5, 13) + 20_000, at(6, 13) + 20_000, 'NODE')).toEqual(plan(at(5, 13) + 20_000, at(6, 13) + 20_000, 'NODE'));
  });

  describe('choosing between five-minute cells and hours', () => {
    const range = [at(22, 13) + 37_000, at(23, 13) + 37_000] as const;
    const both = (rowsIn: RowsIn) => fewerRowsRead(plan(...range, 'ERRCODE', null, rowsIn), planNow(...range, 'ERRCODE', null, rowsIn), rowsIn);

    it('takes five-minute cells where the cut hours are busy on both sides of the ends', () => {
      const { rowsIn } = counted(Array.from({ length: 720 }, (_, i) => at(22) + i * 10_000));
      expect(both(rowsIn)).toEqual(planNow(...range, 'ERRCODE', null, rowsIn));
    });

    it('takes the hours where the rest of each cut hour holds nothing (a range from before the first interruption to after the last)', () => {
      const { rowsIn } = counted([at(22, 30), at(22, 40), at(23, 5), at(23, 10)]);
      const hours = plan(...range, 'ERRCODE', null, rowsIn);
      expect(hours.scannedBack).toEqual([
        [at(22), range[0]],
        [range[1], at(24)],
      ]);
      expect(both(rowsIn)).toEqual(hours);
    });
  });
});

