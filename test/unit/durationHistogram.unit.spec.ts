// Push-duration histograms: percentiles within 1 % of the nearest rank, exact for values alone in their bucket, stored and taken back.
import fc from 'fast-check';
import { bucketOf, CellHistogram, DurationHistogram, PERCENTILE_RELATIVE_ERROR } from '../../src/readmodels/insights/durationHistogram';
import { nearestRank } from '../../src/readmodels/insights/percentiles';

const histogramOf = (values: readonly number[]) => {
  const histogram = new DurationHistogram();
  for (const value of values) histogram.add(value);
  return histogram;
};

/** The values stored, as a rollup cell's writer packs them. */
const storedOf = (values: readonly number[]) => {
  const cell = new CellHistogram();
  for (const value of values) cell.add(value);
  return cell.encode();
};

/** Each bucket holding values, with its count and sum, lowest first. */
const bucketsOf = (histogram: DurationHistogram) => {
  const buckets: Array<[number, number, number]> = [];
  histogram.forEachBucket((bucket, count, sum) => buckets.push([bucket, count, sum]));
  return buckets;
};

const withinBound = (answer: number | null, exact: number | null) =>
  exact === null ? answer === null : answer !== null && Math.abs(answer - exact) <= PERCENTILE_RELATIVE_ERROR * Math.abs(exact);

/** Durations as CSS reports them: mostly seconds to hours, some tiny, zero or negative. */
const duration = fc.oneof(fc.integer({ min: 1_000, max: 86_400_000 }), fc.integer({ min: -1_000, max: 200 }));

describe('push-duration histogram', () => {
  it('answers each percentile within 1 % of the nearest-rank value', () => {
    fc.assert(
      fc.property(fc.array(duration, { maxLength: 300 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const sorted = Float64Array.from(values).sort();
        return withinBound(histogramOf(values).percentile(p), nearestRank(sorted, p));
      }),
      { numRuns: 300 },
    );
  });

  it('answers the measured value itself when its bucket holds one distinct value', () => {
    const values = [30_000, 30_000, 60_000, 120_000, 180_000, 0, 7];
    const sorted = Float64Array.from(values).sort();
    for (const p of [1, 20, 50, 70, 90, 100]) expect(histogramOf(values).percentile(p)).toBe(nearestRank(sorted, p));
  });

  it('keeps buckets in the order of their values, negative ones and zero included', () => {
    const values = [-86_400_000, -1_000, -2, -1, 0, 1, 2, 99, 100, 101, 1_000, 86_400_000, Number.MAX_SAFE_INTEGER];
    const buckets = values.map(bucketOf);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    expect(new Set(values.slice(0, 9).map(bucketOf)).size).toBe(9);
  });

  it('reads back what was stored, and takes back what was added', () => {
    fc.assert(
      fc.property(fc.array(duration, { maxLength: 100 }), fc.array(duration, { maxLength: 100 }), (kept, removed) => {
        const histogram = new DurationHistogram();
        histogram.addEncoded(storedOf([...kept, ...removed]));
        for (const value of removed) histogram.add(value, -1);
        expect(bucketsOf(histogram)).toEqual(bucketsOf(histogramOf(kept)));
        expect(histogram.total).toBe(kept.length);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to store a bucket taken below zero', () => {
    const cell = CellHistogram.decode(storedOf([1_000]));
    cell.add(2_000, -1);
    expect(() => cell.encode()).toThrow(RangeError);
  });

  describe("a cell's histogram, as its writer keeps it", () => {
    /** Values added (weight 1) or taken back (-1), in any order. */
    const changes = fc.array(fc.tuple(duration, fc.constantFrom(1, 1, -1)), { maxLength: 200 });

    it('stores what a dense histogram of the same changes holds, refuses what it would hold below zero, and answers the same percentiles', () => {
      fc.assert(
        fc.property(fc.array(duration, { maxLength: 100 }), fc.array(duration, { maxLength: 100 }), changes, fc.integer({ min: 1, max: 100 }), (stored, more, changed, p) => {
          const dense = histogramOf([...stored, ...more]);
          // Two stored histograms summed, as a running total and a day are.
          const cell = CellHistogram.decode(storedOf(stored));
          cell.addEncoded(storedOf(more));
          for (const [value, weight] of changed) {
            dense.add(value, weight);
            cell.add(value, weight);
          }
          expect(cell.total).toBe(dense.total);
          const belowZero = bucketsOf(dense).some(([, count]) => count <= 0);
          if (belowZero) {
            expect(() => cell.encode()).toThrow(RangeError);
            return;
          }
          const readBack = new DurationHistogram();
          readBack.addEncoded(cell.encode());
          expect(bucketsOf(readBack)).toEqual(bucketsOf(dense));
          expect(cell.percentile(p)).toBe(dense.percentile(p));
        }),
        { numRuns: 300 },
      );
    });

    it('is empty again when everything it held is taken back', () => {
      const cell = CellHistogram.decode(storedOf([1_000, 5_000, 5_000]));
      for (const value of [5_000, 1_000, 5_000]) cell.add(value, -1);
      expect(cell.encode()).toEqual(Buffer.alloc(0));
      expect(cell.percentile(50)).toBeNull();
    });
  });
});
