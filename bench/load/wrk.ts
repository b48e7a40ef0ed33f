// Drives wrk (a C load generator, Debian's `wrk` package) from the benchmark process: a warm-up run, then the measured
// run, each rotating through the pre-generated signed callbacks with bench/load/wrkLoad.lua.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from '../config';
import { finished, jsonResult, spawnProcess } from '../lib/children';
import { CLOCK_TICKS } from '../lib/threadCpu';
import type { LoadOptions, LoadResult } from './loadResult';

const SCRIPT = path.join(BENCH_DIR, 'load', 'wrkLoad.lua');
const READY = 'wrk-ready';

/** What wrkLoad.lua's done() prints. */
interface WrkSummary {
  requests: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  cpuTicks: number | null;
}

/** Null when wrk runs here, else why not. */
export function wrkMissing(): string | null {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `wrk is not installed (apt-get install wrk): ${probe.error.message}`;
  return /wrk \S+/.test(`${probe.stdout}${probe.stderr}`) ? null : `wrk --version said: ${probe.stdout}${probe.stderr}`;
}

async function wrkRun(
  options: LoadOptions & { threads: number },
  seconds: number,
  first: number,
  onReady?: (cpuTicks: number | null, readyThreads: number) => void,
): Promise<WrkSummary> {
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '-s',
    SCRIPT,
    options.url,
    '--',
    options.requestsFile,
    String(first),
    String(options.threads),
    ...(onReady === undefined ? [] : [READY]),
  ];
  let ready = 0;
  const child = spawnProcess('wrk', 'wrk', args, {
    timeoutMs: (seconds + 60) * 1000,
    onStderrLine: (line) => {
      if (!line.startsWith(`${READY} `) || onReady === undefined) return;
      const ticks = Number(line.slice(READY.length + 1));
      onReady(Number.isFinite(ticks) ? ticks : null, ++ready);
    },
  });
  return jsonResult<WrkSummary>(await finished(child));
}

/**
 * Warm-up, then the measured run from where the warm-up stopped (plus one body per connection, for the requests
 * it left in flight), so that the service stores each callback once. `onMeasuring` runs when the measured run's first
 * thread is about to send: the moment to sample the server's CPU.
 */
export async function runWrk(
  options: LoadOptions & { threads: number; distinctBodies: number },
  onMeasuring: () => void,
): Promise<LoadResult> {
  const warmup = options.warmupSeconds > 0 ? await wrkRun(options, options.warmupSeconds, 0) : null;
  const first = warmup === null ? 0 : warmup.requests + options.connections;
  let startTicks: number | null = null;
  const measured = await wrkRun(options, options.durationSeconds, first, (ticks, readyThreads) => {
    if (readyThreads === 1) onMeasuring();
    // Set-up (reading and formatting the requests) is not load: count wrk's CPU from its last thread's start.
    if (readyThreads === options.threads) startTicks = ticks;
  });
  const durationSeconds = measured.durationUs / 1e6;
  const ms = (us: number) => us / 1000;
  const { errors, latencyUs } = measured;
  return {
    requests: measured.requests,
    durationSeconds,
    requestsPerSecond: measured.requests / durationSeconds,
    latencyMs: { p50: ms(latencyUs.p50), p90: ms(latencyUs.p90), p99: ms(latencyUs.p99), p999: ms(latencyUs.p999), max: ms(latencyUs.max), mean: ms(latencyUs.mean) },
    status2xx: measured.requests - errors.status,
    non2xx: errors.status,
    errors: errors.connect + errors.read + errors.write,
    timeouts: errors.timeout,
    distinctBodies: options.distinctBodies,
    sentInAll: (warmup?.requests ?? 0) + measured.requests,
    loadCpuSeconds: measured.cpuTicks === null || startTicks === null ? NaN : (measured.cpuTicks - startTicks) / CLOCK_TICKS,
  };
}
