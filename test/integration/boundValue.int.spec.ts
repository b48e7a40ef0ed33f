// Values bound behind bound(): a statement is compiled once where a bare `=` term made SQLite compile it again at every
// run; and every statement a running service reads with, run again with the values it read with, is compiled once.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { bound } from '../../src/eventstore/sqlite/boundValue';
import { runCli } from '../support/serviceProcess';
import { tempDataDir } from '../support/testService';

const ROOT = path.join(__dirname, '..', '..');
const SUPPORT = path.join(__dirname, '..', 'support');

/** Runs statementCompiles.cjs on a folder of statementLog.cjs's records: each statement with how often it was compiled. */
function compilesOf(logDir: string): Array<{ file: string; sql: string; compiles: number }> {
  const printed = execFileSync(process.execPath, [path.join(SUPPORT, 'statementCompiles.cjs'), logDir], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(printed) as Array<{ file: string; sql: string; compiles: number }>;
}

describe('bound', () => {
  const data = tempDataDir();
  const file = path.join(data.dir, 'streams.db');
  const LATEST = (value: string) => `SELECT stream, revision FROM events WHERE stream = ${value} ORDER BY revision DESC LIMIT 1`;
  beforeAll(() => {
    const db = new Database(file);
    db.exec('CREATE TABLE events (stream TEXT NOT NULL, revision INTEGER NOT NULL, PRIMARY KEY (stream, revision)) STRICT, WITHOUT ROWID');
    const insert = db.prepare('INSERT INTO events (stream, revision) VALUES (?, ?)');
    for (let s = 1; s <= 5; s++) for (let revision = 0; revision < s; revision++) insert.run(`stream-${s}`, revision);
    db.close();
  });
  afterAll(() => data.remove());

  /** What a process reading the latest event of five streams, one after another, with this statement, read and compiled. */
  function latestOfFive(sql: string) {
    const logDir = fs.mkdtempSync(path.join(data.dir, 'log-'));
    const records = ['stream-1', 'stream-2', 'stream-3', 'stream-4', 'stream-5'].map((stream) => JSON.stringify([stream]));
    fs.writeFileSync(path.join(logDir, 'log.json'), JSON.stringify([{ file, sql, runs: records.slice(0, 3) }]));
    const db = new Database(file, { readonly: true });
    const answers = ['stream-1', 'stream-2', 'stream-3', 'stream-4', 'stream-5'].map((stream) => db.prepare(sql).get(stream));
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('stream-1') as Array<{ detail: string }>).map((row) => row.detail);
    db.close();
    return { answers, plan, compiles: compilesOf(logDir)[0]!.compiles };
  }

  it('reads the same rows along the same index, and SQLite compiles the statement once where it did at every new value', () => {
    const bare = latestOfFive(LATEST('?'));
    const behindBound = latestOfFive(LATEST(bound('?')));
    expect(behindBound.answers).toEqual([1, 2, 3, 4, 5].map((s) => ({ stream: `stream-${s}`, revision: s - 1 })));
    expect(behindBound.answers).toEqual(bare.answers);
    expect(behindBound.plan).toEqual(['SEARCH events USING PRIMARY KEY (stream=?)']);
    expect(behindBound.plan).toEqual(bare.plan);
    // Three sets of values twice over: compiled at each run bare, once behind bound().
    expect(bare.compiles).toBe(6);
    expect(behindBound.compiles).toBe(1);
  });
});

describe("a running service's statements", () => {
  const data = tempDataDir();
  const logDir = path.join(data.dir, 'statements');
  afterAll(() => data.remove());

  /** Posts a GraphQL query; its data. */
  async function ask<Data = unknown>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Data> {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const answer = (await response.json()) as { data?: Data; errors?: unknown };
    if (answer.errors !== undefined) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return answer.data!;
  }

  it('are each compiled once, run again with the values they were run with: callbacks stored, projected and forwarded, then queries', async () => {
    fs.mkdirSync(logDir);
    // A destination on loopback that takes every delivery.
    let delivered = 0;
    const receiver = http.createServer((request, response) => request.resume().on('end', () => [(delivered += 1), response.end()]));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const forwardConfig = path.join(data.dir, 'forward.json');
    const destination = { name: 'receiver', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, format: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
    fs.writeFileSync(forwardConfig, JSON.stringify({ destinations: [destination] }));
    const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(data.dir, 'data'), CSS_CALLBACK_KEYS: 'statement-key', CSS_CALLBACK_TOKEN: 'statement-token' };
    const run = runCli(['serve'], { ...env, FORWARD_CONFIG: forwardConfig, NODE_OPTIONS: `--require "${path.join(SUPPORT, 'statementLog.cjs')}"`, STATEMENT_LOG_DIR: logDir });
    try {
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(await run.waitForLine(/listening on/))![0];
      const simulate = runCli(['simulate', '--url', url, '--rate', '400', '--count', '600', '--seed', '5', '--json'], env);
      expect((await simulate.exited).code).toBe(0);
      // Every event projected before the queries.
      for (let i = 0; i < 100; i++) {
        const ready = (await (await fetch(`${url}/readyz`)).json()) as { processors: Array<{ lagEvents: number }> };
        if (ready.processors.every((processor) => processor.lagEvents === 0) && delivered >= 600) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(delivered).toBeGreaterThanOrEqual(600);
      type Nodes<Node> = { nodes: Node[] };
      const { sessions } = await ask<{ sessions: Nodes<{ sequence: string; streamId: string; domain: string }> }>(url, '{ sessions(first: 50) { nodes { sequence streamId domain } } }');
      const { relayTasks } = await ask<{ relayTasks: Nodes<{ taskId: string }> }>(url, '{ relayTasks(first: 50) { nodes { taskId } } }');
      const picked = [sessions.nodes[0]!, sessions.nodes[sessions.nodes.length - 1]!];
      const range = (hours: number) => ({ from: new Date(Date.now() - hours * 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() });
      for (const [i, session] of picked.entries()) {
        await ask(
          url,
          `query Q($sequence: ID!) { session(sequence: $sequence) { timeline(first: 20) { nodes { at kind } } screenshots(first: 5) { nodes { url } }
             latestScreenshot { url } recordings { __typename } recordingActivity { __typename } moderationHits { __typename } pushAnomalies { __typename } } }`,
          { sequence: session.sequence },
        );
        await ask(url, 'query Q($streamId: String!) { stream(streamId: $streamId) { live sessions(first: 5) { nodes { sequence } } timeline(first: 5) { nodes { at } } } }', {
          streamId: session.streamId,
        });
        await ask(url, 'query Q($streamId: String) { sessions(filter: { streamId: $streamId }, first: 5) { totalCount nodes { sequence } } }', { streamId: session.streamId });
        await ask(url, 'query Q($domain: String) { sessions(filter: { domain: $domain, status: ENDED }, first: 5) { nodes { sequence } } }', { domain: session.domain });
        await ask(url, 'query Q($domain: String) { interruptions(filter: { domain: $domain }, first: 5) { nodes { sequence } } }', { domain: session.domain });
        const task = relayTasks.nodes[i === 0 ? 0 : relayTasks.nodes.length - 1]!;
        await ask(url, 'query Q($taskId: ID!) { relayTask(taskId: $taskId) { runs { startedAt } files { url } } }', { taskId: task.taskId });
        await ask(url, 'query Q($exitCode: Int) { relayTasks(filter: { exitCode: $exitCode }, first: 5) { nodes { taskId } } }', { exitCode: i === 0 ? 0 : -5 });
        await ask(url, 'query Q($from: DateTime) { deliveries(destination: "receiver", status: DELIVERED, from: $from, first: 5) { nodes { eventId attempts { attempt } } } }', range(i === 0 ? 2 : 72));
        for (const groupBy of ['ERRCODE', 'DOMAIN', 'NODE', 'HOUR', 'DAY']) {
          await ask(url, `query Q($from: DateTime!, $to: DateTime!) { interruptionStats(from: $from, to: $to, groupBy: ${groupBy}, first: 5) { key count } }`, range(i === 0 ? 2 : 72));
          await ask(url, `query Q($from: DateTime!, $to: DateTime!, $domain: String) { interruptionStats(from: $from, to: $to, groupBy: ${groupBy}, domain: $domain) { key } }`, {
            ...range(i === 0 ? 2 : 72),
            domain: session.domain,
          });
        }
      }
    } finally {
      run.child.kill('SIGTERM');
      receiver.close();
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });

    const results = compilesOf(logDir);
    // The log's statements and the read models', each run with several values: the run covered what it is meant to.
    const covered = new Set(
      results.map((result) => {
        const [first, readModel] = path.relative(path.join(data.dir, 'data'), result.file).split(path.sep);
        return first === 'readmodels' ? readModel : first;
      }),
    );
    expect([...covered]).toEqual(expect.arrayContaining(['events.db', 'forwarding', 'sessions', 'relayTasks', 'timeline', 'insights', 'screenshots', 'recordings']));
    expect(results.length).toBeGreaterThan(20);
    expect(results.filter((result) => result.compiles > 1).map(({ sql, compiles }) => `${compiles}× ${sql.replace(/\s+/g, ' ')}`)).toEqual([]);
  }, 60_000);
});
