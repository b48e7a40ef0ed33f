// What a load generator is asked to do and what it hands back: autocannon (its own process) and wrk alike.

export interface LoadOptions {
  url: string;
  requestsFile: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  status2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Distinct bodies available, and requests sent in all (warm-up included): beyond the first, a body repeats. */
  distinctBodies: number;
  sentInAll: number;
  /** CPU the load generator itself used during the measured run (every thread), in seconds. */
  loadCpuSeconds: number;
}

/** What autocannonLoad.js writes to stderr when its measured run starts, after the warm-up. */
export const MEASURING_MARKER = 'autocannon-measuring';
