// Start-up on damaged files: read models (derived) are set aside and rebuilt; a damaged event log stops start-up untouched; what start-up reads whole.
import Database from 'better-sqlite3';
import { cpSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { callbackLogProjection } from '../../src/readmodels/callbackLog/callbackLog.projection';
import { sessionsProjection } from '../../src/readmodels/sessions/sessions.projection';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { ProjectionHost } from '../../src/processing/projectionHost';
import { filesReadWhole, WHOLE_CHECK_BYTES } from '../../src/processing/readModelFolder';
import { PROJECTIONS } from '../../src/readmodels';
import { query } from '../support/graphqlClient';
import { SessionsDocument, type SessionsQuery } from '../graphql/generated';
import { exitWithin, listeningUrl, onlyLogLine, runCli } from '../support/serviceProcess';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

type Damage = (file: string) => void;

/** Overwrites one page of the file with bytes that are no b-tree page. */
function overwritePage(file: string, pageNumber: number): void {
  const pageSize = 4096;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (pageNumber - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

/** A leaf page of one index: the schema and the tables' last rows still read, only quick_check sees it. */
function leafPageOf(file: string, index: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[string], number>("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' LIMIT 1").pluck().get(index)!;
  } finally {
    db.close();
  }
}

const DAMAGE: [string, Damage][] = [
  ['garbage bytes', (file) => writeFileSync(file, Buffer.alloc(statSync(file).size, 0x5a))],
  ['a truncated file', (file) => truncateSync(file, Math.floor(statSync(file).size / 2))],
  ['a file that is not SQLite', (file) => writeFileSync(file, 'read models were here\n')],
  ['a malformed index page only quick_check finds', (file) => overwritePage(file, leafPageOf(file, 'sessions_by_time'))],
];

/** Waits (bounded by count and time) until /readyz reports the projector at `position`. */
async function caughtUp(url: string, position: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; attempt < 600 && Date.now() < deadline; attempt++) {
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { projector?: { position: string } };
    if (ready.projector !== undefined && BigInt(ready.projector.position) >= BigInt(position)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the projector did not reach position ${position}`);
}

// All 25 sessions in one page, within the default query cost (a page costs `first` times its fields).
const allSessions = (url: string) => query<SessionsQuery, { first: number }>(url, SessionsDocument, { first: 100 });

describe('what start-up reads whole of the read models', () => {
  it('reads the smallest files first, while they fit in its budget together (a file with its WAL)', () => {
    const data = tempDataDir();
    try {
      const [a, b] = ['a', 'b'].map((name) => path.join(data.dir, name)) as [string, string];
      const file = (folder: string, name: string, bytes: number) => {
        mkdirSync(folder, { recursive: true });
        writeFileSync(path.join(folder, name), Buffer.alloc(bytes));
        return path.join(folder, name);
      };
      const small = file(a, 'v1.1.db', 100);
      const large = file(a, 'v1.2.db', 300);
      file(a, 'v1.2.db-wal', 50);
      const middle = file(b, 'v3.1.db', 200);
      file(b, 'notes.txt', 10);
      const folders = [a, b, path.join(data.dir, 'none yet')];
      expect(filesReadWhole(folders, 0)).toEqual(new Set());
      expect(filesReadWhole(folders, 349)).toEqual(new Set([small, middle]));
      expect(filesReadWhole(folders, 649)).toEqual(new Set([small, middle]));
      expect(filesReadWhole(folders, 650)).toEqual(new Set([small, middle, large]));
    } finally {
      data.remove();
    }
  });
});

describe('start-up on damaged files', () => {
  // Its own life cycle: a pristine folder is built once, then copies are damaged and started one by one.
  const pristine = tempDataDir();
  const copies = tempDataDir();
  let sessionsBefore: SessionsQuery;
  let lastPosition: string;

  beforeAll(async () => {
    const service = await startTestService(pristine.dir);
    try {
      for (const { body } of generateTraffic({ seed: 23, sessions: 25, relayTasks: 4 })) {
        const response = await postAndProject(service, body);
        lastPosition = response.headers.get('callback-position') ?? lastPosition;
      }
      sessionsBefore = await allSessions(service.url);
      expect(sessionsBefore.sessions.totalCount).toBe(25);
    } finally {
      await service.close();
    }
  }, 60_000);
  afterAll(() => {
    pristine.remove();
    copies.remove();
  });

  /** A copy of the stopped service's folder, for one damage. */
  function copyOfData(name: string): string {
    const dir = path.join(copies.dir, name.replace(/\W+/g, '-'));
    cpSync(pristine.dir, dir, { recursive: true });
    return dir;
  }

  it.each(DAMAGE)('sets a read-model file with %s aside, says where, rebuilds it alone and answers the same sessions', async (name, damage) => {
    const dir = copyOfData(name);
    const readModels = path.join(dir, 'readmodels', 'sessions', `v${sessionsProjection.version}.1.db`);
    damage(readModels);
    const damaged = readFileSync(readModels);

    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir });
    try {
      const url = await listeningUrl(run);
      const warning = await run.waitForLine(/read models .* are damaged/);
      const aside = new RegExp(`moved to (\\S+v${sessionsProjection.version}\\.1\\.db\\.corrupt-\\d{8}T\\d{6}Z)`).exec(warning)?.[1];
      expect(warning).toContain(`"level":40`);
      expect(warning).toContain(`read models ${readModels} are damaged`);
      expect(aside).toBeDefined();
      expect(readFileSync(aside!)).toEqual(damaged); // kept as it was, for a post-mortem

      await caughtUp(url, lastPosition);
      expect(await allSessions(url)).toEqual(sessionsBefore);
      // The other read models kept their files: only the damaged one was built again.
      expect(readdirSync(path.join(dir, 'readmodels', 'callbackLog'))).toEqual(expect.arrayContaining([`v${callbackLogProjection.version}.1.db`]));
      expect(readdirSync(path.join(dir, 'readmodels', 'callbackLog')).filter((file) => file.includes('corrupt'))).toEqual([]);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect((await run.exited).code).toBe(0);
  }, 60_000);

  it('reads read-model files whole only within its budget: past it, damage that only quick_check finds is not looked for at start', async () => {
    for (const [budget, setAside] of [
      [0, false],
      [WHOLE_CHECK_BYTES, true],
    ] as const) {
      const dir = copyOfData(`budget ${budget}`);
      const sessions = path.join(dir, 'readmodels', 'sessions', `v${sessionsProjection.version}.1.db`);
      overwritePage(sessions, leafPageOf(sessions, 'sessions_by_time'));
      const store = SqliteEventStore.open(path.join(dir, 'events.db'));
      const host = new ProjectionHost({ store, definitions: PROJECTIONS, root: path.join(dir, 'readmodels'), wholeCheckBytes: budget });
      try {
        expect(readdirSync(path.dirname(sessions)).some((name) => name.includes('.corrupt-'))).toBe(setAside);
      } finally {
        await host.stop();
        await store.close();
      }
    }
  });

  it.each([
    ['garbage bytes', DAMAGE[0]![1]],
    ['a truncated file', DAMAGE[1]![1]],
    ['a malformed page', (file: string) => overwritePage(file, leafPageOf(file, 'events'))],
  ])('refuses an event log with %s: exit 1, one line naming the file and what to do, the file untouched', async (name, damage) => {
    const dir = copyOfData(`events ${name}`);
    const events = path.join(dir, 'events.db');
    damage(events);
    const before = readFileSync(events);

    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir });
    expect((await exitWithin(run, 20_000)).code).toBe(1);
    const { level, msg } = onlyLogLine(run);
    expect(level).toBe(60);
    expect(msg).toContain(`could not start: the event log ${events} is damaged`);
    expect(msg).toMatch(/Restore it from a backup, or salvage .*sqlite3 .*events\.db \.recover/);
    expect(msg).toContain('import');
    expect(readFileSync(events)).toEqual(before);
    expect(readdirSync(dir).filter((file) => file.includes('corrupt'))).toEqual([]);

    // rebuild refuses it as well, with the same advice.
    const rebuild = runCli(['rebuild'], { DATA_DIR: dir });
    expect((await exitWithin(rebuild, 20_000)).code).toBe(1);
    expect(rebuild.output()).toContain(`the event log ${events} is damaged`);
    expect(readFileSync(events)).toEqual(before);
  }, 60_000);
});
