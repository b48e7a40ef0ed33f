// Many query clients at once (its own process): each on its own keep-alive connection, one request at a time, paced at
// a rate of its own, cycling through the four queries the targets name; runs for a bounded time or until SIGTERM.
// Usage: node queryClients.js '<json options>'; prints "measuring" on stderr once warmed up, then one JSON line with the result.
import { seededRandom } from '../../src/simulation/callbackTraffic';
import { summarize, type LatencySummary } from '../lib/stats';
import { answerOutcome, GraphqlConnection, queryKinds, type QueryDataset } from './queryKinds';

export interface QueryClientsOptions extends QueryDataset {
  url: string;
  clients: number;
  /** Requests per second each client starts (a client whose answer comes late sends its next one at once). */
  ratePerClient: number;
  /** Requests per client before measuring (each kind a few times: first requests pay for the connection and caches). */
  warmup: number;
  /** At most this long measured; SIGTERM ends the run sooner. */
  seconds: number;
  seed: number;
}

export interface QueryClientsResult {
  /** Every measured request, all kinds. */
  latencyMs: LatencySummary;
  byKind: Array<{ kind: string; latencyMs: LatencySummary }>;
  failures: number;
  firstFailure?: string;
  empty: number;
  /** Requests per second answered, all clients, over the measured time. */
  rate: number;
  seconds: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as QueryClientsOptions;
const KINDS = queryKinds(options).filter((kind) => kind.target === 'queries');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let stopping = false;
process.on('SIGTERM', () => (stopping = true));

const latencies = KINDS.map(() => [] as number[]);
let failures = 0;
let empty = 0;
let firstFailure: string | undefined;

/** Set once every client has sent its warm-up requests. */
let measuredFrom = 0;
let warmedUp = 0;
const ended = () => stopping || (measuredFrom > 0 && performance.now() - measuredFrom >= options.seconds * 1000);

function clientWarmedUp(): void {
  if (++warmedUp < options.clients) return;
  measuredFrom = performance.now();
  process.stderr.write('measuring\n');
}

async function client(index: number): Promise<void> {
  const random = seededRandom(options.seed + index);
  const connection = new GraphqlConnection(options.url);
  const interval = 1000 / options.ratePerClient;
  // Clients start spread over one interval, not all at once.
  let next = performance.now() + (interval * index) / options.clients;
  try {
    for (let i = 0; !ended(); i++) {
      if (i === options.warmup) clientWarmedUp();
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      next = Math.max(next + interval, performance.now());
      const k = (i + index) % KINDS.length;
      const kind = KINDS[k]!;
      const body = JSON.stringify({ query: kind.query, variables: kind.variables(random, i) });
      const sentAt = performance.now();
      const { status, text } = await connection.post(body);
      const elapsed = performance.now() - sentAt;
      if (measuredFrom === 0) continue;
      latencies[k]!.push(elapsed);
      const outcome = answerOutcome(kind, status, text);
      if (outcome === 'empty') empty++;
      else if (outcome !== 'ok') {
        failures++;
        firstFailure ??= outcome.failure;
      }
    }
  } finally {
    connection.close();
  }
}

async function main(): Promise<QueryClientsResult> {
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  if (measuredFrom === 0) throw new Error('stopped before every client had warmed up');
  const seconds = (performance.now() - measuredFrom) / 1000;
  const all = latencies.flat();
  return {
    latencyMs: summarize(all),
    byKind: KINDS.map((kind, k) => ({ kind: kind.kind, latencyMs: summarize(latencies[k]!) })),
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
    empty,
    rate: all.length / seconds,
    seconds,
  };
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0)),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
