// Callback ingest: POST /callbacks under two load generators in their own processes (wrk, C; autocannon, Node; 50
// connections), against two baselines measured in the same run and interleaved with it: a bare node:http server
// (parse JSON, answer) and naive one-commit-per-request storage. The CPU each server spends per request is taken per thread.
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, CALLBACK_KEY, CALLBACK_TOKEN, type BenchConfig, type IngestLoad } from '../config';
import { generateRequests, mixOf, resignRequests, writeRequests, type CallbackRequest } from '../lib/bodies';
import { finished, jsonResult, spawnNode } from '../lib/children';
import { fmt, verdict, type BenchmarkResult, type ResultRow } from '../lib/results';
import { caughtUp, projectorStatus, startBaselineServer, startService, type Server } from '../lib/service';
import { mean } from '../lib/stats';
import { sampleProcess, threadCpuBetween, type ProcessSample } from '../lib/threadCpu';
import { MEASURING_MARKER, type LoadOptions, type LoadResult } from '../load/loadResult';
import { runWrk, wrkMissing } from '../load/wrk';
import { cpuDetail, cpuRows, LOAD_NAMES, TARGET_NAMES, WORKER_ROLES, type IngestRun, type Target } from './ingestCpu';

export async function ingestBenchmark(config: BenchConfig, workDir: string, log: (line: string) => void): Promise<BenchmarkResult> {
  const started = performance.now();
  const { connections, durationSeconds, warmupSeconds, rounds, bodies } = config.ingest;
  const requestsFile = path.join(workDir, 'ingest-requests.txt');
  const requests = generateRequests(config.seed + 1000, bodies);
  const mix = mixOf(requests);
  const missing = config.ingest.loads.includes('wrk') ? wrkMissing() : null;
  if (missing !== null) log(`ingest: ${missing}; running without it`);
  const loads = config.ingest.loads.filter((load) => load !== 'wrk' || missing === null);
  if (loads.length === 0) throw new Error(`no load generator to run: ${missing}`);
  log(
    `ingest: ${requests.length} distinct signed callbacks; ${rounds} round(s) of bare / service / naive under ${loads.join(' and ')}, ` +
      `${connections} connections, ${warmupSeconds} s warm-up + ${durationSeconds} s`,
  );

  const runs: IngestRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const target of ['bare', 'service', 'naive'] as const) {
      for (const load of loads) {
        const run = await ingestRun(config, { round, target, load, requests, requestsFile }, workDir);
        runs.push(run);
        const { result } = run;
        log(
          `  round ${round} ${target} (${load}): ${fmt.int(result.requestsPerSecond)} req/s, server CPU ${fmt.pct(serverShare(run))}, ` +
            `${perRequestUs(run)} µs/request, ${load} ${fmt.pct(result.loadCpuSeconds / result.durationSeconds)}; p50 ${fmt.ms(result.latencyMs.p50)}, ` +
            `p99 ${fmt.ms(result.latencyMs.p99)}, non-2xx ${result.non2xx}, errors ${result.errors}${run.stored ? `; ${run.stored}` : ''}`,
        );
      }
    }
  }

  const rows: ResultRow[] = [];
  for (const load of loads) rows.push(...throughputRows(runs, load));
  // The CPU target is judged under the first load generator (the cheaper one, wrk, when it runs).
  for (const load of loads) rows.push(...cpuRows(runs, load, load === loads[0]));
  const header = ['round', 'server', 'load generator', 'requests/s', 'server CPU (one core = 100%)', 'load generator CPU', 'p50', 'p90', 'p99', 'p99.9', 'max', 'requests', 'non-2xx / errors / timeouts'];
  const detailRows = runs.map((r) => [
    String(r.round),
    TARGET_NAMES[r.target],
    LOAD_NAMES[r.load],
    fmt.int(r.result.requestsPerSecond),
    fmt.pct(serverShare(r)),
    fmt.pct(r.result.loadCpuSeconds / r.result.durationSeconds),
    fmt.ms(r.result.latencyMs.p50),
    fmt.ms(r.result.latencyMs.p90),
    fmt.ms(r.result.latencyMs.p99),
    fmt.ms(r.result.latencyMs.p999),
    fmt.ms(r.result.latencyMs.max),
    fmt.int(r.result.requests),
    `${r.result.non2xx} / ${r.result.errors} / ${r.result.timeouts}`,
  ]);
  const repeats = runs.some((r) => r.target === 'service' && r.result.sentInAll > r.result.distinctBodies);
  const notes = [
    `Load: ${loads.map((load) => LOAD_NAMES[load]).join(' and ')}, each in its own process, ${connections} connections, ${warmupSeconds} s warm-up then ${durationSeconds} s measured, ` +
      `rotating through ${fmt.int(requests.length)} distinct callbacks (seeded generator): ` +
      Object.entries(mix)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, n]) => `${kind} ${((100 * n) / requests.length).toFixed(1)}%`)
        .join(', ') +
      '. Push and interruption callbacks carry t and sign = MD5(key + t); relay callbacks carry the URL token.',
    ...(loads.includes('wrk')
      ? [
          `wrk: ${config.ingest.wrkThreads} thread(s), bench/load/wrkLoad.lua; every request is formatted before the run starts, and the measured run ` +
            'starts where the warm-up stopped in the file of callbacks. No response() hook: answers of 400 and above are counted by wrk itself ' +
            '("Non-2xx or 3xx responses"); latency percentiles come from its done() hook. wrk counts answered requests only: those in flight ' +
            'when a run stops (up to one per connection) can be stored without being counted.',
        ]
      : []),
    ...(missing === null ? [] : [`wrk did not run: ${missing}.`]),
    'Each run starts its server afresh on an empty data folder; the order within a round is bare, service, naive, each under every load generator. ' +
      'The service runs its projector (read models) as it always does. Requests/s is the mean over rounds; p99 is the worst round.',
    "Server CPU is sampled per thread from /proc when the measured run starts (after the warm-up and the load generator's set-up) and when it ends. " +
      'Threads are told apart by the names Node gives them (MainThread, libuv-worker, V8Worker: garbage collection and compilation), and the ' +
      "service's two WorkerThreads by creation order (it starts the ledger writer and waits for it before it starts the projector). " +
      '"other": the rest, and threads that ended during the run.',
    ...runs.filter((r) => r.target === 'service').map((r) => `Round ${r.round} service (${LOAD_NAMES[r.load]}): ${r.stored ?? ''}.`),
  ];
  if (repeats) notes.push('Some service runs sent more requests than there are distinct bodies: the excess were retries (stored once).');
  return {
    title: 'Callback ingest',
    description:
      'POST /callbacks until the durable 200, against a bare node:http server and against naive one-commit-per-request storage; each figure names its load generator.',
    rows,
    details: [{ caption: 'Every run', header, rows: detailRows }, cpuDetail(runs, loads)],
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}

interface RunPlan {
  round: number;
  target: Target;
  load: IngestLoad;
  requests: readonly CallbackRequest[];
  requestsFile: string;
}

/** One server, started afresh, under one load generator; its threads sampled over the measured run. */
async function ingestRun(config: BenchConfig, plan: RunPlan, workDir: string): Promise<IngestRun> {
  const { round, target, load } = plan;
  const { connections, durationSeconds, warmupSeconds } = config.ingest;
  const dataDir = path.join(workDir, `ingest-${target}-${load}-${round}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const timeoutMs = (2 * warmupSeconds + 2 * durationSeconds + 120) * 1000;
  // Signed afresh for every run: CSS signs for ten minutes, and the whole benchmark takes longer.
  writeRequests(plan.requestsFile, resignRequests(plan.requests));
  const server = await startTarget(config, target, dataDir, `${load}-${round}`, timeoutMs);
  try {
    let before: ProcessSample | null = null;
    const options: LoadOptions = { url: server.url, requestsFile: plan.requestsFile, connections, durationSeconds, warmupSeconds };
    // Sampled when the measured run starts and when it is over: warm-up and the load generator's set-up left out.
    const onMeasuring = () => (before = sampleProcess(server.child.pid));
    const result =
      load === 'wrk'
        ? await runWrk({ ...options, threads: config.ingest.wrkThreads, distinctBodies: plan.requests.length }, onMeasuring)
        : await runAutocannon(options, onMeasuring);
    const after = sampleProcess(server.child.pid);
    const serverCpu = before === null || after === null ? null : threadCpuBetween(before, after, WORKER_ROLES[target]);
    const run: IngestRun = { round, target, load, result, serverCpu };
    if (target === 'service') {
      const atStop = await projectorStatus(server.url);
      // Once every processor has applied the whole log, the projector's position is the log's head: every event stored.
      await caughtUp(server.url);
      const settled = await projectorStatus(server.url);
      const behind = BigInt(settled.position) - BigInt(atStop.position);
      run.stored = `${settled.position} events stored (warm-up included) for ${result.sentInAll} requests sent; the projector was ${behind} events behind when the load stopped`;
    }
    return run;
  } finally {
    await server.child.stop(30_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function startTarget(config: BenchConfig, target: Target, dataDir: string, label: string, timeoutMs: number): Promise<Server> {
  switch (target) {
    case 'bare':
      return startBaselineServer('bare-http', 'bareServer.js', [], timeoutMs);
    case 'naive':
      return startBaselineServer('naive-ingest', 'naiveServer.js', [path.join(dataDir, 'naive.db'), CALLBACK_KEY, CALLBACK_TOKEN], timeoutMs);
    case 'service':
      return startService(config, { dataDir, label: `ingest-${label}`, timeoutMs });
  }
}

async function runAutocannon(options: LoadOptions, onMeasuring: () => void): Promise<LoadResult> {
  const child = spawnNode('autocannon', path.join(BUILD_DIR, 'load', 'autocannonLoad.js'), [JSON.stringify(options)], {
    timeoutMs: (options.warmupSeconds + options.durationSeconds + 60) * 1000,
    onStderrLine: (line) => {
      if (line === MEASURING_MARKER) onMeasuring();
    },
  });
  return jsonResult<LoadResult>(await finished(child));
}

/** The server's CPU over the measured run, as a share of one core. */
const serverShare = (run: IngestRun) => (run.serverCpu === null ? NaN : run.serverCpu.totalSeconds / run.serverCpu.windowSeconds);
const perRequestUs = (run: IngestRun) => (run.serverCpu === null ? 'n/a' : ((run.serverCpu.totalSeconds * 1e6) / run.result.requests).toFixed(0));

/** Requests/s against both baselines, p99 and failed answers, under one load generator. */
function throughputRows(runs: readonly IngestRun[], load: IngestLoad): ResultRow[] {
  const of = (target: Target) => runs.filter((r) => r.target === target && r.load === load);
  const rps = (target: Target) => mean(of(target).map((r) => r.result.requestsPerSecond));
  const worstP99 = (target: Target) => Math.max(...of(target).map((r) => r.result.latencyMs.p99));
  const failures = (target: Target) => of(target).reduce((n, r) => n + r.result.non2xx + r.result.errors + r.result.timeouts, 0);
  const [service, bare, naive] = [rps('service'), rps('bare'), rps('naive')];
  const by = ` (${LOAD_NAMES[load]})`;
  return [
    {
      metric: `service requests/s vs bare node:http${by}`,
      value: fmt.int(service),
      baseline: fmt.int(bare),
      ratio: fmt.ratio(service / bare),
      target: '≥ 0.50×',
      verdict: verdict(service / bare >= 0.5),
    },
    {
      metric: `service p99 latency (worst round)${by}`,
      value: fmt.ms(worstP99('service')),
      baseline: fmt.ms(worstP99('bare')),
      ratio: fmt.ratio(worstP99('service') / worstP99('bare')),
      target: '≤ 25 ms',
      verdict: verdict(worstP99('service') <= 25),
    },
    {
      metric: `service answers other than 200 (non-2xx, errors, timeouts)${by}`,
      value: String(failures('service')),
      target: '0',
      verdict: failures('service') === 0 ? 'PASS' : 'FAIL',
    },
    {
      metric: `service requests/s vs naive ingest${by}`,
      value: fmt.int(service),
      baseline: fmt.int(naive),
      ratio: fmt.ratio(service / naive),
      target: '≥ 4×',
      verdict: verdict(service / naive >= 4),
    },
  ];
}
