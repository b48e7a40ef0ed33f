// Forwarding under load: the service with FORWARD_CONFIG naming a loopback receiver (its own process, 200 at once) under
// wrk, against the same service without forwarding in the same run; then a paced load at a fixed rate. Reports ingest
// requests/s with and without forwarding, deliveries/s, and delivery lag.
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, type BenchConfig } from '../config';
import { generateRequests, resignRequests, writeRequests, type CallbackRequest } from '../lib/bodies';
import { finished, httpGet, jsonResult, sleep, spawnNode } from '../lib/children';
import { fmt, verdict, type BenchmarkResult, type ResultRow } from '../lib/results';
import { startBaselineServer, startService, type Server } from '../lib/service';
import { mean, summarize, type LatencySummary } from '../lib/stats';
import { sampleProcess, threadCpuBetween } from '../lib/threadCpu';
import type { LoadResult } from '../load/loadResult';
import type { PacedLoadOptions, PacedLoadResult } from '../load/pacedLoad';
import { runWrk, wrkMissing } from '../load/wrk';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** How long the deliveries may take to catch up once a load has stopped. */
const DRAIN_TIMEOUT_MS = 120_000;

type Arrival = [id: string, arrivedAt: number, receivedAt: number | null];
const wallNow = () => performance.timeOrigin + performance.now();

interface LoadedRun {
  forwarding: boolean;
  result: LoadResult;
  /** Deliveries that arrived while wrk's measured run lasted, per second. */
  deliveriesPerSecond?: number;
  /** Ledger receivedAt → arrival at the receiver, deliveries of the measured run. */
  lagMs?: LatencySummary;
  /** Seconds from the load's end until the receiver had every answered callback. */
  drainSeconds?: number;
  delivered?: number;
}

export async function forwardingBenchmark(config: BenchConfig, workDir: string, log: (line: string) => void): Promise<BenchmarkResult> {
  const started = performance.now();
  const missing = wrkMissing();
  if (missing !== null) throw new Error(`the forwarding benchmark drives ingest with wrk: ${missing}`);
  const { connections, durationSeconds, warmupSeconds, rounds, bodies, wrkThreads } = config.ingest;
  const { rate, seconds, format, concurrency } = config.forwarding;
  const timeoutMs = (2 * warmupSeconds + 2 * durationSeconds + 300) * 1000;
  const receiver = await startBaselineServer('forward-receiver', 'forwardReceiver.js', [], timeoutMs * (2 * rounds + 1));
  const forwardConfig = path.join(workDir, 'forward.json');
  const destination = { name: 'bench', url: `${receiver.url}/deliveries`, format, startFrom: 'beginning', ...(format === 'raw' ? {} : { secret: SECRET }), ...(concurrency === null ? {} : { concurrency }) };
  fs.writeFileSync(forwardConfig, JSON.stringify({ destinations: [destination] }));
  const requests = generateRequests(config.seed + 3000, bodies);
  const requestsFile = path.join(workDir, 'forwarding-requests.txt');
  log(`forwarding: ${rounds} round(s) of ingest without / with a ${format} destination under wrk (${connections} connections, ${warmupSeconds} s + ${durationSeconds} s), then ${rate}/s paced for ${seconds} s`);

  const runs: LoadedRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const forwarding of [false, true]) {
      const dataDir = path.join(workDir, `forwarding-${round}-${forwarding ? 'on' : 'off'}`);
      fs.mkdirSync(dataDir, { recursive: true });
      writeRequests(requestsFile, resignRequests(requests));
      await httpGet(`${receiver.url}/reset`);
      const service = await startService(config, { dataDir, label: `forwarding-${round}-${forwarding ? 'on' : 'off'}`, timeoutMs, env: forwarding ? { FORWARD_CONFIG: forwardConfig } : {} });
      try {
        let measuring = NaN;
        const result = await runWrk(
          { url: service.url, requestsFile, connections, durationSeconds, warmupSeconds, threads: wrkThreads, distinctBodies: requests.length },
          () => (measuring = wallNow()),
        );
        const loadEnded = wallNow();
        const run: LoadedRun = { forwarding, result };
        if (forwarding) Object.assign(run, await drained(receiver, result.sentInAll, measuring, loadEnded));
        runs.push(run);
        log(
          `  round ${round} ${forwarding ? 'with' : 'without'} forwarding: ${fmt.int(result.requestsPerSecond)} req/s, p99 ${fmt.ms(result.latencyMs.p99)}` +
            (forwarding ? `; ${fmt.int(run.deliveriesPerSecond!)} deliveries/s, lag p50 ${fmt.ms(run.lagMs!.p50)} p99 ${fmt.ms(run.lagMs!.p99)}, drained ${fmt.s(run.drainSeconds!)} after the load` : ''),
        );
      } finally {
        await service.child.stop(30_000);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
  const paced = await pacedRun(config, workDir, receiver, forwardConfig, requests, timeoutMs);
  const cpuUs = (us: number | null) => (us === null ? '—' : `${fmt.int(us)} µs`);
  log(`  paced ${rate}/s: lag p50 ${fmt.ms(paced.lagMs.p50)} p99 ${fmt.ms(paced.lagMs.p99)}, ${paced.missing} missing; CPU per callback: forwarding thread ${cpuUs(paced.forwardingCpuUs)}, service ${cpuUs(paced.serviceCpuUs)}`);
  await receiver.child.stop();
  return report(config, runs, paced, (performance.now() - started) / 1000);
}

/** Waits until the receiver has `expected` distinct deliveries (or the deadline), then measures the run's deliveries. */
async function drained(receiver: Server, expected: number, measuring: number, loadEnded: number) {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  let arrivals: Arrival[] = [];
  for (;;) {
    arrivals = await receiverArrivals(receiver);
    if (new Set(arrivals.map((a) => a[0])).size >= expected || performance.now() > deadline) break;
    await sleep(250);
  }
  const inWindow = arrivals.filter((a) => a[1] >= measuring && a[1] <= loadEnded);
  const lags = inWindow.filter((a) => a[2] !== null).map((a) => a[1] - a[2]!);
  const last = Math.max(...arrivals.map((a) => a[1]));
  return {
    deliveriesPerSecond: inWindow.length / ((loadEnded - measuring) / 1000),
    lagMs: summarize(lags),
    drainSeconds: Math.max(0, (last - loadEnded) / 1000),
    delivered: new Set(arrivals.map((a) => a[0])).size,
  };
}

async function receiverArrivals(receiver: Server): Promise<Arrival[]> {
  const { body } = await httpGet(`${receiver.url}/report`, 30_000);
  return (JSON.parse(body) as { arrivals: Arrival[] }).arrivals;
}

interface PacedRun {
  rate: number;
  sentRate: number;
  answered: number;
  missing: number;
  other: number;
  /** The 200's arrival at the sender → the delivery's arrival at the receiver (one machine, one wall clock). */
  lagMs: LatencySummary;
  /** CPU of the forwarding thread, and of the whole service, per delivered callback (µs, from /proc), over the paced run. */
  forwardingCpuUs: number | null;
  serviceCpuUs: number | null;
}

async function pacedRun(config: BenchConfig, workDir: string, receiver: Server, forwardConfig: string, requests: readonly CallbackRequest[], timeoutMs: number): Promise<PacedRun> {
  const { rate, seconds } = config.forwarding;
  const dataDir = path.join(workDir, 'forwarding-paced');
  fs.mkdirSync(dataDir, { recursive: true });
  const requestsFile = path.join(workDir, 'forwarding-paced.txt');
  writeRequests(requestsFile, resignRequests(requests.slice(0, rate * seconds)));
  await httpGet(`${receiver.url}/reset`);
  const service = await startService(config, { dataDir, label: 'forwarding-paced', timeoutMs, env: { FORWARD_CONFIG: forwardConfig } });
  try {
    const options: PacedLoadOptions = { url: service.url, requestsFile, rate, count: rate * seconds };
    const before = sampleProcess(service.child.pid);
    const load = spawnNode('paced-load', path.join(BUILD_DIR, 'load', 'pacedLoad.js'), [JSON.stringify(options)], { timeoutMs: (seconds + 120) * 1000 });
    const result = jsonResult<PacedLoadResult>(await finished(load));
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    const arrivedAt = new Map<string, number>();
    while (performance.now() < deadline) {
      for (const [id, at] of await receiverArrivals(receiver)) if (!arrivedAt.has(id)) arrivedAt.set(id, at);
      if (result.answered.every(([id]) => arrivedAt.has(id))) break;
      await sleep(250);
    }
    const after = sampleProcess(service.child.pid);
    const cpu = before === null || after === null ? null : threadCpuBetween(before, after);
    const lags = result.answered.filter(([id]) => arrivedAt.has(id)).map(([id, answeredAt]) => Math.max(0, arrivedAt.get(id)! - answeredAt));
    const perCallback = (seconds: number | undefined) => (seconds === undefined || lags.length === 0 ? null : (seconds * 1e6) / lags.length);
    return {
      rate,
      sentRate: result.sentRate,
      answered: result.answered.length,
      missing: result.answered.length - lags.length,
      other: result.other,
      lagMs: summarize(lags),
      forwardingCpuUs: perCallback(cpu?.groups.get('forwarding')),
      serviceCpuUs: perCallback(cpu?.totalSeconds),
    };
  } finally {
    await service.child.stop(30_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(config: BenchConfig, runs: readonly LoadedRun[], paced: PacedRun, seconds: number): BenchmarkResult {
  const on = runs.filter((r) => r.forwarding);
  const off = runs.filter((r) => !r.forwarding);
  const rpsOn = mean(on.map((r) => r.result.requestsPerSecond));
  const rpsOff = mean(off.map((r) => r.result.requestsPerSecond));
  const deliveries = mean(on.map((r) => r.deliveriesPerSecond!));
  const worst = (pick: (s: LatencySummary) => number) => Math.max(...on.map((r) => pick(r.lagMs!)));
  const envelope = config.forwarding.format === 'standard-webhooks';
  const lost = on.reduce((n, r) => n + Math.max(0, r.result.sentInAll - r.delivered!), 0);
  const rows: ResultRow[] = [
    { metric: 'ingest requests/s with forwarding vs without (wrk)', value: fmt.int(rpsOn), baseline: fmt.int(rpsOff), ratio: fmt.ratio(rpsOn / rpsOff), target: '≥ 0.80×', verdict: verdict(rpsOn / rpsOff >= 0.8) },
    { metric: 'deliveries/s while ingest runs flat out vs ingest requests/s', value: fmt.int(deliveries), baseline: fmt.int(rpsOn), ratio: fmt.ratio(deliveries / rpsOn), target: '≥ 1.00× (keeps up)', verdict: verdict(deliveries / rpsOn >= 0.99) },
    ...(envelope
      ? [{ metric: 'delivery lag under wrk, p50 / p99 (worst round; ledger receivedAt → receiver)', value: `${fmt.ms(worst((s) => s.p50))} / ${fmt.ms(worst((s) => s.p99))}`, verdict: 'INFO' as const }]
      : []),
    { metric: 'time to deliver the backlog once wrk stopped (worst round)', value: fmt.s(Math.max(...on.map((r) => r.drainSeconds!))), verdict: 'INFO' },
    { metric: 'callbacks answered 200 but not delivered', value: `${lost} of ${on.reduce((n, r) => n + r.result.sentInAll, 0)}`, target: '0', verdict: lost === 0 ? 'PASS' : 'FAIL' },
    { metric: `delivery lag at ${fmt.int(paced.rate)}/s, p50 / p99 (200 → receiver)`, value: `${fmt.ms(paced.lagMs.p50)} / ${fmt.ms(paced.lagMs.p99)}`, target: 'p99 ≤ 1 s', verdict: verdict(paced.lagMs.p99 <= 1000) },
    {
      metric: `CPU per delivered callback at ${fmt.int(paced.rate)}/s (µs, /proc): forwarding thread / whole service`,
      value: `${paced.forwardingCpuUs === null ? '—' : fmt.int(paced.forwardingCpuUs)} / ${paced.serviceCpuUs === null ? '—' : fmt.int(paced.serviceCpuUs)}`,
      verdict: 'INFO',
    },
    { metric: `callbacks answered 200 but not delivered at ${fmt.int(paced.rate)}/s`, value: `${paced.missing} of ${paced.answered}`, target: '0', verdict: paced.missing === 0 && paced.other === 0 ? 'PASS' : 'FAIL' },
  ];
  const header = ['round', 'forwarding', 'ingest requests/s', 'ingest p99', 'deliveries/s (measured run)', 'lag p50', 'lag p99', 'lag max', 'drained after the load'];
  const detailRows = runs.map((r, i) => [
    String(Math.floor(i / 2) + 1),
    r.forwarding ? 'on' : 'off',
    fmt.int(r.result.requestsPerSecond),
    fmt.ms(r.result.latencyMs.p99),
    r.forwarding ? fmt.int(r.deliveriesPerSecond!) : '—',
    r.lagMs && envelope ? fmt.ms(r.lagMs.p50) : '—',
    r.lagMs && envelope ? fmt.ms(r.lagMs.p99) : '—',
    r.lagMs && envelope ? fmt.ms(r.lagMs.max) : '—',
    r.forwarding ? fmt.s(r.drainSeconds!) : '—',
  ]);
  const { connections, durationSeconds, warmupSeconds } = config.ingest;
  return {
    title: 'Forwarding under ingest load',
    description:
      `The service with FORWARD_CONFIG naming one ${config.forwarding.format} destination (${config.forwarding.concurrency === null ? 'default concurrency' : `concurrency ${config.forwarding.concurrency}`}, no rate limit) on a loopback receiver in its own process that answers 200 at once, ` +
      'against the same service without forwarding, each started afresh and interleaved in the same run.',
    rows,
    details: [{ caption: 'Every run', header, rows: detailRows }],
    notes: [
      `Ingest: wrk (bench/load/wrkLoad.lua), ${connections} connections, ${warmupSeconds} s warm-up then ${durationSeconds} s measured, distinct signed callbacks of the seeded generator. ` +
        'Deliveries/s counts the deliveries that reached the receiver while the measured run lasted.',
      'Lag under wrk: arrival at the receiver (wall clock) minus `data.receivedAt` of the Standard Webhooks envelope (the ledger\'s clock when the callback came in, a little before its 200), same machine.',
      `Paced: the simulator's sender in its own process, ${fmt.int(paced.rate)} callbacks/s (sent at ${fmt.int(paced.sentRate)}/s) for ${config.forwarding.seconds} s into a fresh service with forwarding; ` +
        "lag = the delivery's arrival at the receiver minus the 200's arrival at the sender, matched by webhook-id = callback-event-id, one wall clock.",
      'The receiver, the load generator and the service share the two cores: forwarding competes with ingest for CPU here, as it would not with the receiver elsewhere.',
    ],
    seconds,
  };
}
