// Serving the scale data set under load: queries from many clients while callbacks arrive at 1,000/s (mixed), and
// queries while one read model is rebuilt beside the live files and swapped in (the shadow upgrade).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, SERVICE_CLI, type BenchConfig } from '../config';
import { generateRequests, writeRequests } from '../lib/bodies';
import { finished, jsonResult, measureCpu, sampleMemory, spawnNode, temporaryPaths, type Child } from '../lib/children';
import { fmt, verdict, type BenchmarkResult, type ResultRow } from '../lib/results';
import { caughtUp, startService, type CatchUp } from '../lib/service';
import type { LatencySummary } from '../lib/stats';
import type { PacedLoadOptions, PacedLoadResult } from '../load/pacedLoad';
import type { QueryClientsOptions, QueryClientsResult } from '../load/queryClients';
import type { QueryDataset } from '../load/queryKinds';

export interface ServingResults {
  mixed: BenchmarkResult;
  upgrade: BenchmarkResult;
}

interface Phase<T> {
  result: T;
  /** Service CPU over the phase, as a share of one core. */
  serviceCpu: number;
  /** The service's largest RSS sampled every 100 ms during the phase. */
  largestRss: number;
}

interface RebuildRun {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

const WARMUP_SECONDS = 10;
const backlogText = (catchUp: CatchUp) =>
  Object.entries(catchUp.backlog)
    .map(([processor, events]) => `${processor} ${fmt.int(events)} events`)
    .join(', ');
const p50p99 = (latency: LatencySummary) => `${fmt.ms(latency.p50)} / ${fmt.ms(latency.p99)}`;

/**
 * Runs on a copy of the data set (the callbacks it sends would otherwise grow the kept one, and the upgrade replaces
 * files): queries alone, callbacks alone, both at once, then queries while `rebuild <read model>` runs through the service.
 */
export async function servingUnderLoad(config: BenchConfig, dataset: QueryDataset, dataDir: string, workDir: string, log: (line: string) => void): Promise<ServingResults> {
  const started = performance.now();
  const { rate, seconds, clients, ratePerClient, readModel } = config.serving;
  const copy = path.join(workDir, 'serving');
  temporaryPaths.add(copy);
  log(`serving under load: copying the data set to ${copy}`);
  const copyStarted = performance.now();
  fs.cpSync(dataDir, copy, { recursive: true });
  // Gigabytes just copied are still being written back: the disk would be busy under the first phases.
  execFileSync('sync');
  log(`  copied and written to disk in ${fmt.s((performance.now() - copyStarted) / 1000)}`);

  // Two slices of distinct callbacks: the mixed run stores new events too, not duplicates of the first run's.
  const count = Math.ceil(rate * seconds);
  const requests = generateRequests(config.seed + 5000, 2 * count + 100);
  const requestFiles = [requests.slice(0, count), requests.slice(count, 2 * count)].map((slice, i) => {
    const file = path.join(workDir, `serving-requests-${i}.txt`);
    writeRequests(file, slice);
    return file;
  });

  const service = await startService(config, { dataDir: copy, label: 'serving', timeoutMs: 60 * 60_000, readyTimeoutMs: 10 * 60_000 });
  const queryOptions = (bound: number, seed: number): QueryClientsOptions => ({
    ...dataset,
    url: service.url,
    clients,
    ratePerClient,
    warmup: 8,
    seconds: bound,
    seed,
  });
  const callbackOptions = (file: string): PacedLoadOptions => ({ url: service.url, requestsFile: file, rate, count });
  try {
    // The first seconds of a fresh service (compilation, page caches) are no one's baseline.
    log(`  warm-up: the same query clients for ${WARMUP_SECONDS} s, unmeasured`);
    await runQueries(queryOptions(WARMUP_SECONDS, config.seed + 5500));
    log(`  queries alone: ${clients} clients × ${ratePerClient}/s for ${seconds} s`);
    const queriesAlone = await phase(service.child.pid, () => runQueries(queryOptions(seconds, config.seed + 6000)));
    log(`    p50 / p99 ${p50p99(queriesAlone.result.latencyMs)}, ${fmt.int(queriesAlone.result.rate)}/s, service CPU ${fmt.pct(queriesAlone.serviceCpu)}`);

    log(`  callbacks alone: ${fmt.int(rate)}/s for ${seconds} s`);
    await caughtUp(service.url);
    const callbacksAlone = await phase(service.child.pid, () => runCallbacks(callbackOptions(requestFiles[0]!)));
    log(`    send → 200 p50 / p99 ${p50p99(callbacksAlone.result.latencyMs)}, service CPU ${fmt.pct(callbacksAlone.serviceCpu)}`);

    // Each phase starts once the read models have applied what the one before stored: a backlog left over would be
    // measured as the next phase's own. How long that took is reported beside the phase that left it.
    const afterCallbacks = await caughtUp(service.url);
    log(`    then applied what was left (${backlogText(afterCallbacks)}) in ${fmt.s(afterCallbacks.seconds)}`);
    log('  both at once');
    const mixed = await phase(service.child.pid, () =>
      whileQuerying(queryOptions(seconds + 120, config.seed + 7000), () => runCallbacks(callbackOptions(requestFiles[1]!))),
    );
    log(
      `    callbacks p50 / p99 ${p50p99(mixed.result.during.latencyMs)}; queries p50 / p99 ${p50p99(mixed.result.queries.latencyMs)}, ` +
        `${fmt.int(mixed.result.queries.rate)}/s; service CPU ${fmt.pct(mixed.serviceCpu)}`,
    );

    const afterMixed = await caughtUp(service.url);
    log(`    then applied what was left (${backlogText(afterMixed)}) in ${fmt.s(afterMixed.seconds)}`);
    log(`  upgrade: node dist/cli.js rebuild ${readModel}, through the service, while the clients query`);
    const upgrade = await phase(service.child.pid, () =>
      whileQuerying(queryOptions(60 * 60, config.seed + 8000), () => runRebuild(copy, readModel)),
    );
    log(
      `    rebuilt ${fmt.int(upgrade.result.during.events)} events in ${fmt.s(upgrade.result.during.seconds)}; ` +
        `queries p50 / p99 ${p50p99(upgrade.result.queries.latencyMs)}, service CPU ${fmt.pct(upgrade.serviceCpu)}`,
    );
    return {
      mixed: mixedResult(config, queriesAlone, callbacksAlone, mixed, [afterCallbacks, afterMixed]),
      upgrade: upgradeResult(config, queriesAlone, upgrade, (performance.now() - started) / 1000),
    };
  } finally {
    await service.child.stop(30_000);
    fs.rmSync(copy, { recursive: true, force: true });
    temporaryPaths.delete(copy);
  }
}

async function phase<T>(pid: number, run: () => Promise<T>): Promise<Phase<T>> {
  const cpu = measureCpu(pid);
  const memory = sampleMemory(pid, 100);
  let largestRss = 0;
  let result: T;
  try {
    result = await run();
  } finally {
    largestRss = memory.stop().maxRss;
  }
  return { result, serviceCpu: cpu.stop(), largestRss };
}

/** The query clients in their own process; `measuring` resolves when their warm-up is over (or they ended). */
export function startQueries(options: QueryClientsOptions): { child: Child; measuring: Promise<void> } {
  let onMeasuring!: () => void;
  const measuring = new Promise<void>((resolve) => (onMeasuring = resolve));
  const child = spawnNode('query-clients', path.join(BUILD_DIR, 'load', 'queryClients.js'), [JSON.stringify(options)], {
    timeoutMs: (options.seconds + 120) * 1000,
    onStderrLine: (line) => line === 'measuring' && onMeasuring(),
  });
  void child.exited.then(onMeasuring);
  return { child, measuring };
}

async function runQueries(options: QueryClientsOptions): Promise<QueryClientsResult> {
  return jsonResult<QueryClientsResult>(await finished(startQueries(options).child));
}

/** Starts the query clients, runs `work` once they measure, then stops them (SIGTERM: they hand back what they measured). */
async function whileQuerying<T>(options: QueryClientsOptions, work: () => Promise<T>): Promise<{ queries: QueryClientsResult; during: T }> {
  const { child, measuring } = startQueries(options);
  await measuring;
  try {
    const during = await work();
    await child.stop(30_000);
    return { queries: jsonResult<QueryClientsResult>(await finished(child)), during };
  } finally {
    await child.stop(3000);
  }
}

async function runCallbacks(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const child = spawnNode('callbacks', path.join(BUILD_DIR, 'load', 'pacedLoad.js'), [JSON.stringify(options)], {
    timeoutMs: ((options.count / options.rate) + 120) * 1000,
  });
  return jsonResult<PacedLoadResult>(await finished(child));
}

async function runRebuild(dataDir: string, readModel: string): Promise<RebuildRun> {
  const child = spawnNode('rebuild', SERVICE_CLI, ['rebuild', readModel], {
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    timeoutMs: 50 * 60_000,
  });
  const output = await finished(child);
  const match = /rebuilt: (\d+) events in ([\d.]+) s \((\d+) events\/s\)/.exec(output);
  if (match === null) throw new Error(`rebuild printed no "rebuilt:" line:\n${output}`);
  return { events: Number(match[1]), seconds: Number(match[2]), eventsPerSecond: Number(match[3]) };
}

function queryRows(label: string, measured: QueryClientsResult, alone: QueryClientsResult): ResultRow[] {
  return [
    {
      metric: `queries ${label}, p50 / p99`,
      value: p50p99(measured.latencyMs),
      baseline: `p99 ${fmt.ms(alone.latencyMs.p99)} (queries alone)`,
      ratio: fmt.ratio(measured.latencyMs.p99 / alone.latencyMs.p99),
      target: 'p99 ≤ 10 ms',
      verdict: verdict(measured.latencyMs.p99 <= 10),
    },
    {
      metric: `queries ${label}: answered / errors`,
      value: `${fmt.int(measured.rate)}/s / ${measured.failures}`,
      target: '0 errors',
      verdict: measured.failures === 0 ? 'PASS' : 'FAIL',
    },
  ];
}

function kindTable(caption: string, runs: Array<[string, QueryClientsResult]>) {
  return {
    caption,
    header: ['query', ...runs.map(([label]) => `${label}: p50 / p99`)],
    rows: runs[0]![1].byKind.map(({ kind }, k) => [kind, ...runs.map(([, run]) => p50p99(run.byKind[k]!.latencyMs))]),
  };
}

function mixedResult(
  config: BenchConfig,
  queriesAlone: Phase<QueryClientsResult>,
  callbacksAlone: Phase<PacedLoadResult>,
  mixed: Phase<{ queries: QueryClientsResult; during: PacedLoadResult }>,
  [afterCallbacks, afterMixed]: [CatchUp, CatchUp],
): BenchmarkResult {
  const { rate, seconds, clients, ratePerClient } = config.serving;
  const callbacks = mixed.result.during;
  const count = Math.ceil(rate * seconds);
  const failed = count - callbacks.answered.length;
  return {
    title: 'Mixed: callbacks and queries at once',
    description:
      `The service serving a copy of the scale data set: callbacks posted at ${fmt.int(rate)}/s by the paced sender while ${clients} ` +
      `query clients each send ${ratePerClient} queries/s; baselines: each load alone, just before, on the same service.`,
    rows: [
      {
        metric: 'callbacks with queries, send → 200 p50 / p99',
        value: p50p99(callbacks.latencyMs),
        baseline: `p99 ${fmt.ms(callbacksAlone.result.latencyMs.p99)} (callbacks alone)`,
        ratio: fmt.ratio(callbacks.latencyMs.p99 / callbacksAlone.result.latencyMs.p99),
        target: 'p99 ≤ 25 ms',
        verdict: verdict(callbacks.latencyMs.p99 <= 25),
      },
      {
        metric: 'callbacks not answered 200',
        value: `${failed} of ${fmt.int(count)}${failed === 0 ? '' : ` (${Object.entries(callbacks.otherAnswers).map(([answer, n]) => `${answer}: ${n}`).join(', ') || 'no answer'})`}`,
        target: '0',
        verdict: failed === 0 ? 'PASS' : 'FAIL',
      },
      { metric: 'callbacks sent per second', value: fmt.int(callbacks.sentRate), target: `${fmt.int(rate)}/s`, verdict: verdict(callbacks.sentRate >= rate * 0.95) },
      ...queryRows('with callbacks', mixed.result.queries, queriesAlone.result),
      {
        metric: 'service CPU (one core = 100%): both / queries alone / callbacks alone',
        value: `${fmt.pct(mixed.serviceCpu)} / ${fmt.pct(queriesAlone.serviceCpu)} / ${fmt.pct(callbacksAlone.serviceCpu)}`,
        verdict: 'INFO',
      },
      {
        metric: 'service RSS, largest sampled: both / queries alone / callbacks alone',
        value: `${fmt.mb(mixed.largestRss)} / ${fmt.mb(queriesAlone.largestRss)} / ${fmt.mb(callbacksAlone.largestRss)}`,
        verdict: 'INFO',
      },
      {
        metric: 'left to apply when the callbacks stopped, and the time it took: both / callbacks alone',
        value: `${backlogText(afterMixed)}, ${fmt.s(afterMixed.seconds)} / ${backlogText(afterCallbacks)}, ${fmt.s(afterCallbacks.seconds)}`,
        verdict: 'INFO',
      },
    ],
    details: [kindTable('Queries by kind', [['alone', queriesAlone.result], ['with callbacks', mixed.result.queries]])],
    notes: [
      `Each phase ${seconds} s; the query clients (bench/load/queryClients.ts, one process, one keep-alive connection each) cycle through ` +
        `the four queries the query targets name, each client paced (a late answer makes the next request go at once), after 8 unmeasured requests each; before the first phase, the same clients ran ${WARMUP_SECONDS} s unmeasured on the fresh service.`,
      'Callback latency is the sender\'s: request written to 200 read, a wait for one of its 128 keep-alive connections included.',
      'Each phase starts once every processor has applied the whole log (`/readyz`), so that no phase is measured with the backlog of the one before.',
    ],
    seconds: 0,
  };
}

function upgradeResult(config: BenchConfig, queriesAlone: Phase<QueryClientsResult>, upgrade: Phase<{ queries: QueryClientsResult; during: RebuildRun }>, seconds: number): BenchmarkResult {
  const { clients, ratePerClient, readModel } = config.serving;
  const rebuild = upgrade.result.during;
  return {
    title: 'Upgrade of a read model while serving',
    description:
      `\`node dist/cli.js rebuild ${readModel}\` against the running service (the shadow build: new files beside the live ones, swapped in when ` +
      `caught up, as a new read-model version is built) while ${clients} query clients each send ${ratePerClient} queries/s; baseline: the same clients before it.`,
    rows: [
      ...queryRows('during the rebuild', upgrade.result.queries, queriesAlone.result),
      { metric: `${readModel} rebuilt: events, time, rate`, value: `${fmt.int(rebuild.events)} in ${fmt.s(rebuild.seconds)} (${fmt.int(rebuild.eventsPerSecond)}/s)`, verdict: 'INFO' },
      { metric: 'service CPU during the rebuild (one core = 100%)', value: fmt.pct(upgrade.serviceCpu), verdict: 'INFO' },
      { metric: 'service RSS during the rebuild, largest sampled', value: fmt.mb(upgrade.largestRss), verdict: 'INFO' },
    ],
    details: [kindTable('Queries by kind', [['alone', queriesAlone.result], ['during the rebuild', upgrade.result.queries]])],
    notes: ['Measured on the same copy of the data set and the same service process as the mixed benchmark, after it, once the read models had applied what the mixed load stored.'],
    seconds,
  };
}
