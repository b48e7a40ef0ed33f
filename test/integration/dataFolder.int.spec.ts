// DATA_DIR at start-up: an unusable folder is named with the OS's reason; one service (or rebuild) holds it at a time;
// an open-file limit too low to run on is refused before it is touched.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { freePort } from '../support/loopbackSockets';
import { exitWithin, listeningUrl, onlyLogLine, runCli } from '../support/serviceProcess';
import { postCallback, tempDataDir } from '../support/testService';

const serveIn = (dir: string, env: Record<string, string> = {}) => runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, ...env });

describe('DATA_DIR at start-up', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  const aFile = path.join(data.dir, 'a-file');
  beforeAll(() => writeFileSync(aFile, 'not a folder\n'));

  // Tests run as root, which permission bits do not stop: these are the cases the OS refuses to root as well.
  // (Under /proc, Node's recursive mkdir never returns: exitWithin kills what would hang.)
  const cases: [string, () => string, RegExp][] = [
    ['that is a regular file', () => aFile, /ENOTDIR: it is a file, not a folder/],
    ['under a regular file', () => path.join(aFile, 'data'), /ENOTDIR: not a directory, mkdir/],
    ['under /proc, where no folder can be created', () => `/proc/css-ledger-test-${process.pid}/data`, /ENOENT: no such file or directory, mkdir/],
  ];
  // sysfs refuses new files to everyone, root included.
  if (existsSync('/sys/kernel')) cases.push(['that is /sys, where no file can be created', () => '/sys', /EACCES: permission denied, open/]);

  it.each(cases)('refuses a DATA_DIR %s: one line naming the folder and the reason, exit code 1', async (_name, folder, reason) => {
    const dir = folder();
    const run = serveIn(dir);
    expect(await exitWithin(run, 20_000)).toEqual({ code: 1, signal: null });
    const { level, msg } = onlyLogLine(run);
    expect(level).toBe(60);
    expect(msg).toContain(`could not start: DATA_DIR ${dir} cannot be used: `);
    expect(msg).toMatch(reason);
  }, 30_000);

  it('refuses to start under an open-file limit too low to run on: one line saying how to raise it, exit code 1, nothing created', async () => {
    const dir = path.join(data.dir, 'low-limit');
    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir }, { openFileLimit: 256 });
    expect(await exitWithin(run, 20_000)).toEqual({ code: 1, signal: null });
    const { level, msg } = onlyLogLine(run);
    expect(level).toBe(60);
    expect(msg).toMatch(/^could not start: the open-file limit is 256 .*at least 512, 4096 or more in production/);
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it('refuses a second service on the same DATA_DIR, naming the first; rebuild asks the running one, or runs alone', async () => {
    const dir = path.join(data.dir, 'shared');
    const first = serveIn(dir);
    try {
      const url = await listeningUrl(first);
      expect((await postCallback(url, { event_type: 1, sequence: '5', stream_id: 'held' })).status).toBe(200);

      const second = serveIn(dir);
      expect(await exitWithin(second, 20_000)).toEqual({ code: 1, signal: null });
      expect(second.output()).toContain(`DATA_DIR ${dir} is in use by \`serve\` (pid ${first.child.pid} on `);
      expect(second.output()).toContain('two services cannot share one DATA_DIR');

      const rebuild = runCli(['rebuild'], { DATA_DIR: dir });
      expect((await exitWithin(rebuild, 30_000)).code).toBe(0);
      expect(rebuild.output()).toContain(`asking the running service (pid ${first.child.pid}) to rebuild every read model`);
      expect(rebuild.output()).toMatch(/rebuilt: 1 events/);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect((await first.exited).code).toBe(0);

    const rebuild = runCli(['rebuild'], { DATA_DIR: dir });
    expect((await exitWithin(rebuild, 30_000)).code).toBe(0);
    expect(rebuild.output()).toMatch(/rebuilt: 1 events/);
  }, 90_000);

  it('leaves no stale lock behind a service killed with SIGKILL: rebuild and the next service go ahead', async () => {
    const dir = path.join(data.dir, 'killed');
    mkdirSync(dir);
    const killed = serveIn(dir);
    try {
      const url = await listeningUrl(killed);
      expect((await postCallback(url, { event_type: 1, sequence: '6', stream_id: 'killed' })).status).toBe(200);
      const asked = runCli(['rebuild'], { DATA_DIR: dir });
      expect((await exitWithin(asked, 30_000)).code).toBe(0);
      expect(asked.output()).toContain(`asking the running service (pid ${killed.child.pid})`);
    } finally {
      killed.child.kill('SIGKILL');
    }
    expect((await killed.exited).signal).toBe('SIGKILL');

    const rebuild = runCli(['rebuild'], { DATA_DIR: dir });
    expect((await exitWithin(rebuild, 30_000)).code).toBe(0);
    expect(rebuild.output()).toMatch(/rebuilt: 1 events/);

    const next = serveIn(dir);
    try {
      await listeningUrl(next);
    } finally {
      next.child.kill('SIGTERM');
    }
    expect((await next.exited).code).toBe(0);
  }, 90_000);

  it('takes its lock again when service.lock is deleted under it (a tmp cleaner, a careless rm): the next service is still refused', async () => {
    const dir = path.join(data.dir, 'lock-deleted');
    const first = serveIn(dir);
    try {
      const url = await listeningUrl(first);
      rmSync(path.join(dir, 'service.lock'));
      rmSync(path.join(dir, 'service.lock.json'));
      await first.waitForLine(/service\.lock was deleted or replaced while this serve held DATA_DIR: its lock is taken again/, 10_000);

      const second = serveIn(dir);
      expect(await exitWithin(second, 20_000)).toEqual({ code: 1, signal: null });
      expect(second.output()).toContain(`DATA_DIR ${dir} is in use by \`serve\` (pid ${first.child.pid} on `);
      expect((await postCallback(url, { event_type: 1, sequence: '7', stream_id: 'still-held' })).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect((await first.exited).code).toBe(0);
  }, 60_000);

  it('stops, exit code 1, when another process took service.lock while it was replaced: two services never write one DATA_DIR', async () => {
    const dir = path.join(data.dir, 'lock-taken');
    mkdirSync(dir);
    const first = serveIn(dir);
    const other = new Database(path.join(dir, 'other.lock'));
    try {
      await listeningUrl(first);
      // Locked before it is moved into place: at no moment is service.lock a file nobody holds.
      other.pragma('locking_mode = EXCLUSIVE');
      other.exec('BEGIN EXCLUSIVE; PRAGMA user_version = 1; COMMIT');
      renameSync(path.join(dir, 'other.lock'), path.join(dir, 'service.lock'));

      expect(await exitWithin(first, 20_000)).toEqual({ code: 1, signal: null });
      expect(first.output()).toMatch(/"level":50,.*service\.lock was deleted or replaced while this serve held DATA_DIR, and another process took it since/);
      expect(first.output()).toContain('DATA_DIR was taken by another process: stopping');
    } finally {
      first.child.kill('SIGTERM');
      other.close();
    }
  }, 60_000);

  it('a rebuild takes its lock again too when service.lock is deleted under it: no service starts beside it', async () => {
    const dir = path.join(data.dir, 'rebuild-lock-deleted');
    mkdirSync(dir);
    // Enough events for the rebuild to outlast a second's check and a service's start (about 8 s here).
    const traffic = generateTraffic({ seed: 11, sessions: 16_000, relayTasks: 2_000 });
    writeFileSync(path.join(dir, 'traffic.jsonl'), `${traffic.map(({ body }) => JSON.stringify(body)).join('\n')}\n`);
    expect((await exitWithin(runCli(['import', path.join(dir, 'traffic.jsonl')], { DATA_DIR: dir }), 60_000)).code).toBe(0);

    const rebuild = runCli(['rebuild'], { DATA_DIR: dir });
    try {
      await rebuild.waitForLine(/^rebuilding every read model/, 20_000);
      rmSync(path.join(dir, 'service.lock'));
      await rebuild.waitForLine(/service\.lock was deleted or replaced while this rebuild held DATA_DIR: its lock is taken again/, 10_000);
      const service = serveIn(dir);
      expect(await exitWithin(service, 20_000)).toEqual({ code: 1, signal: null });
      expect(service.output()).toContain(`DATA_DIR ${dir} is in use by \`rebuild\` (pid ${rebuild.child.pid} on `);
    } finally {
      expect((await exitWithin(rebuild, 60_000)).code).toBe(0);
    }
    expect(rebuild.output()).toContain(`rebuilt: ${traffic.length} events`);
  }, 120_000);

  it('holds DATA_DIR (its read models) on EventStoreDB too: rebuild is refused while EventStoreDB is out of reach', async () => {
    const dir = path.join(data.dir, 'esdb');
    const esdb = { EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${await freePort()}?tls=false`, APPEND_TIMEOUT_MS: '800' };
    const service = serveIn(dir, esdb); // starts while EventStoreDB is unreachable, as it does in production
    try {
      await listeningUrl(service);
      const rebuild = runCli(['rebuild'], { DATA_DIR: dir, ...esdb });
      expect((await exitWithin(rebuild, 20_000)).code).toBe(1);
      expect(rebuild.output()).toContain('cannot rebuild: the event store is out of reach');
      expect(rebuild.output()).not.toContain('rebuilt:');
    } finally {
      service.child.kill('SIGTERM');
    }
    expect((await service.exited).code).toBe(0);
  }, 60_000);
});
