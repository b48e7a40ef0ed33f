// The mixed benchmark's phases alone, on a kept scale data set: queries alone, callbacks at 1,000/s alone, both at
// once, each with the service's CPU per thread, its garbage collections and its slowest `/healthz` answers.
//
//   npm run build && npx tsc -p bench/tsconfig.json && rm -rf bench/.build/dist && cp -r dist bench/.build/dist
//   node bench/.build/bench/mixedTimes.js <data folder> [label] [seed]
//
// It serves the folder itself and appends the callbacks it sends to it: run it on a copy of the kept data set (`cp -r`),
// with a different seed each run so that the callbacks are new events, not duplicates. To compare two versions of the
// code, run this from a checkout of each, alternately, on the same copy.
import fs from 'node:fs';
import path from 'node:path';
import { startQueries } from './benchmarks/servingUnderLoad';
import { BUILD_DIR, loadBenchConfig } from './config';
import { generateRequests, writeRequests } from './lib/bodies';
import { finished, httpGet, jsonResult, spawnNode } from './lib/children';
import { askHealth, caughtUp, startService } from './lib/service';
import { sampleProcess, threadCpuBetween } from './lib/threadCpu';
import type { PacedLoadOptions, PacedLoadResult } from './load/pacedLoad';
import type { QueryClientsOptions, QueryClientsResult } from './load/queryClients';
import { datasetChunks, streamCount, type DatasetSpec } from './scale/dataset';

const DATA_DIR = process.argv[2];
const LABEL = process.argv[3] ?? 'run';
const SEED = Number(process.argv[4] ?? Date.now() % 1_000_000);
if (DATA_DIR === undefined) throw new Error('usage: mixedTimes.js <data folder> [label] [seed]');
const RATE = 1000;
const SECONDS = 20;

/**
 * What the service's /metrics says so far, from one scrape: garbage collection by kind (seconds, count), and the append
 * histogram's cumulative buckets ([upper bound in seconds, count]).
 */
async function metricsReading(url: string): Promise<{ gc: Map<string, { seconds: number; count: number }>; appends: Array<[number, number]> }> {
  const { body } = await httpGet(`${url}/metrics`);
  const gc = new Map<string, { seconds: number; count: number }>();
  for (const match of body.matchAll(/^nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} ([\d.e+-]+)$/gm)) {
    const kind = gc.get(match[2]!) ?? { seconds: 0, count: 0 };
    if (match[1] === 'sum') kind.seconds = Number(match[3]);
    else kind.count = Number(match[3]);
    gc.set(match[2]!, kind);
  }
  const appends = [...body.matchAll(/^css_ledger_callback_append_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map(
    (m): [number, number] => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])],
  );
  return { gc, appends };
}

/** The bucket bound under which a share `q` of the appends between two readings fell. */
function bucketQuantile(before: Array<[number, number]>, after: Array<[number, number]>, q: number): string {
  const counts = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as const);
  const total = counts.at(-1)?.[1] ?? 0;
  const bound = counts.find(([, n]) => n >= q * total)?.[0];
  return bound === undefined ? '?' : `≤ ${bound === Infinity ? '∞' : `${bound * 1000} ms`}`;
}

/** Runs `work` and says what the service spent meanwhile: CPU per thread, GC by kind, the slowest /healthz answers. */
async function measured<T>(url: string, pid: number, work: () => Promise<T>): Promise<{ result: T; summary: string }> {
  const { gc: gcBefore, appends: appendsBefore } = await metricsReading(url);
  const before = sampleProcess(pid);
  const health = askHealth(url);
  const result = await work();
  const slowest = health.stop().sort((a, b) => b[1] - a[1]).slice(0, 5);
  const after = sampleProcess(pid);
  const { gc: gcAfter, appends: appendsAfter } = await metricsReading(url);
  const appends = `appends p50 ${bucketQuantile(appendsBefore, appendsAfter, 0.5)}, p99 ${bucketQuantile(appendsBefore, appendsAfter, 0.99)}`;
  const cpu = before === null || after === null ? null : threadCpuBetween(before, after);
  const threads =
    cpu === null ? '?' : [...cpu.groups].filter(([, s]) => s > 0.05).map(([group, seconds]) => `${group} ${((100 * seconds) / cpu.windowSeconds).toFixed(0)}%`).join(', ');
  const gc = [...gcAfter]
    .map(([kind, { seconds, count }]) => {
      const was = gcBefore.get(kind) ?? { seconds: 0, count: 0 };
      return `${kind} ${count - was.count} × ${count === was.count ? 0 : ((1000 * (seconds - was.seconds)) / (count - was.count)).toFixed(1)} ms`;
    })
    .join(', ');
  const total = cpu === null ? '?' : `${((100 * cpu.totalSeconds) / cpu.windowSeconds).toFixed(0)}%`;
  return { result, summary: `${appends}; CPU ${total} (${threads}); GC ${gc}; slowest /healthz [s, ms]: ${slowest.map(([at, took]) => `[${(at / 1000).toFixed(1)}, ${took}]`).join(' ')}` };
}

async function main(dataDir: string): Promise<void> {
  const config = loadBenchConfig(true);
  const spec = (JSON.parse(fs.readFileSync(path.join(dataDir, 'dataset.json'), 'utf8')) as { spec: DatasetSpec }).spec;
  const dataset = { chunks: datasetChunks(spec), streams: streamCount(spec) };
  const count = RATE * SECONDS;
  const requests = generateRequests(SEED, 2 * count + 100);
  const files = [0, 1].map((i) => {
    const file = path.join(fs.mkdtempSync(path.join(BUILD_DIR, 'mixed-')), 'requests.txt');
    writeRequests(file, requests.slice(i * count, (i + 1) * count));
    return file;
  });
  const service = await startService(config, { dataDir, label: 'mixed-times', timeoutMs: 60 * 60_000, readyTimeoutMs: 10 * 60_000 });
  const pid = service.child.pid;
  const queries = (seconds: number, seed: number): QueryClientsOptions => ({ ...dataset, url: service.url, clients: 20, ratePerClient: 10, warmup: 8, seconds, seed });
  const callbacks = async (file: string): Promise<PacedLoadResult> => {
    const options: PacedLoadOptions = { url: service.url, requestsFile: file, rate: RATE, count };
    return jsonResult<PacedLoadResult>(await finished(spawnNode('callbacks', path.join(BUILD_DIR, 'load', 'pacedLoad.js'), [JSON.stringify(options)], { timeoutMs: (SECONDS + 120) * 1000 })));
  };
  const ms = (value: number) => value.toFixed(2);
  try {
    await finished(startQueries(queries(10, SEED + 1)).child);
    const alone = await measured(service.url, pid, async () => jsonResult<QueryClientsResult>(await finished(startQueries(queries(SECONDS, SEED + 2)).child)));
    console.log(`${LABEL} queries alone: p50 ${ms(alone.result.latencyMs.p50)} / p99 ${ms(alone.result.latencyMs.p99)} ms; ${alone.summary}`);
    const sent = await measured(service.url, pid, () => callbacks(files[0]!));
    console.log(`${LABEL} callbacks alone: p50 ${ms(sent.result.latencyMs.p50)} / p99 ${ms(sent.result.latencyMs.p99)} ms; ${sent.summary}`);
    // As the benchmark does: both loads start on a service that has applied what the callbacks alone stored.
    const settled = await caughtUp(service.url);
    console.log(`${LABEL} then applied what was left (${JSON.stringify(settled.backlog)}) in ${settled.seconds.toFixed(1)} s`);
    const during = startQueries(queries(SECONDS + 120, SEED + 3));
    await during.measuring;
    const both = await measured(service.url, pid, () => callbacks(files[1]!));
    await during.child.stop(30_000);
    const asked = jsonResult<QueryClientsResult>(await finished(during.child));
    console.log(
      `${LABEL} both: callbacks p50 ${ms(both.result.latencyMs.p50)} / p99 ${ms(both.result.latencyMs.p99)} ms, queries p50 ${ms(asked.latencyMs.p50)} / ` +
        `p99 ${ms(asked.latencyMs.p99)} ms, ${asked.failures} failed; ${both.summary}`,
    );
  } finally {
    await service.child.stop(30_000);
    for (const file of files) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

main(DATA_DIR).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
