// Benchmark options from environment variables: full scale by default, BENCH_QUICK=1 for a small smoke run.
import fs from 'node:fs';
import path from 'node:path';

// Compiled to bench/.build/bench/config.js.
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const BENCH_DIR = path.join(REPO_ROOT, 'bench');
export const BUILD_DIR = path.join(BENCH_DIR, '.build', 'bench');
/** `npm run build`'s output, as built. */
export const DIST_DIR = path.join(REPO_ROOT, 'dist');
/**
 * The service the benchmarks run: a copy of dist/ taken when the run starts, so that a build by someone else during
 * the run (jest's global setup rebuilds dist/) cannot swap the code under a benchmark or catch it half-written.
 */
export const SERVICE_DIST = path.join(BENCH_DIR, '.build', 'dist');
export const SERVICE_CLI = path.join(SERVICE_DIST, 'cli.js');

/** Takes SERVICE_DIST afresh from dist/ as built, at the start of a run. */
export function copyServiceDist(): void {
  if (!fs.existsSync(path.join(DIST_DIR, 'cli.js'))) throw new Error(`${DIST_DIR}/cli.js is missing: run npm run build first (npm run bench does)`);
  fs.rmSync(SERVICE_DIST, { recursive: true, force: true });
  fs.cpSync(DIST_DIR, SERVICE_DIST, { recursive: true });
}

/** Secrets the benchmark signs with; the service is started with the same ones. */
export const CALLBACK_KEY = 'bench-callback-key';
export const CALLBACK_TOKEN = 'bench-relay-token-0123456789';

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return value;
}

/** A comma-separated list of positive numbers. */
function integers(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const values = raw.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (values.some((value) => !Number.isFinite(value) || value <= 0)) throw new Error(`${name}=${raw}: expected a comma-separated list of positive numbers`);
  return values;
}

export const INGEST_LOADS = ['wrk', 'autocannon'] as const;
export type IngestLoad = (typeof INGEST_LOADS)[number];

function ingestLoads(): IngestLoad[] {
  const raw = process.env.BENCH_INGEST_LOADS;
  if (raw === undefined || raw.trim() === '') return [...INGEST_LOADS];
  const chosen = raw.split(',').map((name) => name.trim());
  const unknown = chosen.filter((name) => !(INGEST_LOADS as readonly string[]).includes(name));
  if (unknown.length > 0 || chosen.length === 0) throw new Error(`BENCH_INGEST_LOADS=${raw}: expected a comma-separated list of ${INGEST_LOADS.join(', ')}`);
  return INGEST_LOADS.filter((name) => chosen.includes(name));
}

const flag = (name: string): boolean => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());

export interface BenchConfig {
  quick: boolean;
  /** Seed of every generated data set. */
  seed: number;
  ingest: {
    connections: number;
    durationSeconds: number;
    warmupSeconds: number;
    /** Baseline / service / naive runs, interleaved, this many times. */
    rounds: number;
    /** Distinct signed bodies the load rotates through (so the service stores new events, not duplicates). */
    bodies: number;
    /** Load generators, each run against every server: wrk (C) and autocannon (Node). */
    loads: IngestLoad[];
    /** wrk's threads (`-t`). */
    wrkThreads: number;
  };
  /** One run per rate in `rates` (callbacks per second), each on a fresh service. */
  subscription: { rates: number[]; seconds: number; warmupSeconds: number };
  /** Ingest under wrk with and without a forwarding destination, then a paced load of `rate` per second. */
  /** `concurrency`: the destination's, or null for the service's default. */
  forwarding: { rate: number; seconds: number; format: 'raw' | 'standard-webhooks'; concurrency: number | null };
  /** The dashboard in headless Chromium while callbacks arrive at `rate` per second. */
  dashboard: { rate: number; seconds: number; warmupSeconds: number; chromium: string };
  scale: {
    sessions: number;
    relayTasks: number;
    /** Sequential GraphQL requests per query kind. */
    queries: number;
    /** Keep bench/data/scale-... after the run and reuse it on the next one when it matches. */
    keepData: boolean;
    /** Rebuild the read models even when a kept data set has them already (default); false skips the rebuild benchmark. */
    rebuild: boolean;
    /** Whether the mixed-load and upgrade benchmarks run on a copy of the data set (BENCH_SERVING=0 skips them). */
    serving: boolean;
  };
  /**
   * On a copy of the scale data set: `clients` query clients at `ratePerClient` queries/s each, with callbacks at `rate`
   * per second (each load alone first, `seconds` each), then while `readModel` is rebuilt through the service.
   */
  serving: { rate: number; seconds: number; clients: number; ratePerClient: number; readModel: string };
  /** Run service processes with --cpu-prof into bench/profiles/. */
  cpuProfile: boolean;
  dataRoot: string;
  profileDir: string;
  reportFile: string;
  /** Settings every service the benchmarks start is given (BENCH_SERVICE_ENV=NAME=value,NAME=value): one side of an A/B. */
  serviceEnv: Record<string, string>;
}

function serviceEnv(): Record<string, string> {
  const raw = process.env.BENCH_SERVICE_ENV ?? '';
  return Object.fromEntries(
    raw
      .split(',')
      .filter((pair) => pair.trim() !== '')
      .map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new Error(`BENCH_SERVICE_ENV: ${pair} is not NAME=value`);
        return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      }),
  );
}

/** `partial`: only some benchmarks run, so the report goes beside the full one instead of replacing it. */
export function loadBenchConfig(partial = false): BenchConfig {
  const quick = flag('BENCH_QUICK');
  return {
    quick,
    seed: integer('BENCH_SEED', 7),
    ingest: {
      connections: integer('BENCH_CONNECTIONS', 50),
      durationSeconds: integer('BENCH_DURATION', quick ? 4 : 15),
      warmupSeconds: integer('BENCH_WARMUP', quick ? 1 : 3),
      rounds: integer('BENCH_ROUNDS', quick ? 1 : 2),
      bodies: integer('BENCH_INGEST_BODIES', quick ? 30_000 : 250_000),
      loads: ingestLoads(),
      wrkThreads: integer('BENCH_WRK_THREADS', 1),
    },
    subscription: {
      rates: process.env.BENCH_SUB_RATE === undefined ? integers('BENCH_SUB_RATES', [1000, 3000]) : [integer('BENCH_SUB_RATE', 1000)],
      seconds: integer('BENCH_SUB_SECONDS', quick ? 3 : 10),
      warmupSeconds: integer('BENCH_SUB_WARMUP', 1),
    },
    forwarding: {
      rate: integer('BENCH_FORWARD_RATE', 1000),
      seconds: integer('BENCH_FORWARD_SECONDS', quick ? 3 : 10),
      format: process.env.BENCH_FORWARD_FORMAT === 'raw' ? 'raw' : 'standard-webhooks',
      concurrency: process.env.BENCH_FORWARD_CONCURRENCY === undefined ? null : integer('BENCH_FORWARD_CONCURRENCY', 1),
    },
    dashboard: {
      rate: integer('BENCH_DASHBOARD_RATE', 500),
      seconds: integer('BENCH_DASHBOARD_SECONDS', quick ? 10 : 60),
      warmupSeconds: integer('BENCH_DASHBOARD_WARMUP', 2),
      chromium: process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium',
    },
    scale: {
      sessions: integer('BENCH_SESSIONS', quick ? 20_000 : 1_000_000),
      relayTasks: integer('BENCH_RELAY_TASKS', quick ? 2_000 : 100_000),
      queries: integer('BENCH_QUERIES', quick ? 300 : 2000),
      keepData: flag('BENCH_KEEP_DATA'),
      rebuild: process.env.BENCH_REBUILD !== '0',
      serving: process.env.BENCH_SERVING !== '0',
    },
    serving: {
      rate: integer('BENCH_MIXED_RATE', 1000),
      seconds: integer('BENCH_MIXED_SECONDS', quick ? 5 : 20),
      clients: integer('BENCH_MIXED_CLIENTS', 20),
      ratePerClient: integer('BENCH_MIXED_CLIENT_RATE', 10),
      readModel: process.env.BENCH_UPGRADE_READ_MODEL ?? 'sessions',
    },
    cpuProfile: flag('BENCH_CPU_PROF'),
    dataRoot: process.env.BENCH_DATA_DIR ?? path.join(BENCH_DIR, 'data'),
    profileDir: path.join(BENCH_DIR, 'profiles'),
    reportFile: process.env.BENCH_REPORT ?? path.join(BENCH_DIR, quick ? 'REPORT.quick.md' : partial ? 'REPORT.partial.md' : 'REPORT.md'),
    serviceEnv: serviceEnv(),
  };
}
