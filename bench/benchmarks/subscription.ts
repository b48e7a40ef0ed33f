// Callback → subscription: from the durable 200 to the graphql-ws message, at a paced rate (1,000 and 3,000 callbacks/s).
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, type BenchConfig } from '../config';
import { generateRequests, writeRequests } from '../lib/bodies';
import { finished, jsonResult, spawnNode } from '../lib/children';
import { fmt, verdict, type BenchmarkResult } from '../lib/results';
import { startService } from '../lib/service';
import { sampleProcess, THREAD_GROUPS, threadCpuBetween, type ThreadCpu } from '../lib/threadCpu';
import type { SubscriptionLoadOptions, SubscriptionLoadResult } from '../load/subscriptionLoad';
import { WORKER_ROLES } from './ingestCpu';

/** µs of CPU per callback sent, thread group by thread group (those above 1 µs), and over every thread. */
function cpuPerCallback(cpu: ThreadCpu | null, callbacks: number): string {
  if (cpu === null || callbacks === 0) return 'n/a';
  const us = (seconds: number) => `${Math.round((seconds * 1e6) / callbacks)}`;
  const groups = [...cpu.groups]
    .filter(([, seconds]) => (seconds * 1e6) / callbacks >= 1)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([group, seconds]) => `${group} ${us(seconds)}`);
  return `${us(cpu.totalSeconds)} µs: ${groups.join(', ')}`;
}
const rank = (group: string) => {
  const known = (THREAD_GROUPS as readonly string[]).indexOf(group);
  return known === -1 ? THREAD_GROUPS.length : known;
};

export async function subscriptionBenchmark(config: BenchConfig, rate: number, workDir: string, log: (line: string) => void): Promise<BenchmarkResult> {
  const started = performance.now();
  const { seconds, warmupSeconds } = config.subscription;
  const requestsFile = path.join(workDir, `subscription-${rate}-requests.txt`);
  writeRequests(requestsFile, generateRequests(config.seed + 2000, Math.ceil(rate * (seconds + warmupSeconds)) + 100));
  const dataDir = path.join(workDir, `subscription-${rate}`);
  fs.mkdirSync(dataDir, { recursive: true });
  log(`subscription: ${rate} callbacks/s for ${warmupSeconds} s warm-up + ${seconds} s, one callbackReceived subscriber`);

  const service = await startService(config, { dataDir, label: `subscription-${rate}`, timeoutMs: (seconds + warmupSeconds + 120) * 1000 });
  let result: SubscriptionLoadResult;
  let serviceCpu = NaN;
  let threads: ThreadCpu | null = null;
  try {
    const before = sampleProcess(service.child.pid);
    const options: SubscriptionLoadOptions = { url: service.url, requestsFile, rate, seconds, warmupSeconds };
    const child = spawnNode('subscriber', path.join(BUILD_DIR, 'load', 'subscriptionLoad.js'), [JSON.stringify(options)], {
      timeoutMs: (seconds + warmupSeconds + 90) * 1000,
    });
    result = jsonResult<SubscriptionLoadResult>(await finished(child));
    const after = sampleProcess(service.child.pid);
    threads = before === null || after === null ? null : threadCpuBetween(before, after, WORKER_ROLES.service);
    if (threads !== null && threads.windowSeconds > 0) serviceCpu = threads.totalSeconds / threads.windowSeconds;
  } finally {
    await service.child.stop(30_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const { latencyMs, responseMs } = result;
  log(
    `  200 → message: p50 ${fmt.ms(latencyMs.p50)}, p99 ${fmt.ms(latencyMs.p99)}, max ${fmt.ms(latencyMs.max)}; ` +
      `missed ${result.missed}; sent ${fmt.int(result.achievedRate)}/s, answered ${fmt.int(result.answeredRate)}/s; send → 200 p99 ${fmt.ms(responseMs.p99)}; service CPU ${fmt.pct(serviceCpu)}`,
  );
  const perCallback = cpuPerCallback(threads, result.sent);
  log(`  service CPU per callback sent: ${perCallback}`);
  const rateOk = result.achievedRate >= rate * 0.95 && result.answeredRate >= rate * 0.95;
  return {
    title: `Callback → subscription at ${fmt.int(rate)}/s`,
    description: `Callbacks posted at ${fmt.int(rate)}/s by a paced sender; one graphql-ws client subscribed to callbackReceived in the same process.`,
    rows: [
      { metric: '200 → ws message, p50', value: fmt.ms(latencyMs.p50), verdict: 'INFO' },
      { metric: '200 → ws message, p99', value: fmt.ms(latencyMs.p99), target: '≤ 50 ms', verdict: verdict(latencyMs.p99 <= 50) },
      { metric: '200 → ws message, max', value: fmt.ms(latencyMs.max), verdict: 'INFO' },
      {
        metric: 'callbacks answered 200 without a message (missed)',
        value: `${result.missed} of ${latencyMs.count + result.missed}`,
        target: '0',
        verdict: result.missed === 0 ? 'PASS' : 'FAIL',
      },
      { metric: 'non-200 answers / request errors', value: `${result.non200} / ${result.errors}`, target: '0', verdict: result.non200 + result.errors === 0 ? 'PASS' : 'FAIL' },
      {
        metric: 'rate sent / rate answered (first measured send to last 200)',
        value: `${fmt.int(result.achievedRate)}/s / ${fmt.int(result.answeredRate)}/s`,
        target: `${fmt.int(rate)}/s`,
        verdict: rateOk ? 'PASS' : 'MISS',
      },
      { metric: 'send → 200, p50 / p99', value: `${fmt.ms(responseMs.p50)} / ${fmt.ms(responseMs.p99)}`, verdict: 'INFO' },
      { metric: 'service CPU during the run (one core = 100%)', value: fmt.pct(serviceCpu), verdict: 'INFO' },
      { metric: 'service CPU per callback sent, all threads: by thread', value: perCallback, verdict: 'INFO' },
    ],
    notes: [
      `${fmt.int(result.measured)} callbacks measured after ${fmt.int(result.sent - result.measured)} warm-up ones (bounded count). ` +
        `${result.messageBeforeResponse} messages arrived before their 200 was read (counted as 0 ms).`,
      'CPU per callback: user + system time of each of the service\'s threads (/proc) from the subscriber\'s start to its end, warm-up included, over the callbacks sent; at a paced rate each batch holds fewer callbacks than under ingest at full speed, so each callback pays more of the batches\' fixed costs.',
      'send → 200 includes any wait for one of the sender\'s 128 keep-alive connections: when it grows, the service is not keeping up with the rate.',
      'Latency is taken in one process with one clock: the arrival of the 200 (response headers) and of the ws message carrying the same event id (callback-event-id header = CallbackEvent.id).',
    ],
    seconds: (performance.now() - started) / 1000,
  };
}
