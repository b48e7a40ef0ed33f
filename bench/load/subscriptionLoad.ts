// Callback → subscription latency (its own process): a graphql-ws subscriber to callbackReceived, and the simulator's
// paced sender posting signed callbacks at a fixed rate. Latency = the ws message's arrival minus the 200's arrival,
// matched by event id. Usage: node subscriptionLoad.js '<json options>'; prints one JSON line with the result.
import http from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { postOnce, sendCallbacks } from '../../src/simulation/callbackSender';
import { readRequests, type CallbackRequest } from '../lib/bodies';
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
/** Keep-alive connections of the sender; a callback due while all are busy waits inside the agent for one. */
const CONNECTIONS = 128;

const messageAt = new Map<string, number>();
let messages = 0;
const waiters = new Set<() => void>();

interface Answer {
  status: number;
  id: string | null;
  sentAt: number;
  answeredAt: number;
}

/** The requests in order from `first`, round and round (the count bounds how many are taken). */
function* requestsFrom(first: number): Generator<CallbackRequest> {
  for (let i = first; ; i++) yield requests[i % requests.length]!;
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
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const probeDeadline = performance.now() + 15_000;
  while (messages === 0 && performance.now() < probeDeadline) {
    const probe = requests[cursor++ % requests.length]!;
    const answer = await postOnce(new URL(probe.path, options.url), probe, probeAgent, 15_000);
    if (answer.status === 0) throw new Error(`probe callback not answered: ${answer.error}`);
    await waitFor(() => messages > 0 || failure !== null, 500);
    if (failure !== null) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
  }
  if (messages === 0) throw new Error('no subscription message within 15 s of posting probes');
  probeAgent.destroy();

  const warmup = Math.round(options.rate * options.warmupSeconds);
  const total = warmup + Math.round(options.rate * options.seconds);
  const answers: Array<Answer | null> = new Array<Answer | null>(total).fill(null);
  let errors = 0;
  let measuredStart = NaN;
  // Paced by the simulator's sender: slot i is sent i / rate seconds after the start, a bounded count in all. No cap on
  // requests in flight beyond the count and no retries, so every callback goes out on schedule and a slow answer
  // shows as send → 200, not as a lower rate.
  const report = await sendCallbacks(requestsFrom(cursor), {
    url: options.url,
    rate: options.rate,
    count: total,
    durationMs: (total / options.rate) * 1000 + 60_000, // the count ends the run; this only bounds it
    maxInFlight: total,
    connections: CONNECTIONS,
    maxRetries: 0,
    onAnswer: (answer) => {
      if (answer.slot === warmup) measuredStart = answer.sentAt;
      if (answer.status === 0) errors++;
      else answers[answer.slot] = { status: answer.status, id: answer.eventId, sentAt: answer.sentAt, answeredAt: answer.answeredAt };
    },
  });
  const sendSeconds = (report.lastSentAt - measuredStart) / 1000;
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
    sent: report.sent,
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
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
