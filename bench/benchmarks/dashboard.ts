// Dashboard page lag: the live page in headless Chromium while signed callbacks arrive at 500/s, from each callback's
// 200 to the page showing it, and whether the badge said "Behind" while the page lagged.
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, REPO_ROOT, type BenchConfig } from '../config';
import { generateRequests, writeRequests } from '../lib/bodies';
import { finished, jsonResult, measureCpu, spawnNode } from '../lib/children';
import { fmt, verdict, type BenchmarkResult } from '../lib/results';
import { startService } from '../lib/service';
import type { DashboardLoadOptions, DashboardLoadResult } from '../load/dashboardLoad';

/** The page's own thresholds (src/dashboard/assets/pageLag.js): "Behind" from 2 s of lag, "Live" again below 1 s. */
const BEHIND_MS = 2_000;

export async function dashboardBenchmark(config: BenchConfig, workDir: string, log: (line: string) => void): Promise<BenchmarkResult> {
  const started = performance.now();
  const { rate, seconds, warmupSeconds, chromium } = config.dashboard;
  if (!fs.existsSync(chromium)) throw new Error(`${chromium} is missing: apt-get install chromium (or set BENCH_CHROMIUM)`);
  const requestsFile = path.join(workDir, 'dashboard-requests.txt');
  writeRequests(requestsFile, generateRequests(config.seed + 3000, Math.ceil(rate * (seconds + warmupSeconds)) + 100));
  const dataDir = path.join(workDir, 'dashboard');
  fs.mkdirSync(dataDir, { recursive: true });
  const screenshot = path.join(REPO_ROOT, 'test-output', 'bench-dashboard.png');
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  log(`dashboard: ${rate} callbacks/s for ${warmupSeconds} s warm-up + ${seconds} s, the page in headless Chromium`);

  const service = await startService(config, { dataDir, label: 'dashboard', timeoutMs: (seconds + warmupSeconds + 180) * 1000 });
  let result: DashboardLoadResult;
  let serviceCpu = NaN;
  try {
    const cpu = measureCpu(service.child.pid);
    const options: DashboardLoadOptions = { url: service.url, requestsFile, rate, seconds, warmupSeconds, chromium, screenshot };
    const child = spawnNode('dashboard', path.join(BUILD_DIR, 'load', 'dashboardLoad.js'), [JSON.stringify(options)], {
      timeoutMs: (seconds + warmupSeconds + 150) * 1000,
    });
    result = jsonResult<DashboardLoadResult>(await finished(child));
    serviceCpu = cpu.stop();
  } finally {
    await service.child.stop(30_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const { lagMs, badge, mainThread } = result;
  log(
    `  200 → shown: p50 ${fmt.ms(lagMs.p50)}, p99 ${fmt.ms(lagMs.p99)}, max ${fmt.ms(lagMs.max)}; never shown ${result.neverShown}; ` +
      `${fmt.int(result.achievedRate)}/s sent; ${result.rendersPerSecond.toFixed(1)} renders/s; main thread ${fmt.pct(mainThread.tasks)} busy ` +
      `(script ${fmt.pct(mainThread.script)}); badge ${result.badgeTexts.join(' → ')}`,
  );
  const lagging = badge.laggingSamples * badge.stepMs;
  const badgeOk = badge.laggingSamples === 0 ? badge.falseAlarms === 0 : badge.saidBehind / badge.laggingSamples >= 0.5;
  return {
    title: 'Dashboard page lag',
    description: `The dashboard open in headless Chromium while callbacks are posted at ${fmt.int(rate)}/s: from each callback's 200 to the page showing it.`,
    rows: [
      { metric: '200 → shown on the page, p50', value: fmt.ms(lagMs.p50), verdict: 'INFO' },
      { metric: '200 → shown on the page, p99', value: fmt.ms(lagMs.p99), target: '≤ 1,000 ms', verdict: verdict(lagMs.p99 <= 1000) },
      { metric: '200 → shown on the page, max', value: fmt.ms(lagMs.max), verdict: 'INFO' },
      {
        metric: 'callbacks answered 200 and never shown',
        value: `${result.neverShown} of ${result.measured}`,
        target: '0',
        verdict: result.neverShown === 0 ? 'PASS' : 'FAIL',
      },
      {
        metric: `badge while the page lagged ≥ ${BEHIND_MS / 1000} s / "Behind" while it did not`,
        value:
          badge.laggingSamples === 0
            ? `never lagged; "Behind" shown for ${fmt.s((badge.falseAlarms * badge.stepMs) / 1000)}`
            : `said "Behind" for ${fmt.pct(badge.saidBehind / badge.laggingSamples)} of ${fmt.s(lagging / 1000)}; ${fmt.s((badge.falseAlarms * badge.stepMs) / 1000)} of false alarm`,
        target: 'says so while behind',
        verdict: badgeOk ? 'PASS' : 'MISS',
      },
      {
        metric: 'non-200 answers / request errors',
        value: `${result.non200} / ${result.errors}${result.errors === 0 ? '' : ` (${Object.entries(result.errorCodes).map(([code, n]) => `${code} ${n}`).join(', ')})`}`,
        target: '0',
        verdict: result.non200 + result.errors === 0 ? 'PASS' : 'FAIL',
      },
      { metric: 'rate sent', value: `${fmt.int(result.achievedRate)}/s`, target: `${fmt.int(rate)}/s`, verdict: result.achievedRate >= rate * 0.95 ? 'PASS' : 'MISS' },
      { metric: 'page renders per second while loaded', value: result.rendersPerSecond.toFixed(1), verdict: 'INFO' },
      {
        metric: "page's main thread busy: in all / script / style / layout (one core = 100%)",
        value: [mainThread.tasks, mainThread.script, mainThread.style, mainThread.layout].map(fmt.pct).join(' / '),
        verdict: 'INFO',
      },
      { metric: 'service CPU during the run (one core = 100%)', value: fmt.pct(serviceCpu), verdict: 'INFO' },
    ],
    notes: [
      `${fmt.int(result.measured)} callbacks measured after ${fmt.int(Math.round(rate * warmupSeconds))} warm-up ones; the page, the sender and the service share the machine.`,
      'Shown = the page set <body data-rendered-position> to the callback\'s log position or beyond (it does so at the end of each frame\'s render); ' +
        'a MutationObserver in the page stamps it with the page\'s clock, the 200 with the sender\'s (performance.timeOrigin + now(), same machine). ' +
        'Positions come from a graphql-ws client of the sender\'s own, matched by callback-event-id.',
      `Badge texts in order: ${result.badgeTexts.join(' → ')}. The true lag is the age of the oldest callback answered and not yet shown, sampled every ${badge.stepMs} ms until the page showed the last one.`,
      `Screenshot at the end: ${path.relative(REPO_ROOT, screenshot)}.`,
    ],
    seconds: (performance.now() - started) / 1000,
  };
}
