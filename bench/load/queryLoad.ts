// Query latency at scale (its own process): sequential GraphQL requests over HTTP (keep-alive), the kinds interleaved
// round-robin so that noise on this shared machine falls on all of them alike.
// Usage: node queryLoad.js '<json options>'; prints one JSON line with the result.
import http from 'node:http';
import { seededRandom } from '../../src/simulation/callbackTraffic';
import { sequenceOf, type DatasetChunk } from '../scale/dataset';
import { summarize, type LatencySummary } from '../lib/stats';

export interface QueryLoadOptions {
  url: string;
  /** Measured requests per kind. */
  count: number;
  warmup: number;
  seed: number;
  chunks: DatasetChunk[];
  streams: number;
}

export interface QueryKindResult {
  kind: string;
  query: string;
  latencyMs: LatencySummary;
  /** Answers with errors or without data. */
  failures: number;
  /** Answers whose result was empty (null session, no nodes): tells whether the queries hit real rows. */
  empty: number;
  firstFailure?: string;
}

export type QueryLoadResult = QueryKindResult[];

interface Kind {
  kind: string;
  query: string;
  variables(random: () => number, i: number): Record<string, unknown>;
  isEmpty(data: Record<string, unknown>): boolean;
}

const EXIT_CODES = [-22, -5, -1, -110, 0];
const SESSION_FIELDS = 'sequence domain appName streamId status pushedAt interruptedAt pushDurationMs errcode subErrcode reason reasonCategory';
const RELAY_FIELDS = 'taskId status exitCode exitMessage restartCount startedAt exitedAt runs { startedAt exitedAt exitCode } files { index url }';
const nodesOf = (data: Record<string, unknown>, field: string) => ((data[field] as { nodes?: unknown[] } | null)?.nodes ?? []).length;

const options = JSON.parse(process.argv[2] ?? '{}') as QueryLoadOptions;
const pickSequence = (random: () => number) => {
  const chunk = options.chunks[Math.floor(random() * options.chunks.length)]!;
  return sequenceOf(chunk, Math.floor(random() * chunk.sessions));
};
const pickStream = (random: () => number) => `stream_${1 + Math.floor(random() * options.streams)}`;

/** The data set's time span: chunks follow one another, each spread over (sessions + relay tasks) * 50 ms. */
const lastChunk = options.chunks[options.chunks.length - 1]!;
const SPAN = {
  from: new Date(options.chunks[0]!.startTime * 1000).toISOString(),
  to: new Date((lastChunk.startTime + Math.ceil((lastChunk.sessions + lastChunk.relayTasks) * 0.05) + 3600) * 1000).toISOString(),
};
const firstHour = { from: SPAN.from, to: new Date(options.chunks[0]!.startTime * 1000 + 3_600_000).toISOString() };
const listOf = (data: Record<string, unknown>, field: string) => ((data[field] as unknown[] | null) ?? []).length;

const KINDS: Kind[] = [
  {
    kind: 'session(sequence)',
    query: `query Q($sequence: ID!) { session(sequence: $sequence) { ${SESSION_FIELDS} } }`,
    variables: (random) => ({ sequence: pickSequence(random) }),
    isEmpty: (data) => data.session === null,
  },
  {
    kind: 'relayTasks(filter:{exitCode}, first:50)',
    query: `query Q($exitCode: Int) { relayTasks(filter: { exitCode: $exitCode }, first: 50) { pageInfo { hasNextPage endCursor } nodes { ${RELAY_FIELDS} } } }`,
    variables: (_random, i) => ({ exitCode: EXIT_CODES[i % EXIT_CODES.length] }),
    isEmpty: (data) => nodesOf(data, 'relayTasks') === 0,
  },
  {
    kind: 'sessions(filter:{streamId}, first:50)',
    query: `query Q($streamId: String) { sessions(filter: { streamId: $streamId }, first: 50) { pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } } }`,
    variables: (random) => ({ streamId: pickStream(random) }),
    isEmpty: (data) => nodesOf(data, 'sessions') === 0,
  },
  {
    kind: "a session's timeline(first:50)",
    query: `query Q($sequence: ID!) { session(sequence: $sequence) { timeline(first: 50) { pageInfo { hasNextPage endCursor } nodes { at kind sequence } } } }`,
    variables: (random) => ({ sequence: pickSequence(random) }),
    isEmpty: (data) => ((data.session as { timeline?: { nodes?: unknown[] } } | null)?.timeline?.nodes ?? []).length === 0,
  },
  // Informative: the same first pages with totalCount, which counts every match.
  {
    kind: 'relayTasks(filter:{exitCode}, first:50) + totalCount',
    query: `query Q($exitCode: Int) { relayTasks(filter: { exitCode: $exitCode }, first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { ${RELAY_FIELDS} } } }`,
    variables: (_random, i) => ({ exitCode: EXIT_CODES[i % EXIT_CODES.length] }),
    isEmpty: (data) => nodesOf(data, 'relayTasks') === 0,
  },
  {
    kind: 'sessions(filter:{streamId}, first:50) + totalCount',
    query: `query Q($streamId: String) { sessions(filter: { streamId: $streamId }, first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } } }`,
    variables: (random) => ({ streamId: pickStream(random) }),
    isEmpty: (data) => nodesOf(data, 'sessions') === 0,
  },
  // Insights: statistics over the whole data set (every interruption read) and over its first hour, and a view.
  {
    kind: 'interruptionStats(groupBy:ERRCODE) over the whole data set',
    query: `query Q($from: DateTime!, $to: DateTime!) { interruptionStats(from: $from, to: $to, groupBy: ERRCODE) { key count pushDurationP50Ms pushDurationP90Ms } }`,
    variables: () => SPAN,
    isEmpty: (data) => listOf(data, 'interruptionStats') === 0,
  },
  {
    kind: 'interruptionStats(groupBy:DOMAIN) over one hour',
    query: `query Q($from: DateTime!, $to: DateTime!) { interruptionStats(from: $from, to: $to, groupBy: DOMAIN) { key count pushDurationP50Ms pushDurationP90Ms } }`,
    variables: () => firstHour,
    isEmpty: (data) => listOf(data, 'interruptionStats') === 0,
  },
  {
    kind: 'sessionsPerDay over the whole data set',
    query: `query Q($from: DateTime!, $to: DateTime!) { sessionsPerDay(from: $from, to: $to) { day count } }`,
    variables: () => SPAN,
    isEmpty: (data) => listOf(data, 'sessionsPerDay') === 0,
  },
  {
    kind: 'interruptions(filter:{cause:CUSTOMER}, first:50)',
    query: `query Q { interruptions(filter: { cause: CUSTOMER }, first: 50) { pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } } }`,
    variables: () => ({}),
    isEmpty: (data) => nodesOf(data, 'interruptions') === 0,
  },
  {
    kind: 'sessions(filter:{status:ENDED}, first:50)',
    query: `query Q { sessions(filter: { status: ENDED }, first: 50) { pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } } }`,
    variables: () => ({}),
    isEmpty: (data) => nodesOf(data, 'sessions') === 0,
  },
];

const target = new URL(options.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function main(): Promise<void> {
  const random = seededRandom(options.seed);
  const latencies = KINDS.map(() => [] as number[]);
  const failures = KINDS.map(() => 0);
  const empty = KINDS.map(() => 0);
  const firstFailure: Array<string | undefined> = KINDS.map(() => undefined);
  for (let i = 0; i < options.warmup + options.count; i++) {
    for (let k = 0; k < KINDS.length; k++) {
      const kind = KINDS[k]!;
      const body = JSON.stringify({ query: kind.query, variables: kind.variables(random, i) });
      const sentAt = performance.now();
      const { status, text } = await post(body);
      const elapsed = performance.now() - sentAt;
      if (i < options.warmup) continue;
      latencies[k]!.push(elapsed);
      const parsed = (status === 200 ? JSON.parse(text) : {}) as { data?: Record<string, unknown> | null; errors?: unknown };
      if (parsed.errors !== undefined || parsed.data == null) {
        failures[k]!++;
        firstFailure[k] ??= `${status} ${text.slice(0, 300)}`;
      } else if (kind.isEmpty(parsed.data)) {
        empty[k]!++;
      }
    }
  }
  const result: QueryLoadResult = KINDS.map((kind, k) => ({
    kind: kind.kind,
    query: kind.query,
    latencyMs: summarize(latencies[k]!),
    failures: failures[k]!,
    empty: empty[k]!,
    ...(firstFailure[k] === undefined ? {} : { firstFailure: firstFailure[k] }),
  }));
  agent.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
