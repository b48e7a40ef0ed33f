// The upgrade benchmark's phase alone, on a kept scale data set: queries while `rebuild sessions` builds beside the
// live files and swaps, and where the service stopped answering meanwhile.
//
//   npm run build && npx tsc -p bench/tsconfig.json && rm -rf bench/.build/dist && cp -r dist bench/.build/dist
//   node bench/.build/bench/upgradeTimes.js bench/data/scale-7-1000000-100000 [label]
//
// It starts the service (bench/.build/dist) on the folder itself, not on a copy: the rebuild leaves a new sessions file of
// the same content. The same 20 query clients as the upgrade benchmark (10 queries/s each) for 20 s alone, then during
// the rebuild; `/healthz` is asked every 20 ms meanwhile, and its slowest answers are printed with when they came. To
// compare two versions of the code, run this from a checkout of each, alternately; BUILD_NICENESS and
// BACKGROUND_NICENESS, when set, are passed on to the service.
import fs from 'node:fs';
import path from 'node:path';
import { startQueries } from './benchmarks/servingUnderLoad';
import { SERVICE_CLI, loadBenchConfig } from './config';
import { finished, jsonResult, spawnNode } from './lib/children';
import { askHealth, startService } from './lib/service';
import { sampleProcess, threadCpuBetween, type ThreadCpu } from './lib/threadCpu';
import type { QueryClientsOptions, QueryClientsResult } from './load/queryClients';
import { datasetChunks, streamCount, type DatasetSpec } from './scale/dataset';

const DATA_DIR = process.argv[2];
const LABEL = process.argv[3] ?? 'run';
if (DATA_DIR === undefined) throw new Error('usage: upgradeTimes.js <scale data folder> [label]');

async function main(dataDir: string): Promise<void> {
  const config = loadBenchConfig(true);
  const spec = (JSON.parse(fs.readFileSync(path.join(dataDir, 'dataset.json'), 'utf8')) as { spec: DatasetSpec }).spec;
  const dataset = { chunks: datasetChunks(spec), streams: streamCount(spec) };
  // The threads' nice values, when set here, are the service's: to compare them on the same code.
  const env = Object.fromEntries(['BUILD_NICENESS', 'BACKGROUND_NICENESS'].flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])));
  const service = await startService(config, { dataDir, label: 'upgrade-times', timeoutMs: 60 * 60_000, readyTimeoutMs: 10 * 60_000, env });
  const options = (seconds: number, seed: number): QueryClientsOptions => ({ ...dataset, url: service.url, clients: 20, ratePerClient: 10, warmup: 8, seconds, seed });
  try {
    await finished(startQueries(options(10, config.seed + 5500)).child);
    const alone = jsonResult<QueryClientsResult>(await finished(startQueries(options(20, config.seed + 6000)).child));
    const during = startQueries(options(60 * 60, config.seed + 8000));
    await during.measuring;
    const health = askHealth(service.url);
    // The threads' CPU over the build's first 90 s (the build thread ends at the swap, and its ticks with it).
    const before = sampleProcess(service.child.pid);
    let threads: ThreadCpu | null = null;
    const midway = setTimeout(() => {
      const after = sampleProcess(service.child.pid);
      threads = before === null || after === null ? null : threadCpuBetween(before, after);
    }, 90_000);
    const output = await finished(
      spawnNode('rebuild', SERVICE_CLI, ['rebuild', 'sessions'], { env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production' }, timeoutMs: 50 * 60_000 }),
    );
    clearTimeout(midway);
    const answers = health.stop();
    const slowest = [...answers].sort((a, b) => b[1] - a[1]).slice(0, 5);
    // Slow answers spread over the build (contention) or gathered in a few moments (a stall): /healthz over 10 ms, by 10 s.
    const slowByWindow = new Map<number, number>();
    for (const [at, took] of answers) {
      const window = Math.floor(at / 10_000);
      if (took > 10) slowByWindow.set(window, (slowByWindow.get(window) ?? 0) + 1);
    }
    await during.child.stop(30_000);
    const queries = jsonResult<QueryClientsResult>(await finished(during.child));
    const built = /rebuilt: (\d+) events in ([\d.]+) s/.exec(output);
    const ms = (value: number) => value.toFixed(2);
    console.log(
      `${LABEL}: queries alone p50 ${ms(alone.latencyMs.p50)} / p99 ${ms(alone.latencyMs.p99)} ms; during the rebuild p50 ${ms(queries.latencyMs.p50)} / ` +
        `p99 ${ms(queries.latencyMs.p99)} / max ${ms(queries.latencyMs.max)} ms, ${queries.failures} failed; the build ${built?.[2] ?? '?'} s; ` +
        `slowest /healthz [s into the rebuild, ms]: ${slowest.map(([at, took]) => `[${(at / 1000).toFixed(1)}, ${took}]`).join(' ')}`,
    );
    console.log(`${LABEL}: /healthz over 10 ms of ${answers.length}, by 10 s window: ${[...slowByWindow].map(([w, n]) => `${w * 10}s:${n}`).join(' ')}`);
    const cpu = threads as ThreadCpu | null;
    if (cpu !== null) console.log(`${LABEL}: CPU over the build's first 90 s (one core = 100%): ${[...cpu.groups].map(([group, seconds]) => `${group} ${((100 * seconds) / cpu.windowSeconds).toFixed(0)}%`).join(', ')}`);
  } finally {
    await service.child.stop(30_000);
  }
}

main(DATA_DIR).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
