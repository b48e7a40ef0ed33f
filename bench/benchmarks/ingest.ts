// Callback ingest: POST /callbacks under autocannon (its own process, 50 connections), against two baselines measured
// in the same run and interleaved with it: a bare node:http server (parse JSON, answer) and naive one-commit-per-request storage.
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, CALLBACK_KEY, CALLBACK_TOKEN, type BenchConfig } from '../config';
import { generateRequests, mixOf, writeRequests } from '../lib/bodies';
import { finished, jsonResult, measureCpu, spawnNode } from '../lib/children';
import { fmt, verdict, type BenchmarkResult, type ResultRow } from '../lib/results';
import { projectorStatus, startBaselineServer, startService, type Server } from '../lib/service';
import { mean } from '../lib/stats';
import type { LoadOptions, LoadResult } from '../load/autocannonLoad';

type Target = 'bare' | 'service' | 'naive';
const TARGET_NAMES: Record<Target, string> = {
  bare: 'bare node:http (parse JSON, answer)',
  service: 'service: POST /callbacks (durable 200)',
  naive: 'naive: one row, one commit per request',
};

interface Run {
  round: number;
  target: Target;
  load: LoadResult;
  /** Service only: events in the log and applied by the projector when the load stopped. */
  stored?: string;
  /** CPU the server used during the load (warm-up included), as a share of one core. */
  serverCpu: number;
}

export async function ingestBenchmark(config: BenchConfig, workDir: string, log: (line: string) => void): Promise<BenchmarkResult> {
  const started = performance.now();
  const { connections, durationSeconds, warmupSeconds, rounds, bodies } = config.ingest;
  const requestsFile = path.join(workDir, 'ingest-requests.txt');
  const requests = generateRequests(config.seed + 1000, bodies);
  writeRequests(requestsFile, requests);
  const mix = mixOf(requests);
  log(`ingest: ${requests.length} distinct signed callbacks; ${rounds} round(s) of bare / service / naive, ${connections} connections, ${warmupSeconds} s warm-up + ${durationSeconds} s`);

  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const target of ['bare', 'service', 'naive'] as const) {
      const dataDir = path.join(workDir, `ingest-${target}-${round}`);
      fs.mkdirSync(dataDir, { recursive: true });
      const timeoutMs = (warmupSeconds + durationSeconds + 120) * 1000;
      const server = await startTarget(config, target, dataDir, round, timeoutMs);
      let run: Run;
      try {
        const cpu = measureCpu(server.child.pid);
        const load = await runLoad({ url: server.url, requestsFile, connections, durationSeconds, warmupSeconds });
        run = { round, target, load, serverCpu: cpu.stop() };
        if (target === 'service') {
          const status = await projectorStatus(server.url);
          run.stored = `${status.position} events stored (warm-up included) for ${load.sentInAll} requests built, ${status.eventsApplied} applied by the projector when the load stopped`;
        }
      } finally {
        await server.child.stop(30_000);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
      runs.push(run);
      const { load } = run;
      log(
        `  round ${round} ${target}: ${fmt.int(load.requestsPerSecond)} req/s, server CPU ${fmt.pct(run.serverCpu)}, p50 ${fmt.ms(load.latencyMs.p50)}, p99 ${fmt.ms(load.latencyMs.p99)}, ` +
          `non-2xx ${load.non2xx}, errors ${load.errors}${run.stored ? `; ${run.stored}` : ''}`,
      );
    }
  }

  const of = (target: Target) => runs.filter((r) => r.target === target);
  const rps = (target: Target) => mean(of(target).map((r) => r.load.requestsPerSecond));
  const worstP99 = (target: Target) => Math.max(...of(target).map((r) => r.load.latencyMs.p99));
  const failures = (target: Target) =>
    of(target).reduce((n, r) => n + r.load.non2xx + r.load.errors + r.load.timeouts, 0);
  const service = rps('service');
  const bare = rps('bare');
  const naive = rps('naive');
  const repeats = of('service').some((r) => r.load.sentInAll > r.load.distinctBodies);

  const rows: ResultRow[] = [
    {
      metric: 'service requests/s vs bare node:http',
      value: fmt.int(service),
      baseline: fmt.int(bare),
      ratio: fmt.ratio(service / bare),
      target: '≥ 0.50×',
      verdict: verdict(service / bare >= 0.5),
    },
    {
      metric: 'service p99 latency (worst round)',
      value: fmt.ms(worstP99('service')),
      baseline: fmt.ms(worstP99('bare')),
      ratio: fmt.ratio(worstP99('service') / worstP99('bare')),
      target: '≤ 25 ms',
      verdict: verdict(worstP99('service') <= 25),
    },
    {
      metric: 'service answers other than 200 (non-2xx, errors, timeouts)',
      value: String(failures('service')),
      target: '0',
      verdict: failures('service') === 0 ? 'PASS' : 'FAIL',
    },
    {
      metric: 'service requests/s vs naive ingest',
      value: fmt.int(service),
      baseline: fmt.int(naive),
      ratio: fmt.ratio(service / naive),
      target: '≥ 4×',
      verdict: verdict(service / naive >= 4),
    },
  ];
  const header = ['round', 'server', 'requests/s', 'server CPU (one core = 100%)', 'p50', 'p90', 'p99', 'p99.9', 'max', 'requests', 'non-2xx / errors / timeouts'];
  const detailRows = runs.map((r) => [
    String(r.round),
    TARGET_NAMES[r.target],
    fmt.int(r.load.requestsPerSecond),
    fmt.pct(r.serverCpu),
    fmt.ms(r.load.latencyMs.p50),
    fmt.ms(r.load.latencyMs.p90),
    fmt.ms(r.load.latencyMs.p99),
    fmt.ms(r.load.latencyMs.p999),
    fmt.ms(r.load.latencyMs.max),
    fmt.int(r.load.requests),
    `${r.load.non2xx} / ${r.load.errors} / ${r.load.timeouts}`,
  ]);
  const notes = [
    `Load: autocannon in its own process, ${connections} connections, ${warmupSeconds} s warm-up then ${durationSeconds} s measured, ` +
      `rotating through ${fmt.int(requests.length)} distinct callbacks (seeded generator): ` +
      Object.entries(mix)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, n]) => `${kind} ${((100 * n) / requests.length).toFixed(1)}%`)
        .join(', ') +
      '. Push and interruption callbacks carry t and sign = MD5(key + t); relay callbacks carry the URL token.',
    'Each run starts its server afresh on an empty data folder; the order within a round is bare, service, naive. ' +
      'The service runs its projector (read models) as it always does. Requests/s is the mean over rounds; p99 is the worst round.',
    ...of('service').map((r) => `Round ${r.round} service: ${r.stored ?? ''}.`),
  ];
  if (repeats) notes.push('Some service runs sent more requests than there are distinct bodies: the excess were retries (stored once).');
  return {
    title: 'Callback ingest',
    description: 'POST /callbacks until the durable 200, against a bare node:http server and against naive one-commit-per-request storage.',
    rows,
    details: [{ caption: 'Every run', header, rows: detailRows }],
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}

async function startTarget(config: BenchConfig, target: Target, dataDir: string, round: number, timeoutMs: number): Promise<Server> {
  switch (target) {
    case 'bare':
      return startBaselineServer('bare-http', 'bareServer.js', [], timeoutMs);
    case 'naive':
      return startBaselineServer('naive-ingest', 'naiveServer.js', [path.join(dataDir, 'naive.db'), CALLBACK_KEY, CALLBACK_TOKEN], timeoutMs);
    case 'service':
      return startService(config, { dataDir, label: `ingest-${round}`, timeoutMs });
  }
}

async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const child = spawnNode('autocannon', path.join(BUILD_DIR, 'load', 'autocannonLoad.js'), [JSON.stringify(options)], {
    timeoutMs: (options.warmupSeconds + options.durationSeconds + 60) * 1000,
  });
  return jsonResult<LoadResult>(await finished(child));
}
