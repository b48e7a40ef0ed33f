// Percentiles of a sample by the nearest-rank method: always a value that was measured, never an interpolation (what the histograms approximate).

/** The p-th percentile (0 < p <= 100) of values sorted ascending; null for no values. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
