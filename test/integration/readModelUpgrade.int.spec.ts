// Upgrades without downtime, on the real service: a read model of an older version is rebuilt beside the live one
// while the old file keeps answering, then swapped in; `rebuild sessions` does the same while the service runs; a
// shadow build killed with SIGKILL resumes from its own checkpoint. The other read models keep their files.
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { openForReading, readCheckpoint, readMeta } from '../../src/processing/readModelFile';
import { readModelsDigest } from '../../src/processing/readModelDigest';
import { PROJECTIONS } from '../../src/readmodels';
import { callbackLogProjection } from '../../src/readmodels/callbackLog/callbackLog.projection';
import { sessionsProjection } from '../../src/readmodels/sessions/sessions.projection';
import { SessionUpdatedDocument } from '../graphql/generated';
import { eventually } from '../support/forwardingLog';
import { collect, postQuery, subscriptionClient, within } from '../support/graphqlClient';
import { scrape, valueOf } from '../support/metricsText';
import { checkpointOf, liveFileOf, READ_MODEL_NAMES, readModelsRootOf } from '../support/readModelFiles';
import { exitWithin, listeningUrl, runCli, type ServiceProcess } from '../support/serviceProcess';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

interface ReadModelReport {
  phase: string;
  serving: boolean;
  file: string;
  position: string | null;
  rebuild: { file: string; position: string } | null;
}
interface Readiness {
  status?: string;
  projector: { phase: string; position: string };
  readModels: Record<string, ReadModelReport>;
}

const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
};

/** Polls /readyz (bounded by count and time) until `done` says so. */
async function readyzUntil(url: string, done: (r: Readiness) => boolean, what: string, timeoutMs = 120_000): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 5000 && Date.now() < deadline; attempt++) {
    const { body } = await readyz(url);
    if (done(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${timeoutMs} ms: ${what}`);
}

/** The threads of a process by name, each with its nice value (Linux keeps one per thread); empty where /proc has none. */
function threadsOf(pid: number): Array<{ name: string; nice: number }> {
  const tasks = `/proc/${pid}/task`;
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((tid) => {
    try {
      const name = readFileSync(`${tasks}/${tid}/comm`, 'utf8').trim();
      // Fields after the command's closing parenthesis: the state is the 3rd of stat, the nice value the 19th.
      const stat = readFileSync(`${tasks}/${tid}/stat`, 'utf8');
      return [{ name, nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) }];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

const sessionsFolder = (dir: string) => path.join(readModelsRootOf(dir), 'sessions');
/** The name of the sessions file of the current version made by this build. */
const sessionsFile = (build: number) => `v${sessionsProjection.version}.${build}.db`;

/** What a read model's live file holds: its name and checkpoint. */
function liveFiles(dir: string): Record<string, { file: string; position: bigint }> {
  return Object.fromEntries(
    READ_MODEL_NAMES.map((name) => {
      const file = liveFileOf(dir, name);
      return [name, { file: path.basename(file), position: checkpointOf(file)!.position }];
    }),
  );
}

/** The digest `rebuild sessions` prints, of the sessions file live now. */
function sessionsDigest(dir: string): string {
  const db = openForReading(liveFileOf(dir, 'sessions'));
  try {
    return readModelsDigest([{ definition: sessionsProjection, db }]);
  } finally {
    db.close();
  }
}

/** Makes the live sessions file one of an older version, without `set_id`, and with a row only it holds. */
function ageSessionsFile(dir: string, sequence: string): void {
  const db = new Database(liveFileOf(dir, 'sessions'));
  try {
    db.prepare('UPDATE read_model SET version = 0').run();
    db.prepare('UPDATE sessions SET errmsg = ? WHERE sequence = ?').run('answered by the old file', sequence);
    db.exec('ALTER TABLE sessions DROP COLUMN set_id');
  } finally {
    db.close();
  }
}

describe('read models rebuilt beside the live ones', () => {
  const data = tempDataDir();
  const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, BUILD_NICENESS: '7' };
  let lastPosition: bigint;
  let sequence: string;
  let sessionCount: number;
  let before: ReturnType<typeof liveFiles>;
  let digest: string;
  let service: ServiceProcess | undefined;
  let url = '';

  const serve = async () => {
    service = runCli(['serve'], env);
    url = await listeningUrl(service);
    return url;
  };
  const stop = async () => {
    service!.child.kill('SIGTERM');
    expect((await exitWithin(service!, 30_000)).code).toBe(0);
  };

  beforeAll(async () => {
    // A log long enough that a read model takes a while to build again.
    const store = SqliteEventStore.open(path.join(data.dir, 'events.db'));
    ({ lastPosition } = await appendTraffic(store, { seed: 31, sessions: 18_000, relayTasks: 300 }));
    await store.close();
    await serve();
    await readyzUntil(url, (r) => r.status === 'ready' && BigInt(r.projector.position) === lastPosition, 'the first build');
    const answer = await postQuery(url, '{ sessions(first: 1) { totalCount nodes { sequence setId errmsg } } }');
    const sessions = answer.body.data!.sessions as { totalCount: number; nodes: Array<{ sequence: string; setId: number; errmsg: string }> };
    ({ totalCount: sessionCount } = sessions);
    sequence = sessions.nodes[0]!.sequence;
    expect(sessions.nodes[0]!.setId).toEqual(expect.any(Number));
    await stop();
    before = liveFiles(data.dir);
    digest = sessionsDigest(data.dir);
  }, 240_000);

  afterAll(async () => {
    if (service !== undefined && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    data.remove();
  });

  it('answers from the older file while the new version builds, says rebuilding, then swaps it in alone', async () => {
    ageSessionsFile(data.dir, sequence);
    await serve();
    // Asked at once, together: the old file answers, and every report says rebuilding.
    const [ready, samples, answer] = await Promise.all([
      readyz(url),
      scrape(url),
      postQuery(url, `{ session(sequence: "${sequence}") { errmsg setId } sessions { totalCount } }`),
    ]);
    expect(ready.status).toBe(200);
    expect(ready.body.projector.phase).toBe('rebuilding');
    expect(ready.body.readModels.sessions).toMatchObject({ phase: 'rebuilding', serving: true, file: sessionsFile(1), rebuild: { file: sessionsFile(2) } });
    expect(ready.body.readModels.callbackLog).toMatchObject({ phase: 'live', file: `v${callbackLogProjection.version}.1.db`, rebuild: null });
    expect(valueOf(samples, 'css_ledger_read_model_phase', { read_model: 'sessions', phase: 'rebuilding' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_processor_phase', { processor: 'rebuild', phase: 'rebuilding' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_projector_phase', { phase: 'rebuilding' })).toBe(1);
    // The older file lacks set_id: it reads as null until the new file serves.
    expect(answer.body.data).toEqual({ session: { errmsg: 'answered by the old file', setId: null }, sessions: { totalCount: sessionCount } });

    await readyzUntil(url, (r) => r.readModels.sessions!.phase === 'live', 'sessions live again');
    const swapped = await postQuery(url, `{ session(sequence: "${sequence}") { errmsg setId } sessions { totalCount } }`);
    expect(swapped.body.data).toEqual({
      session: { errmsg: expect.not.stringMatching(/old file/), setId: expect.any(Number) },
      sessions: { totalCount: sessionCount },
    });
    // Both answered by the reading thread, which followed the swap to the new file.
    const answeredBy = await scrape(url);
    expect(valueOf(answeredBy, 'css_ledger_graphql_queries_total', { thread: 'reading' })).toBe(2);
    expect(valueOf(answeredBy, 'css_ledger_graphql_queries_total', { thread: 'main' })).toBe(0);
    // The old file goes, off the thread that answers (deleting gigabytes takes the filesystem a while).
    await eventually(() => !existsSync(path.join(sessionsFolder(data.dir), sessionsFile(1))), 'the old file removed');
    const after = liveFiles(data.dir);
    expect(after.sessions).toEqual({ file: sessionsFile(2), position: lastPosition });
    // The other read models kept their files and positions: they were not touched.
    for (const name of READ_MODEL_NAMES.filter((n) => n !== 'sessions')) expect(after[name]).toEqual(before[name]);
    expect(sessionsDigest(data.dir)).toBe(digest);
  }, 180_000);

  it('`rebuild sessions` while the service runs: the service builds and swaps in a new file with the same digest on a thread of lower priority, answering throughout', async () => {
    // A subscriber meanwhile hears nothing: no callback arrives, and the sessions replayed are not news.
    const subscriber = subscriptionClient(url);
    const updates = collect(subscriber, SessionUpdatedDocument, {});
    await within(updates.ready, 10_000, 'the subscriber connected');
    const rebuild = runCli(['rebuild', 'sessions'], { DATA_DIR: data.dir });
    let answered = 0;
    const failures: unknown[] = [];
    let exited = false;
    const done = exitWithin(rebuild, 120_000).finally(() => (exited = true));
    // The build's own thread at BUILD_NICENESS, seen as `top -H` would; the live processors' thread as it was.
    const threadsSeen = new Map<string, Set<number>>();
    while (!exited) {
      for (const { name, nice } of threadsOf(service!.child.pid!)) threadsSeen.set(name, (threadsSeen.get(name) ?? new Set()).add(nice));
      const answer = await postQuery(url, '{ sessions { totalCount } }');
      if (answer.status === 200 && (answer.body.data?.sessions as { totalCount: number } | undefined)?.totalCount === sessionCount) answered++;
      else failures.push(answer);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await done).code).toBe(0);
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(0);
    expect(updates.received).toHaveLength(0);
    await subscriber.dispose();
    if (process.platform === 'linux') {
      // comm keeps 15 characters; the thread lowers its own priority once it runs (at 0 for its first moments).
      expect([...(threadsSeen.get('read-model buil') ?? [])]).toContain(7);
      expect(threadsSeen.get('ledger projecto')).toEqual(new Set([0]));
    }
    expect(service!.output()).toContain('building sessions on a thread of its own (nice 7)');
    expect(rebuild.output()).toContain(`asking the running service (pid ${service!.child.pid}) to rebuild sessions`);
    // Progress against the log's head, from the first line on.
    const progress = rebuild.output().split('\n').filter((line) => line.startsWith('rebuild: sessions at '));
    expect(progress.length).toBeGreaterThan(0);
    // While it replays the log, the pace and the time left once it has moved for a second: `: 1,234 events/s, about 3 s left`.
    const pace = String.raw`(: [\d,]+ events/s, about (\d+ s|\d+ min( \d+ s)?|\d+ h \d\d min) left)?`;
    for (const line of progress) expect(line).toMatch(new RegExp(`^rebuild: sessions at \\d+( \\((live|digesting)\\))? of ${lastPosition}${pace}$`));
    expect(progress.at(-1)).toBe(`rebuild: sessions at ${lastPosition} (digesting) of ${lastPosition}`);
    expect(/digest ([0-9a-f]{64})/.exec(rebuild.output())?.[1]).toBe(digest);
    expect(liveFiles(data.dir).sessions).toEqual({ file: sessionsFile(3), position: lastPosition });
    await eventually(() => !existsSync(path.join(sessionsFolder(data.dir), sessionsFile(2))), 'the replaced file removed');
    expect((await readyz(url)).body.readModels.sessions).toMatchObject({ phase: 'live', file: sessionsFile(3), rebuild: null });

    const unknown = runCli(['rebuild', 'sessions', 'nothing'], { DATA_DIR: data.dir });
    expect((await exitWithin(unknown, 30_000)).code).toBe(1);
    expect(unknown.output()).toContain('unknown read model nothing; the read models are callbackLog, sessions, relayTasks, quarantine, timeline, pushAnomalies, recordings, screenshots, moderation, insights');
    await stop();
  }, 180_000);

  it('resumes a shadow build killed with SIGKILL from its own checkpoint, and completes it', async () => {
    ageSessionsFile(data.dir, sequence);
    await serve();
    const building = path.join(sessionsFolder(data.dir), sessionsFile(4));
    // Killed once the build has made progress, before it is done.
    const midway = await readyzUntil(
      url,
      (r) => r.readModels.sessions!.rebuild !== null && BigInt(r.readModels.sessions!.rebuild.position) > 0n,
      'the build under way',
    );
    service!.child.kill('SIGKILL');
    expect((await service!.exited).signal).toBe('SIGKILL');
    const db = new Database(building, { readonly: true });
    let killedAt: bigint;
    try {
      expect(readMeta(db)).toMatchObject({ name: 'sessions', state: 'building', generation: 4 });
      killedAt = readCheckpoint(db).position;
    } finally {
      db.close();
    }
    expect(killedAt).toBeGreaterThanOrEqual(BigInt(midway.readModels.sessions!.rebuild!.position));
    expect(killedAt).toBeLessThan(lastPosition);

    await serve();
    // The same file goes on from where it stood; the older one answers meanwhile.
    const resumed = await readyz(url);
    expect(resumed.body.readModels.sessions!.file).toBe(sessionsFile(3));
    if (resumed.body.readModels.sessions!.rebuild !== null) {
      expect(resumed.body.readModels.sessions!.rebuild).toMatchObject({ file: sessionsFile(4) });
      expect(BigInt(resumed.body.readModels.sessions!.rebuild.position)).toBeGreaterThanOrEqual(killedAt);
    }
    await readyzUntil(url, (r) => r.readModels.sessions!.phase === 'live', 'the resumed build live');
    await stop();
    expect(liveFiles(data.dir).sessions).toEqual({ file: sessionsFile(4), position: lastPosition });
    expect(sessionsDigest(data.dir)).toBe(digest);
  }, 180_000);

  it('upgrades a DATA_DIR of the previous layout (every read model in readmodels.db): it answers until each is built, then goes', async () => {
    // The previous layout: one file, schema version 5, the same tables.
    const legacy = path.join(data.dir, 'readmodels.db');
    const db = new Database(legacy);
    try {
      for (const name of READ_MODEL_NAMES) {
        db.exec(`ATTACH DATABASE '${liveFileOf(data.dir, name)}' AS live`);
        for (const table of PROJECTIONS.find((p) => p.name === name)!.tables) {
          db.exec(table.ddl());
          db.exec(`INSERT INTO main.${table.name} SELECT * FROM live.${table.name}`);
        }
        db.exec('DETACH DATABASE live');
      }
      db.prepare('UPDATE sessions SET errmsg = ? WHERE sequence = ?').run('answered by the previous layout', sequence);
      db.pragma('user_version = 5');
    } finally {
      db.close();
    }
    rmSync(readModelsRootOf(data.dir), { recursive: true });

    await serve();
    const [ready, answer] = await Promise.all([readyz(url), postQuery(url, `{ session(sequence: "${sequence}") { errmsg } sessions { totalCount } }`)]);
    expect(ready.status).toBe(200);
    expect(ready.body.readModels.sessions).toMatchObject({ phase: 'rebuilding', serving: true, file: 'readmodels.db', rebuild: { file: sessionsFile(1) } });
    expect(answer.body.data).toEqual({ session: { errmsg: 'answered by the previous layout' }, sessions: { totalCount: sessionCount } });

    await readyzUntil(url, (r) => Object.values(r.readModels).every((m) => m.phase === 'live'), 'every read model live');
    // Removed in steps once the last read model it answered for is live, as replaced files are.
    await eventually(() => !existsSync(legacy), "the previous layout's file removed");
    const answered = await postQuery(url, `{ session(sequence: "${sequence}") { errmsg } sessions { totalCount } }`);
    expect(answered.body.data).toEqual({ session: { errmsg: expect.not.stringMatching(/previous layout/) }, sessions: { totalCount: sessionCount } });
    await stop();
    expect(sessionsDigest(data.dir)).toBe(digest);
  }, 240_000);
});
