// The GraphQL queries the query benchmarks send at the scale data set, and one keep-alive connection to send them on.
import http from 'node:http';
import { sequenceOf, type DatasetChunk } from '../scale/dataset';

/** What the queries need to know of the data set to name real sequences and streams. */
export interface QueryDataset {
  chunks: DatasetChunk[];
  streams: number;
}

/**
 * Which target a kind's p99 is judged by: the four queries the query target names, the statistics and anomaly views that
 * are to be answered within that same target, or none (a variant for information).
 */
export type QueryTarget = 'queries' | 'statistics' | null;

/** A kind of query: its text, the variables of its i-th request, and whether an answer found nothing. */
export interface QueryKind {
  kind: string;
  target: QueryTarget;
  query: string;
  variables(random: () => number, i: number): Record<string, unknown>;
  isEmpty(data: Record<string, unknown>): boolean;
}

const EXIT_CODES = [-22, -5, -1, -110, 0];
const SESSION_FIELDS = 'sequence domain appName streamId status pushedAt interruptedAt pushDurationMs errcode subErrcode reason reasonCategory';
const RELAY_FIELDS = 'taskId status exitCode exitMessage restartCount startedAt exitedAt runs { startedAt exitedAt exitCode } files { index url }';
const nodesOf = (data: Record<string, unknown>, field: string) => ((data[field] as { nodes?: unknown[] } | null)?.nodes ?? []).length;

/** Every kind, the four the query target names first, over the data set of `dataset`. */
export function queryKinds(dataset: QueryDataset): QueryKind[] {
  const pickSequence = (random: () => number) => {
    const chunk = dataset.chunks[Math.floor(random() * dataset.chunks.length)]!;
    return sequenceOf(chunk, Math.floor(random() * chunk.sessions));
  };
  const pickStream = (random: () => number) => `stream_${1 + Math.floor(random() * dataset.streams)}`;

  /** The data set's time span: chunks follow one another, each spread over (sessions + relay tasks) * 50 ms. */
  const lastChunk = dataset.chunks[dataset.chunks.length - 1]!;
  const SPAN = {
    from: new Date(dataset.chunks[0]!.startTime * 1000).toISOString(),
    to: new Date((lastChunk.startTime + Math.ceil((lastChunk.sessions + lastChunk.relayTasks) * 0.05) + 3600) * 1000).toISOString(),
  };
  const firstHour = { from: SPAN.from, to: new Date(dataset.chunks[0]!.startTime * 1000 + 3_600_000).toISOString() };
  // An hour in the busy middle of the data set whose ends cut two hours (5 h 20 min to 6 h 20 min in).
  const cutHours = {
    from: new Date(dataset.chunks[0]!.startTime * 1000 + 5 * 3_600_000 + 1_200_000).toISOString(),
    to: new Date(dataset.chunks[0]!.startTime * 1000 + 6 * 3_600_000 + 1_200_000).toISOString(),
  };
  const listOf = (data: Record<string, unknown>, field: string) => ((data[field] as unknown[] | null) ?? []).length;

  return [
    {
      kind: 'session(sequence)',
      target: 'queries',
      query: `query Q($sequence: ID!) { session(sequence: $sequence) { ${SESSION_FIELDS} } }`,
      variables: (random) => ({ sequence: pickSequence(random) }),
      isEmpty: (data) => data.session === null,
    },
    {
      kind: 'relayTasks(filter:{exitCode}, first:50)',
      target: 'queries',
      query: `query Q($exitCode: Int) { relayTasks(filter: { exitCode: $exitCode }, first: 50) { pageInfo { hasNextPage endCursor } nodes { ${RELAY_FIELDS} } } }`,
      variables: (_random, i) => ({ exitCode: EXIT_CODES[i % EXIT_CODES.length] }),
      isEmpty: (data) => nodesOf(data, 'relayTasks') === 0,
    },
    {
      kind: 'sessions(filter:{streamId}, first:50)',
      target: 'queries',
      query: `query Q($streamId: String) { sessions(filter: { streamId: $streamId }, first: 50) { pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } } }`,
      variables: (random) => ({ streamId: pickStream(random) }),
      isEmpty: (data) => nodesOf(data, 'sessions') === 0,
    },
    {
      kind: "a session's timeline(first:50)",
      target: 'queries',
      query: `query Q($sequence: ID!) { session(sequence: $sequence) { timeline(first: 50) { pageInfo { hasNextPage endCursor } nodes { at kind sequence } } } }`,
      variables: (random) => ({ sequence: pickSequence(random) }),
      isEmpty: (data) => ((data.session as { timeline?: { nodes?: unknown[] } } | null)?.timeline?.nodes ?? []).length === 0,
    },
    // The same first pages with totalCount, which counts every match: for information.
    {
      kind: 'relayTasks(filter:{exitCode}, first:50) + totalCount',
      target: null,
      query: `query Q($exitCode: Int) { relayTasks(filter: { exitCode: $exitCode }, first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { ${RELAY_FIELDS} } } }`,
      variables: (_random, i) => ({ exitCode: EXIT_CODES[i % EXIT_CODES.length] }),
      isEmpty: (data) => nodesOf(data, 'relayTasks') === 0,
    },
    {
      kind: 'sessions(filter:{streamId}, first:50) + totalCount',
      target: null,
      query: `query Q($streamId: String) { sessions(filter: { streamId: $streamId }, first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } } }`,
      variables: (random) => ({ streamId: pickStream(random) }),
      isEmpty: (data) => nodesOf(data, 'sessions') === 0,
    },
    // Insights: statistics over the whole data set (every interruption read), over its first hour and over an hour in its
    // middle, and a view; answered from indexed read models, they are held to the queries' target.
    {
      kind: 'interruptionStats(groupBy:ERRCODE) over the whole data set',
      target: 'statistics',
      query: `query Q($from: DateTime!, $to: DateTime!) { interruptionStats(from: $from, to: $to, groupBy: ERRCODE) { key count pushDurationP50Ms pushDurationP90Ms } }`,
      variables: () => SPAN,
      isEmpty: (data) => listOf(data, 'interruptionStats') === 0,
    },
    {
      kind: 'interruptionStats(groupBy:DOMAIN) over one hour',
      target: 'statistics',
      query: `query Q($from: DateTime!, $to: DateTime!) { interruptionStats(from: $from, to: $to, groupBy: DOMAIN) { key count pushDurationP50Ms pushDurationP90Ms } }`,
      variables: () => firstHour,
      isEmpty: (data) => listOf(data, 'interruptionStats') === 0,
    },
    {
      kind: 'interruptionStats(groupBy:ERRCODE) over one hour cutting two',
      target: 'statistics',
      query: `query Q($from: DateTime!, $to: DateTime!) { interruptionStats(from: $from, to: $to, groupBy: ERRCODE) { key count pushDurationP50Ms pushDurationP90Ms } }`,
      variables: () => cutHours,
      isEmpty: (data) => listOf(data, 'interruptionStats') === 0,
    },
    {
      kind: 'sessionsPerDay over the whole data set',
      target: 'statistics',
      query: `query Q($from: DateTime!, $to: DateTime!) { sessionsPerDay(from: $from, to: $to) { day count } }`,
      variables: () => SPAN,
      isEmpty: (data) => listOf(data, 'sessionsPerDay') === 0,
    },
    {
      kind: 'interruptions(filter:{cause:CUSTOMER}, first:50)',
      target: 'statistics',
      query: `query Q { interruptions(filter: { cause: CUSTOMER }, first: 50) { pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } } }`,
      variables: () => ({}),
      isEmpty: (data) => nodesOf(data, 'interruptions') === 0,
    },
    // A listing by status alone, which no target names: for information.
    {
      kind: 'sessions(filter:{status:ENDED}, first:50)',
      target: null,
      query: `query Q { sessions(filter: { status: ENDED }, first: 50) { pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } } }`,
      variables: () => ({}),
      isEmpty: (data) => nodesOf(data, 'sessions') === 0,
    },
  ];
}

/** Sends GraphQL requests one at a time over one keep-alive connection. */
export class GraphqlConnection {
  private readonly target: URL;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(url: string) {
    this.target = new URL(url);
  }

  post(body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          path: '/graphql',
          method: 'POST',
          agent: this.agent,
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

  close(): void {
    this.agent.destroy();
  }
}

/** How an answer went: `ok`, `empty` (data, but nothing found), or the failure, shortened. */
export function answerOutcome(kind: QueryKind, status: number, text: string): 'ok' | 'empty' | { failure: string } {
  const parsed = (status === 200 ? JSON.parse(text) : {}) as { data?: Record<string, unknown> | null; errors?: unknown };
  if (parsed.errors !== undefined || parsed.data == null) return { failure: `${status} ${text.slice(0, 300)}` };
  return kind.isEmpty(parsed.data) ? 'empty' : 'ok';
}
