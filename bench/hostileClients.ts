// Whether a hostile or careless client can keep CSS's callbacks waiting: callbacks timed alone, then beside each client
// of bench/load/hostileClient.ts, on a fresh service each, with what became of the client.
//
//   npm run build && npx tsc -p bench/tsconfig.json && rm -rf bench/.build/dist && cp -r dist bench/.build/dist
//   node bench/.build/bench/hostileClients.js [scenario...]
//
// Callbacks are posted 100 a second, each on a new connection (as a client arriving afresh would), for 8 s alone and
// 8 s once the client is at it; the ratio is of the two p99s, on the same service. The service runs with
// MAX_CONNECTIONS=200 (so that the slow connections can take them all) and without callback keys (the callbacks
// are unsigned; what is timed is the way to the answer, not the signature).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { BUILD_DIR, copyServiceDist, loadBenchConfig } from './config';
import { finished, killAll, sleep, spawnNode, temporaryPaths, removeTemporaryPaths } from './lib/children';
import { startService } from './lib/service';
import { summarize } from './lib/stats';

interface Scenario {
  name: string;
  kind: string;
  count?: number;
  /** How long the client takes to be at full strength before callbacks are timed beside it. */
  setupSeconds: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'one WebSocket sending subscribe/complete as fast as it can', kind: 'ws-flood', setupSeconds: 2 },
  { name: '10,000 subscriptions to every callback, read', kind: 'subscriptions', count: 10_000, setupSeconds: 8 },
  { name: '10,000 subscriptions whose filter matches nothing', kind: 'unmatched-subscriptions', count: 10_000, setupSeconds: 8 },
  { name: '400 slow requests from 127.0.0.2 (MAX_CONNECTIONS=200)', kind: 'slowloris', count: 400, setupSeconds: 3 },
  { name: '32 connections from 127.0.0.2 posting 60 KB bodies refused once parsed, as fast as answered', kind: 'heavy-bodies', count: 32, setupSeconds: 2 },
  { name: '32 connections from 127.0.0.2 posting the same bodies to a path with no route', kind: 'heavy-unrouted', count: 32, setupSeconds: 2 },
  { name: '100 addresses (127.0.0.10 on) posting those bodies, each at most 15 a second (under its own budget)', kind: 'heavy-spread', count: 100, setupSeconds: 2 },
  { name: '32 connections from 127.0.0.2 posting a GraphQL document of 995 fields named alike (refused once checked), as fast as answered', kind: 'graphql-heavy', count: 32, setupSeconds: 2 },
  { name: '100 addresses (127.0.0.10 on) posting that document, each at most 40 a second (under its own budget)', kind: 'graphql-spread', count: 100, setupSeconds: 2 },
  { name: '50 WebSockets each subscribing with a new document of 990 like-named fields 20 times a second (within their allowances)', kind: 'ws-heavy', count: 50, setupSeconds: 2 },
  { name: '32 connections from 127.0.0.2 asking GET /metrics as fast as answered', kind: 'metrics', count: 32, setupSeconds: 2 },
  { name: '32 connections from 127.0.0.2 asking GET /readyz as fast as answered', kind: 'readyz', count: 32, setupSeconds: 2 },
  { name: '32 connections from 127.0.0.2 asking GET / (the dashboard page) as fast as answered', kind: 'dashboard', count: 32, setupSeconds: 2 },
  { name: "32 connections from 127.0.0.2 asking the explorer's largest script (1 MB) as fast as answered", kind: 'explorer-script', count: 32, setupSeconds: 2 },
];

const RATE = 100;
const TIMED_SECONDS = 8;

/** Posts a new callback every 1/RATE s on a new connection for `seconds`; each one's time to its answer, and the statuses. */
async function timeCallbacks(url: string, seconds: number, tag: string): Promise<{ ms: number[]; statuses: Record<string, number> }> {
  const ms: number[] = [];
  const statuses: Record<string, number> = {};
  const pending: Array<Promise<void>> = [];
  const { port } = new URL(url);
  for (let i = 0; i < seconds * RATE; i++) {
    const body = JSON.stringify({ event_type: 1, sequence: `${tag}${i}`, stream_id: `timed_${tag}`, event_time: 1_700_000_000 + i });
    const sent = performance.now();
    pending.push(
      new Promise<void>((resolve) => {
        const request = http.request(
          { host: '127.0.0.1', port, path: '/callbacks', method: 'POST', agent: false, timeout: 30_000, headers: { 'content-type': 'application/json' } },
          (response) => {
            response.resume().on('end', () => {
              ms.push(performance.now() - sent);
              statuses[String(response.statusCode)] = (statuses[String(response.statusCode)] ?? 0) + 1;
              resolve();
            });
          },
        );
        request.on('error', (error: NodeJS.ErrnoException) => {
          statuses[error.code ?? 'error'] = (statuses[error.code ?? 'error'] ?? 0) + 1;
          resolve();
        });
        request.end(body);
      }),
    );
    await sleep(1000 / RATE);
  }
  await Promise.all(pending);
  return { ms, statuses };
}

const describe = ({ ms, statuses }: { ms: number[]; statuses: Record<string, number> }) => {
  const { p50, p99 } = summarize(ms);
  return { p50, p99, text: `p50 ${p50.toFixed(1)} / p99 ${p99.toFixed(1)} ms`, statuses: Object.entries(statuses).map(([s, n]) => `${s} ×${n}`).join(', ') };
};

/** The service's own account of what it did to the client: the metrics that say so, non-zero. */
async function consequences(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const wanted = /^css_ledger_(http_connections_(refused|evicted)_total|callbacks_held_back_total|graphql_requests_held_back_total|graphql_websockets_throttled_total|graphql_subscribers_dropped_total\{[^}]*\}|graphql_subscriptions) (\d+)/gm;
  return [...text.matchAll(wanted)].filter((match) => match[3] !== '0').map((match) => match[0].replace('css_ledger_', '')).join('; ');
}

async function run(scenario: Scenario, workDir: string, log: (line: string) => void): Promise<string> {
  const config = loadBenchConfig();
  const dataDir = path.join(workDir, scenario.kind);
  fs.mkdirSync(dataDir, { recursive: true });
  const seconds = scenario.setupSeconds + TIMED_SECONDS + 2;
  const service = await startService(config, {
    dataDir,
    label: `hostile-${scenario.kind}`,
    timeoutMs: 180_000,
    env: { CSS_CALLBACK_KEYS: '', CSS_CALLBACK_TOKEN: '', MAX_CONNECTIONS: '200', GRAPHQL_EXPLORER: 'graphiql' },
  });
  try {
    const alone = describe(await timeCallbacks(service.url, TIMED_SECONDS, 'alone'));
    log(`  ${scenario.kind}: alone ${alone.text} (${alone.statuses})`);
    const client = spawnNode(`hostile:${scenario.kind}`, path.join(BUILD_DIR, 'load', 'hostileClient.js'), [scenario.kind, new URL(service.url).port, String(seconds), String(scenario.count ?? 0)], {
      timeoutMs: (seconds + 30) * 1000,
    });
    await sleep(scenario.setupSeconds * 1000);
    const beside = describe(await timeCallbacks(service.url, TIMED_SECONDS, 'beside'));
    const fate = await consequences(service.url);
    const clientSaid = await finished(client);
    log(`  ${scenario.kind}: beside it ${beside.text} (${beside.statuses}); ${fate}; client ${clientSaid.trim()}`);
    return `| ${scenario.name} | ${alone.text} | ${beside.text} | ${(beside.p99 / alone.p99).toFixed(2)}× | ${beside.statuses} | ${fate} |`;
  } finally {
    await service.child.stop(30_000);
  }
}

async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  // The service as built now, not the copy an earlier run left.
  copyServiceDist();
  const scenarios = chosen.length === 0 ? SCENARIOS : SCENARIOS.filter((scenario) => chosen.includes(scenario.kind));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  temporaryPaths.add(workDir);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`hostile clients: ${scenarios.map((s) => s.kind).join(', ')}; callbacks ${RATE}/s on new connections, ${TIMED_SECONDS} s alone then ${TIMED_SECONDS} s beside each`);
  const rows: string[] = [];
  try {
    for (const scenario of scenarios) rows.push(await run(scenario, workDir, log));
  } finally {
    await killAll();
    removeTemporaryPaths();
  }
  process.stdout.write(
    [
      '| client | callbacks alone (send → answer) | beside the client | p99 ratio | answers beside it | what the service did (metrics) |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n') + '\n',
  );
}

void main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await killAll();
  removeTemporaryPaths();
  process.exit(1);
});
