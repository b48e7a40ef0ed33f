// What an open dashboard costs a service holding a kept scale data set: how long `/healthz` waits (the main thread, which
// also answers CSS) with no page open, then with the overview open in headless Chromium, and what each of the page's
// GraphQL operations took as the page saw it.
//
//   npm run build && npx tsc -p bench/tsconfig.json && rm -rf bench/.build/dist && cp -r dist bench/.build/dist
//   node bench/.build/bench/dashboardStalls.js bench/data/scale-7-1000000-100000 [label] [page path, e.g. streams/stream_1]
//
// It serves the folder itself (the page only reads). `/healthz` is asked every 20 ms for 20 s alone, then, after the page
// has loaded and stood 10 s, for 60 s with it open: the page's refreshes (anomaly counts every few seconds, thumbnails,
// totals) are what it measures, not its first load. Run it from a checkout of each of two versions to compare them.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { loadBenchConfig } from './config';
import { askHealth, startService } from './lib/service';
import { summarize } from './lib/stats';

const DATA_DIR = process.argv[2];
const LABEL = process.argv[3] ?? 'run';
const PAGE = process.argv[4] ?? '';
if (DATA_DIR === undefined) throw new Error('usage: dashboardStalls.js <scale data folder> [label] [page path]');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `/healthz` for `seconds`: its answer times' summary and how many took over 100 ms. */
async function healthFor(url: string, seconds: number): Promise<string> {
  const health = askHealth(url);
  await sleep(seconds * 1000);
  const took = health.stop().map(([, ms]) => ms);
  const { p50, p99, max } = summarize(took);
  return `p50 ${p50.toFixed(1)} / p99 ${p99.toFixed(1)} / max ${max.toFixed(0)} ms, ${took.filter((ms) => ms > 100).length} over 100 ms of ${took.length}`;
}

async function main(dataDir: string): Promise<void> {
  const config = loadBenchConfig(true);
  const { chromium: executablePath } = config.dashboard;
  if (!fs.existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install chromium (or set BENCH_CHROMIUM)`);
  const service = await startService(config, { dataDir, label: 'dashboard-stalls', timeoutMs: 30 * 60_000, readyTimeoutMs: 10 * 60_000 });
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const alone = await healthFor(service.url, 20);
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    /** By operation name: each request's time from its start to the answer's last byte, as the page saw it. */
    const operations = new Map<string, number[]>();
    page.on('requestfinished', (request) => {
      if (!request.url().endsWith('/graphql') || request.method() !== 'POST') return;
      const name = /(?:query|mutation)\s+(\w+)/.exec((request.postDataJSON() as { query?: string } | null)?.query ?? '')?.[1] ?? 'anonymous';
      const { requestStart, responseEnd } = request.timing();
      operations.set(name, [...(operations.get(name) ?? []), responseEnd - requestStart]);
    });
    await page.goto(`${service.url}/${PAGE}`);
    await sleep(10_000);
    operations.clear();
    const open = await healthFor(service.url, 60);
    const asked = [...operations].map(([name, ms]) => {
      const { p50, max } = summarize(ms);
      return `${name} ×${ms.length} p50 ${p50.toFixed(1)} / max ${max.toFixed(1)} ms`;
    });
    console.log(`${LABEL}: /healthz alone ${alone}; with the page /${PAGE} open ${open}\n  ${asked.join('\n  ')}`);
  } finally {
    await browser.close();
    await service.child.stop(30_000);
  }
}

main(DATA_DIR).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
