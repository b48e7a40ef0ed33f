// Callback → subscription latency (its own process): a graphql-ws subscriber to callbackReceived, and a paced sender
// posting signed callbacks at a fixed rate. Latency = the ws message's arrival minus the 200's arrival, matched by event id.
// Usage: node subscriptionLoad.js '<json options>'; prints one JSON line with the result.
import http from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readRequests } from '../lib/bodies';
import { summarize, type LatencySummary } from '../lib/stats';

export interface SubscriptionLoadOptions {
  url: string;
  requestsFile: string;
  /** Callbacks per second. */
  rate: number;
  seconds: number;
  warmupSeconds: number;
}

export interface SubscriptionLoadResult {
  sent: number;
  measured: number;
  /** Rate at which the sender issued the measured callbacks (paced). */
  achievedRate: number;
  /** Measured callbacks answered per second: from the first measured send to the last 200. */
  answeredRate: number;
  /** 200 → ws message. */
  latencyMs: LatencySummary;
  /** Send → 200. */
  responseMs: LatencySummary;
  /** Answered 200 but no message within the grace period. */
  missed: number;
  /** Messages that arrived before their 200 (counted as 0 ms). */
  messageBeforeResponse: number;
  non200: number;
  errors: number;
}

const SUBSCRIPTION = 'subscription { callbackReceived { id position type stream receivedAt raw } }';
const options = JSON.parse(process.argv[2] ?? '{}') as SubscriptionLoadOptions;
const requests = readRequests(options.requestsFile);
const target = new URL(options.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

const messageAt = new Map<string, number>();
let messages = 0;
const waiters = new Set<() => void>();

function post(index: number): Promise<{ status: number; id: string | null; sentAt: number; answeredAt: number }> {
  const { path, body } = requests[index % requests.length]!;
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const answeredAt = performance.now();
        const header = response.headers['callback-event-id'];
        response.resume();
        resolve({ status: response.statusCode ?? 0, id: typeof header === 'string' ? header : null, sentAt, answeredAt });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(left, 100));
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }
  return true;
}

async function main(): Promise<void> {
  const client = createClient({
    url: `${options.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
  });
  let failure: unknown = null;
  client.subscribe<{ callbackReceived: { id: string } }>(
    { query: SUBSCRIPTION },
    {
      next: (message) => {
        const id = message.data?.callbackReceived.id;
        if (id !== undefined && !messageAt.has(id)) messageAt.set(id, performance.now());
        messages++;
        for (const wake of waiters) wake();
      },
      error: (error) => {
        failure = error;
      },
      complete: () => undefined,
    },
  );

  // The subscription is live once a probe callback comes back through it.
  let cursor = 0;
  const probeDeadline = performance.now() + 15_000;
  while (messages === 0 && performance.now() < probeDeadline) {
    await post(cursor++);
    await waitFor(() => messages > 0 || failure !== null, 500);
    if (failure !== null) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
  }
  if (messages === 0) throw new Error('no subscription message within 15 s of posting probes');

  const warmup = Math.round(options.rate * options.warmupSeconds);
  const total = warmup + Math.round(options.rate * options.seconds);
  const first = cursor;
  const answers: Array<{ status: number; id: string | null; sentAt: number; answeredAt: number } | null> = [];
  const pending: Array<Promise<void>> = [];
  let errors = 0;
  let sent = 0;
  const start = performance.now();
  let measuredStart = start;
  // Paced: every tick, send what the schedule says is due by now (a bounded count in all).
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.rate) / 1000) + 1);
      while (sent < due) {
        const slot = sent++;
        if (slot === warmup) measuredStart = performance.now();
        answers.push(null);
        pending.push(
          post(first + slot).then(
            (answer) => {
              answers[slot] = answer;
            },
            () => {
              errors++;
            },
          ),
        );
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendSeconds = (performance.now() - measuredStart) / 1000;
  await Promise.all(pending);
  const measured = answers.slice(warmup);
  const ok = measured.filter((a): a is NonNullable<typeof a> => a !== null && a.status === 200 && a.id !== null);
  await waitFor(() => ok.every((a) => messageAt.has(a.id!)), 10_000);

  const latencies: number[] = [];
  let missed = 0;
  let early = 0;
  for (const answer of ok) {
    const at = messageAt.get(answer.id!);
    if (at === undefined) {
      missed++;
      continue;
    }
    const latency = at - answer.answeredAt;
    if (latency < 0) early++;
    latencies.push(Math.max(0, latency));
  }
  const lastAnswer = Math.max(...ok.map((a) => a.answeredAt));
  const result: SubscriptionLoadResult = {
    sent,
    measured: measured.length,
    achievedRate: (total - warmup) / sendSeconds,
    answeredRate: ok.length / ((lastAnswer - measuredStart) / 1000),
    latencyMs: summarize(latencies),
    responseMs: summarize(ok.map((a) => a.answeredAt - a.sentAt)),
    missed,
    messageBeforeResponse: early,
    non200: measured.filter((a) => a !== null && a.status !== 200).length,
    errors,
  };
  await client.dispose();
  agent.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
