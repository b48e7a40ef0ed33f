// At scale: generate the data set into the embedded store, rebuild the read models with `node dist/cli.js rebuild`
// (the rebuild benchmark), then serve it and time GraphQL queries (the query benchmark) and the service's memory.
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, SERVICE_CLI, type BenchConfig } from '../config';
import { finished, jsonResult, sampleMemory, spawnNode, temporaryPaths } from '../lib/children';
import { fmt, verdict, type BenchmarkResult, type ResultRow } from '../lib/results';
import { filesUnder, pageCacheShare, type PageCacheShare } from '../lib/pageCache';
import { startService } from '../lib/service';
import { servingUnderLoad } from './servingUnderLoad';
import { processCpuSeconds } from '../lib/threadCpu';
import type { QueryDataset } from '../load/queryKinds';
import type { QueryLoadOptions, QueryLoadResult } from '../load/queryLoad';
import { datasetChunks, streamCount, type DatasetSpec } from '../scale/dataset';
import type { GenerateOptions, GenerateResult } from '../scale/generateDataset';

interface DatasetMarker {
  spec: DatasetSpec;
  generated: GenerateResult;
}

interface RebuildOutcome {
  /** REBUILD_THREADS it ran with: 1 for the one-thread baseline, the default (one per core) for the measured run. */
  threads: number | 'default';
  /** CPU the process used (every thread), from /proc, as last sampled before it ended. */
  cpuSeconds: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  wallSeconds: number;
  peakRss: number;
}

export interface ScaleResults {
  rebuild: BenchmarkResult;
  queries: BenchmarkResult;
  memory: BenchmarkResult;
  /** Null when skipped (BENCH_SERVING=0). */
  mixed: BenchmarkResult | null;
  upgrade: BenchmarkResult | null;
}

const fileSize = (file: string): number => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

/** The read models' files (one folder per read model under DATA_DIR/readmodels), -wal included. */
const folderSize = (dir: string): number => filesUnder(dir).reduce((sum, file) => sum + fileSize(file), 0);

export async function scaleBenchmarks(config: BenchConfig, workDir: string, log: (line: string) => void): Promise<ScaleResults> {
  const spec: DatasetSpec = { seed: config.seed, sessions: config.scale.sessions, relayTasks: config.scale.relayTasks };
  const dataDir = path.join(config.dataRoot, `scale-${spec.seed}-${spec.sessions}-${spec.relayTasks}`);
  if (!config.scale.keepData) temporaryPaths.add(dataDir);
  try {
    return await runAtScale(config, spec, dataDir, workDir, log);
  } finally {
    if (!config.scale.keepData) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      temporaryPaths.delete(dataDir);
    } else log(`  data set kept in ${dataDir} (BENCH_KEEP_DATA=1)`);
  }
}

async function runAtScale(config: BenchConfig, spec: DatasetSpec, dataDir: string, workDir: string, log: (line: string) => void): Promise<ScaleResults> {
  // --- data set -------------------------------------------------------------------------------------------------
  const generationStarted = performance.now();
  const markerFile = path.join(dataDir, 'dataset.json');
  let marker: DatasetMarker | null = null;
  if (config.scale.keepData && fs.existsSync(markerFile)) {
    const kept = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as DatasetMarker;
    if (JSON.stringify(kept.spec) === JSON.stringify(spec)) marker = kept;
  }
  const reused = marker !== null;
  if (marker === null) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true });
    log(`scale: generating ${fmt.int(spec.sessions)} sessions and ${fmt.int(spec.relayTasks)} relay tasks into ${dataDir}`);
    const options: GenerateOptions = { ...spec, file: path.join(dataDir, 'events.db') };
    const child = spawnNode('generate-dataset', path.join(BUILD_DIR, 'scale', 'generateDataset.js'), [JSON.stringify(options)], {
      timeoutMs: 45 * 60_000,
      echo: true,
    });
    marker = { spec, generated: jsonResult<GenerateResult>(await finished(child)) };
    fs.writeFileSync(markerFile, JSON.stringify(marker));
  } else {
    log(`scale: reusing the data set in ${dataDir}`);
  }
  const generated = marker.generated;
  const generationWall = (performance.now() - generationStarted) / 1000;
  log(`  data set: ${fmt.int(generated.events)} events, ${fmt.mb(generated.fileBytes)}, generated in ${fmt.s(generated.seconds)} (${fmt.int(generated.eventsPerSecond)} events/s)`);

  // --- rebuild ---------------------------------------------------------------------------------------------------
  let rebuild: { measured: RebuildOutcome; baseline: RebuildOutcome } | null = null;
  if (config.scale.rebuild || !fs.existsSync(path.join(dataDir, 'readmodels'))) {
    // The baseline first, in the same run: the same command on one thread (REBUILD_THREADS=1).
    const outcomes: RebuildOutcome[] = [];
    for (const threads of [1, 'default'] as const) {
      log(`rebuild: node dist/cli.js rebuild (REBUILD_THREADS=${threads === 1 ? '1' : 'default'})`);
      const outcome = await runRebuild(config, dataDir, threads);
      outcomes.push(outcome);
      log(
        `  rebuilt ${fmt.int(outcome.events)} events in ${fmt.s(outcome.seconds)}: ${fmt.int(outcome.eventsPerSecond)} events/s, ` +
          `CPU ${fmt.pct(outcome.cpuSeconds / outcome.wallSeconds)} of a core, peak RSS ${fmt.mb(outcome.peakRss)}`,
      );
    }
    rebuild = { measured: outcomes[1]!, baseline: outcomes[0]! };
  } else {
    log('rebuild: skipped (BENCH_REBUILD=0): serving the kept read models');
  }
  const readModelBytes = folderSize(path.join(dataDir, 'readmodels'));

  // --- queries and memory --------------------------------------------------------------------------------------
  const servingStarted = performance.now();
  log(`queries: ${config.scale.queries} of each kind, sequential, interleaved`);
  // After a rebuild the files are mostly there; a kept data set served again may be read from the disk.
  const cached = pageCacheShare(path.join(dataDir, 'readmodels'));
  if (cached !== null) log(`  read models in the page cache: ${fmt.mb(cached.residentBytes)} of ${fmt.mb(cached.fileBytes)}`);
  const service = await startService(config, { dataDir, label: 'queries', timeoutMs: 30 * 60_000, readyTimeoutMs: 10 * 60_000 });
  const memory = sampleMemory(service.child.pid, 100);
  const dataset: QueryDataset = { chunks: datasetChunks(spec), streams: streamCount(spec) };
  let queries: QueryLoadResult;
  let peak: { maxRss: number; hwm: number; samples: number };
  try {
    const options: QueryLoadOptions = {
      url: service.url,
      count: config.scale.queries,
      warmup: Math.min(100, config.scale.queries),
      seed: spec.seed + 3000,
      ...dataset,
    };
    const child = spawnNode('query-client', path.join(BUILD_DIR, 'load', 'queryLoad.js'), [JSON.stringify(options)], {
      timeoutMs: 20 * 60_000,
    });
    queries = jsonResult<QueryLoadResult>(await finished(child));
  } finally {
    peak = memory.stop();
    await service.child.stop(30_000);
  }
  for (const q of queries) {
    log(`  ${q.kind}: p50 ${fmt.ms(q.latencyMs.p50)}, p99 ${fmt.ms(q.latencyMs.p99)}, failures ${q.failures}, empty ${q.empty}`);
  }
  log(`  service peak RSS ${fmt.mb(peak.hwm)} (largest sampled ${fmt.mb(peak.maxRss)})`);
  const servingSeconds = (performance.now() - servingStarted) / 1000;
  const { mixed, upgrade } = config.scale.serving
    ? await servingUnderLoad(config, dataset, dataDir, workDir, log)
    : (log('serving under load: skipped (BENCH_SERVING=0)'), { mixed: null, upgrade: null });

  const datasetNote =
    `Data set: ${fmt.int(spec.sessions)} sessions and ${fmt.int(spec.relayTasks)} relay tasks from the seeded generator (seed ${spec.seed}), ` +
    `${fmt.int(generated.events)} events, events.db ${fmt.mb(generated.fileBytes)}, read models ${fmt.mb(readModelBytes)}. ` +
    (reused
      ? `Reused from an earlier run (BENCH_KEEP_DATA=1); it took ${fmt.s(generated.seconds)} to generate.`
      : `Generated through SqliteEventStore.appendToStream (batches of 5,000 concurrent appends, one group commit each; generator threads beside the appending one) in ${fmt.s(generated.seconds)}: ${fmt.int(generated.eventsPerSecond)} events/s.`);

  return {
    rebuild: rebuildResult(rebuild, datasetNote, reused ? 0 : generationWall),
    queries: queryResult(queries, config.scale.queries, servingSeconds, cached),
    mixed,
    upgrade,
    memory: {
      title: 'Memory',
      description: 'Peak resident memory of the service process (VmHWM from /proc) from start-up until the end of the query benchmark on the scale data set.',
      rows: [
        { metric: 'service peak RSS (VmHWM)', value: fmt.mb(peak.hwm), target: '≤ 300 MB', verdict: verdict(peak.hwm <= 300 * 1024 * 1024) },
        { metric: 'largest RSS sampled every 100 ms while serving', value: fmt.mb(peak.maxRss), verdict: 'INFO' },
      ],
      notes: [`Sampled ${peak.samples} times while the query benchmark ran (same service process, same time).`],
      seconds: 0,
    },
  };
}

function rebuildResult(rebuilds: { measured: RebuildOutcome; baseline: RebuildOutcome } | null, datasetNote: string, generationSeconds: number): BenchmarkResult {
  const title = 'Rebuild';
  const description =
    '`node dist/cli.js rebuild` on the scale data set: the whole log replayed into fresh read models (the rate is the one the command prints).';
  if (rebuilds === null) {
    return {
      title,
      description,
      rows: [{ metric: 'events replayed per second', value: 'not run (BENCH_REBUILD=0)', target: '≥ 100,000/s', verdict: 'INFO' }],
      notes: [datasetNote],
      seconds: generationSeconds,
    };
  }
  const { measured: rebuild, baseline } = rebuilds;
  return {
    title,
    description,
    rows: [
      {
        metric: 'events replayed per second',
        value: fmt.int(rebuild.eventsPerSecond),
        baseline: `${fmt.int(baseline.eventsPerSecond)} (one thread)`,
        ratio: fmt.ratio(rebuild.eventsPerSecond / baseline.eventsPerSecond),
        target: '≥ 100,000/s',
        verdict: verdict(rebuild.eventsPerSecond >= 100_000),
      },
      {
        metric: 'cores used (process CPU / wall clock)',
        value: fmt.pct(rebuild.cpuSeconds / rebuild.wallSeconds),
        baseline: fmt.pct(baseline.cpuSeconds / baseline.wallSeconds),
        target: 'both cores',
        verdict: 'INFO',
      },
      {
        metric: 'CPU per event, all threads',
        value: `${((rebuild.cpuSeconds * 1e6) / rebuild.events).toFixed(0)} µs`,
        baseline: `${((baseline.cpuSeconds * 1e6) / baseline.events).toFixed(0)} µs`,
        ratio: fmt.ratio(rebuild.cpuSeconds / baseline.cpuSeconds),
        verdict: 'INFO',
      },
      { metric: 'events replayed', value: fmt.int(rebuild.events), verdict: 'INFO' },
      { metric: 'rebuild time (as printed / process wall clock)', value: `${fmt.s(rebuild.seconds)} / ${fmt.s(rebuild.wallSeconds)}`, verdict: 'INFO' },
      { metric: 'rebuild process peak RSS', value: fmt.mb(rebuild.peakRss), verdict: 'INFO' },
    ],
    notes: [
      datasetNote,
      'The baseline is the same command with REBUILD_THREADS=1, run just before on the same data set; the measured run builds each read model on one of one thread per core.',
    ],
    seconds: rebuild.wallSeconds + baseline.wallSeconds + generationSeconds,
  };
}

function queryResult(queries: QueryLoadResult, count: number, seconds: number, cached: PageCacheShare | null): BenchmarkResult {
  const baseline = queries[0]!;
  const rows: ResultRow[] = [];
  queries.forEach((q, index) => {
    const ratio = q.latencyMs.p99 / baseline.latencyMs.p99;
    rows.push({
      metric: `${q.kind}: p50 / p99`,
      value: `${fmt.ms(q.latencyMs.p50)} / ${fmt.ms(q.latencyMs.p99)}`,
      baseline: index === 0 ? '(baseline)' : `p99 ${fmt.ms(baseline.latencyMs.p99)}`,
      ratio: index === 0 ? '1.00×' : fmt.ratio(ratio),
      target: q.target === null ? '(info)' : q.target === 'queries' ? 'p99 ≤ 5 ms' : 'p99 ≤ 5 ms (statistics within the query target)',
      verdict: q.target === null ? 'INFO' : verdict(q.latencyMs.p99 <= 5),
    });
  });
  const failures = queries.reduce((n, q) => n + q.failures, 0);
  rows.push({ metric: 'answers with errors', value: String(failures), target: '0', verdict: failures === 0 ? 'PASS' : 'FAIL' });
  const notes = [
    `${fmt.int(count)} measured requests per kind (after a warm-up), one at a time over one keep-alive connection, the kinds interleaved round-robin; ` +
      'latency is client-side: request written to response read, JSON included.',
    'session(sequence) asks for a random generated sequence; sessions(streamId) for a random stream (about ten sessions each); ' +
      'relayTasks cycles through exit codes -22, -5, -1, -110 and 0; the timeline is a random session\'s first page.',
    cached === null
      ? 'How much of the read models the page cache held was not measured (no fincore).'
      : `When the service started, the kernel's page cache held ${fmt.mb(cached.residentBytes)} of the read models' ${fmt.mb(cached.fileBytes)} (fincore); ` +
        'pages not there are read from the disk as the queries ask for them.',
    ...queries.filter((q) => q.empty > 0).map((q) => `${q.kind}: ${q.empty} answers were empty.`),
    ...queries.filter((q) => q.firstFailure !== undefined).map((q) => `${q.kind}: first failure: ${q.firstFailure}`),
  ];
  return {
    title: 'Queries at scale',
    description: 'GraphQL over HTTP against the service serving the scale data set; the baseline is session(sequence), a primary-key lookup.',
    rows,
    details: [
      {
        caption: 'Latency distribution',
        header: ['query', 'p50', 'p90', 'p99', 'max', 'mean'],
        rows: queries.map((q) => [q.kind, fmt.ms(q.latencyMs.p50), fmt.ms(q.latencyMs.p90), fmt.ms(q.latencyMs.p99), fmt.ms(q.latencyMs.max), fmt.ms(q.latencyMs.mean)]),
      },
    ],
    notes,
    seconds,
  };
}

async function runRebuild(config: BenchConfig, dataDir: string, threads: 1 | 'default'): Promise<RebuildOutcome> {
  const profileDir = config.cpuProfile ? path.join(config.profileDir, threads === 1 ? 'rebuild-one-thread' : 'rebuild') : null;
  if (profileDir !== null) fs.mkdirSync(profileDir, { recursive: true });
  const started = performance.now();
  const child = spawnNode('rebuild', SERVICE_CLI, ['rebuild'], {
    nodeArgs: profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...(threads === 1 ? { REBUILD_THREADS: '1' } : {}) },
    timeoutMs: 40 * 60_000,
  });
  const memory = sampleMemory(child.pid, 200);
  let cpuSeconds = 0;
  const cpu = setInterval(() => (cpuSeconds = processCpuSeconds(child.pid) ?? cpuSeconds), 200);
  let output: string;
  let peakRss = 0;
  try {
    output = await finished(child);
  } finally {
    // VmHWM cannot be read once the process is gone: the largest sample is what we have.
    peakRss = memory.stop().hwm;
    clearInterval(cpu);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const match = /rebuilt: (\d+) events in ([\d.]+) s \((\d+) events\/s\)/.exec(output);
  if (match === null) throw new Error(`rebuild printed no "rebuilt:" line:\n${output}`);
  return {
    threads,
    cpuSeconds,
    events: Number(match[1]),
    seconds: Number(match[2]),
    eventsPerSecond: Number(match[3]),
    wallSeconds,
    peakRss,
  };
}
