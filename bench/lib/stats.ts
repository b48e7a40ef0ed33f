// Percentiles and summaries of measured latencies.
import { percentile } from '../../src/simulation/simulateTraffic';

/** Nearest-rank, shared with the simulator's summary. */
export { percentile };

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]!,
    mean: sorted.length === 0 ? NaN : sum / sorted.length,
  };
}

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? NaN : values.reduce((total, value) => total + value, 0) / values.length;

export const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);
