// Query latency at scale (its own process): sequential GraphQL requests over HTTP (keep-alive), the kinds interleaved
// round-robin so that noise on this shared machine falls on all of them alike.
// Usage: node queryLoad.js '<json options>'; prints one JSON line with the result.
import { seededRandom } from '../../src/simulation/callbackTraffic';
import { summarize, type LatencySummary } from '../lib/stats';
import { answerOutcome, GraphqlConnection, queryKinds, type QueryDataset, type QueryTarget } from './queryKinds';

export interface QueryLoadOptions extends QueryDataset {
  url: string;
  /** Measured requests per kind. */
  count: number;
  warmup: number;
  seed: number;
}

export interface QueryKindResult {
  kind: string;
  target: QueryTarget;
  query: string;
  latencyMs: LatencySummary;
  /** Answers with errors or without data. */
  failures: number;
  /** Answers whose result was empty (null session, no nodes): tells whether the queries hit real rows. */
  empty: number;
  firstFailure?: string;
}

export type QueryLoadResult = QueryKindResult[];

const options = JSON.parse(process.argv[2] ?? '{}') as QueryLoadOptions;
const KINDS = queryKinds(options);

async function main(): Promise<void> {
  const random = seededRandom(options.seed);
  const connection = new GraphqlConnection(options.url);
  const latencies = KINDS.map(() => [] as number[]);
  const failures = KINDS.map(() => 0);
  const empty = KINDS.map(() => 0);
  const firstFailure: Array<string | undefined> = KINDS.map(() => undefined);
  for (let i = 0; i < options.warmup + options.count; i++) {
    for (let k = 0; k < KINDS.length; k++) {
      const kind = KINDS[k]!;
      const body = JSON.stringify({ query: kind.query, variables: kind.variables(random, i) });
      const sentAt = performance.now();
      const { status, text } = await connection.post(body);
      const elapsed = performance.now() - sentAt;
      if (i < options.warmup) continue;
      latencies[k]!.push(elapsed);
      const outcome = answerOutcome(kind, status, text);
      if (outcome === 'empty') empty[k]!++;
      else if (outcome !== 'ok') {
        failures[k]!++;
        firstFailure[k] ??= outcome.failure;
      }
    }
  }
  const result: QueryLoadResult = KINDS.map((kind, k) => ({
    kind: kind.kind,
    target: kind.target,
    query: kind.query,
    latencyMs: summarize(latencies[k]!),
    failures: failures[k]!,
    empty: empty[k]!,
    ...(firstFailure[k] === undefined ? {} : { firstFailure: firstFailure[k] }),
  }));
  connection.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
