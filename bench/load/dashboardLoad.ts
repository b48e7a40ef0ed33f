// Dashboard page lag (its own process): the dashboard open in headless Chromium, the simulator's paced sender posting
// signed callbacks, and a graphql-ws client that learns each callback's log position. Lag = when the page showed the
// position (its <body data-rendered-position>, seen by a MutationObserver) minus when the callback's 200 arrived.
// Usage: node dashboardLoad.js '<json options>'; prints one JSON line with the result.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { sendCallbacks } from '../../src/simulation/callbackSender';
import { readRequests } from '../lib/bodies';
import { summarize, type LatencySummary } from '../lib/stats';
import { judgeBadge, shownAfter, type AnsweredCallback, type BadgeChange, type BadgeVerdict, type Render } from './dashboardLag';

export interface DashboardLoadOptions {
  url: string;
  requestsFile: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  chromium: string;
  /** Where to save a screenshot of the page at the end of the load, or null. */
  screenshot: string | null;
}

export interface DashboardLoadResult {
  measured: number;
  achievedRate: number;
  /** 200 → shown on the page, for the measured callbacks the page showed. */
  lagMs: LatencySummary;
  /** Measured callbacks the page had not shown when the wait after the load ended. */
  neverShown: number;
  non200: number;
  errors: number;
  /** Request errors by code (ECONNRESET, timeout, ...). */
  errorCodes: Record<string, number>;
  /** Distinct texts the badge showed, in order. */
  badgeTexts: string[];
  badge: BadgeVerdict;
  /** Renders the page made while the measured callbacks were sent, per second. */
  rendersPerSecond: number;
  /** Share of the measured window the page's main thread spent in tasks, and in script, style and layout (Chromium's metrics). */
  mainThread: { tasks: number; script: number; style: number; layout: number };
}

const METRICS = { tasks: 'TaskDuration', script: 'ScriptDuration', style: 'RecalcStyleDuration', layout: 'LayoutDuration' } as const;

const options = JSON.parse(process.argv[2] ?? '{}') as DashboardLoadOptions;
const now = () => performance.timeOrigin + performance.now();

/** Records, in the page, each position shown and each badge text, with the page's wall clock (same machine). */
const RECORDER = `(() => {
  const clock = () => performance.timeOrigin + performance.now();
  window.benchRenders = [];
  window.benchBadge = [];
  const pill = document.getElementById('connection');
  new MutationObserver(() => window.benchRenders.push([document.body.dataset.renderedPosition, clock()]))
    .observe(document.body, { attributes: true, attributeFilter: ['data-rendered-position'] });
  const badge = () => window.benchBadge.push([pill.textContent, clock()]);
  new MutationObserver(badge).observe(pill, { childList: true, characterData: true, subtree: true });
  badge();
})()`;

async function openDashboard(profile: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: options.chromium,
    headless: true,
    // As the browser tests do: no sandbox in a container, and no background networking a closed network refuses.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${options.url}/`);
  await page.locator('#connection', { hasText: /^Live$/ }).waitFor({ timeout: 30_000 });
  await page.evaluate(RECORDER);
  return { context, page };
}

async function main(): Promise<void> {
  const requests = readRequests(options.requestsFile);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dashboard-chromium-'));
  const positions = new Map<string, bigint>();
  const client = createClient({ url: `${options.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  client.subscribe<{ callbackReceived: { id: string; position: string } }>(
    { query: 'subscription { callbackReceived { id position } }' },
    {
      next: ({ data }) => {
        if (data) positions.set(data.callbackReceived.id, BigInt(data.callbackReceived.position));
      },
      error: (error) => process.stderr.write(`position subscription failed: ${JSON.stringify(error)}\n`),
      complete: () => undefined,
    },
  );
  const { context, page } = await openDashboard(profile);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return new Map(metrics.map((m) => [m.name, m.value]));
  };
  let metricsFrom: Map<string, number> | null = null;
  try {
    const warmup = Math.round(options.rate * options.warmupSeconds);
    const total = warmup + Math.round(options.rate * options.seconds);
    const answers: Array<{ id: string; answeredAt: number } | null> = new Array(total).fill(null);
    let non200 = 0;
    let errors = 0;
    const errorCodes: Record<string, number> = {};
    let measuredFrom = NaN;
    const report = await sendCallbacks(
      (function* () {
        for (let i = 0; ; i++) yield requests[i % requests.length]!;
      })(),
      {
        url: options.url,
        rate: options.rate,
        count: total,
        durationMs: (total / options.rate) * 1000 + 60_000, // the count ends the run; this only bounds it
        maxInFlight: total,
        connections: 64,
        maxRetries: 0,
        onAnswer: (answer) => {
          if (answer.slot === warmup) {
            measuredFrom = performance.timeOrigin + answer.sentAt;
            void metrics().then((m) => (metricsFrom = m));
          }
          if (answer.slot < warmup) return;
          if (answer.status === 0) {
            errors++;
            errorCodes[answer.error ?? 'unknown'] = (errorCodes[answer.error ?? 'unknown'] ?? 0) + 1;
          } else if (answer.status !== 200 || answer.eventId === null) non200++;
          else answers[answer.slot] = { id: answer.eventId, answeredAt: performance.timeOrigin + answer.answeredAt };
        },
      },
    );
    const measuredTo = performance.timeOrigin + report.lastSentAt;
    const metricsTo = await metrics();
    const metricsSeconds = (now() - measuredFrom) / 1000;
    const busy = (name: string) => ((metricsTo.get(name) ?? NaN) - (metricsFrom?.get(name) ?? NaN)) / metricsSeconds;
    const measured = answers.filter((a): a is NonNullable<typeof a> => a !== null);
    // Wait (bounded) until the page shows the last measured callback, or has given up on catching up.
    const deadline = now() + 60_000;
    let callbacks: AnsweredCallback[] = [];
    while (now() < deadline) {
      callbacks = measured.flatMap((a) => (positions.has(a.id) ? [{ position: positions.get(a.id)!, answeredAt: a.answeredAt }] : []));
      const shown = BigInt((await page.evaluate('document.body.dataset.renderedPosition')) as string);
      if (callbacks.length === measured.length && callbacks.every((c) => c.position <= shown)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (options.screenshot !== null) await page.screenshot({ path: options.screenshot, fullPage: true });
    const raw = (await page.evaluate('[window.benchRenders, window.benchBadge]')) as [Array<[string, number]>, Array<[string, number]>];
    const renders: Render[] = raw[0].map(([position, at]) => ({ position: BigInt(position), at }));
    const badge: BadgeChange[] = raw[1].map(([text, at]) => ({ text, at }));
    const shown = shownAfter(callbacks, renders);
    const lags = shown.filter((lag): lag is number => lag !== null);
    // The badge is judged until the page showed the last callback: catching up after the load counts too.
    const caughtUpAt = Math.max(measuredTo, ...callbacks.map((c, i) => c.answeredAt + (shown[i] ?? 0)));
    const result: DashboardLoadResult = {
      measured: measured.length,
      achievedRate: (total - warmup) / ((measuredTo - measuredFrom) / 1000),
      lagMs: summarize(lags),
      neverShown: measured.length - lags.length,
      non200,
      errors,
      errorCodes,
      badgeTexts: badge.map((b) => b.text).filter((text, i, all) => i === 0 || all[i - 1] !== text),
      badge: judgeBadge(callbacks, shown, badge, { from: measuredFrom, to: caughtUpAt, stepMs: 100, behindMs: 2_000, liveMs: 1_000 }),
      rendersPerSecond: renders.filter((r) => r.at >= measuredFrom && r.at <= measuredTo).length / ((measuredTo - measuredFrom) / 1000),
      mainThread: { tasks: busy(METRICS.tasks), script: busy(METRICS.script), style: busy(METRICS.style), layout: busy(METRICS.layout) },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await context.close();
    await client.dispose();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
