// The background lane's read models written on a thread of their own: the same rows as written on the projector thread,
// live as the log grows, after a rebuild swapped in, and where a stop left them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { ProjectionHost } from '../../src/processing/projectionHost';
import { PROJECTIONS } from '../../src/readmodels';
import { capturedLog } from '../support/capturedLog';
import { eventually } from '../support/forwardingLog';
import { checkpointOf, liveDigests, liveFileOf } from '../support/readModelFiles';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

const BACKGROUND = PROJECTIONS.filter((definition) => definition.background === true);

/** The digest of each background read model's live file under `dir`. */
const digests = (dir: string) => liveDigests(dir, BACKGROUND.map((definition) => definition.name));

const until = (done: () => boolean, what: string, timeoutMs = 60_000) => eventually(done, what, timeoutMs);

/** This process's threads by name, with their nice values (Linux keeps one per thread). */
function threads(): Array<{ name: string; nice: number }> {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [{ name, nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) }];
    } catch {
      return [];
    }
  });
}

/** A log in one folder; read models kept from it there (`away`) and in another folder (`here`). Closed after the tests. */
function twoFolders() {
  const away = tempDataDir();
  const here = tempDataDir();
  const eventsFile = path.join(away.dir, 'events.db');
  let store: SqliteEventStore | null = null;
  afterAll(async () => {
    await store?.close();
    away.remove();
    here.remove();
  });
  return { away, here, eventsFile, openLog: () => (store = SqliteEventStore.open(eventsFile)) };
}

describe('the background read models on a thread of their own', () => {
  // The same log, read models kept once with the thread and once without it.
  const { away, here, eventsFile, openLog } = twoFolders();
  let store: SqliteEventStore;

  const open = (dir: string, thread: boolean) => {
    const log = capturedLog();
    const host = new ProjectionHost({
      store,
      definitions: PROJECTIONS,
      root: path.join(dir, 'readmodels'),
      logger: log.logger,
      ...(thread ? { backgroundThread: { eventsFile, niceness: 4 } } : {}),
    });
    host.start();
    return { host, log };
  };
  const settled = (host: ProjectionHost, position: bigint) =>
    until(() => host.status().readModels.every((r) => r.phase === 'live' && r.position === position), `every read model at ${position}`, 120_000);

  it('writes the same rows as the projector thread would, follows the log, takes a rebuild in, and stops where it stood', async () => {
    store = openLog();
    let { lastPosition } = await appendTraffic(store, { seed: 11, sessions: 600, relayTasks: 40 });
    const reference = open(here.dir, false);
    const running = open(away.dir, true);
    try {
      await settled(reference.host, lastPosition);
      await settled(running.host, lastPosition);
      // The log's WAL is copied back into events.db there, where its writer (below its own threshold) did not.
      const walOf = (file: string) => statSync(`${file}-wal`).size;
      await until(() => statSync(eventsFile).size > walOf(eventsFile) / 4, 'the log checkpointed on the thread', 30_000);
      const sessionsFile = liveFileOf(away.dir, 'sessions');
      await until(() => statSync(sessionsFile).size > walOf(sessionsFile) / 4, 'a live read model checkpointed on the thread', 30_000);
      const started = () => running.log.logged().some((line) => line.msg === 'background read models on a thread of their own (nice 4)');
      await until(started, 'the thread said it started at nice 4');
      if (process.platform === 'linux') {
        expect(threads().filter((t) => t.name === 'background proj')).toEqual([{ name: 'background proj', nice: 4 }]);
      }
      // The files were built on the projector thread (nothing was live); from here on the thread writes them.
      ({ lastPosition } = await appendTraffic(store, { seed: 12, sessions: 300, relayTasks: 20 }));
      await settled(reference.host, lastPosition);
      await settled(running.host, lastPosition);
      expect(digests(away.dir)).toEqual(digests(here.dir));

      // A rebuild swapped in goes to the thread: what comes after is written there.
      const swapped: string[] = [];
      running.host.onServing((change) => swapped.push(change.readModel));
      running.host.rebuild(['timeline', 'insights']);
      await until(() => swapped.length === 2, 'both rebuilds swapped in', 120_000);
      ({ lastPosition } = await appendTraffic(store, { seed: 13, sessions: 300, relayTasks: 20 }));
      await settled(reference.host, lastPosition);
      await settled(running.host, lastPosition);
    } finally {
      await running.host.stop();
      await reference.host.stop();
    }
    expect(digests(away.dir)).toEqual(digests(here.dir));
    for (const definition of BACKGROUND) expect(checkpointOf(liveFileOf(away.dir, definition.name))?.position).toBe(lastPosition);
    if (process.platform === 'linux') expect(threads().filter((t) => t.name === 'background proj')).toEqual([]);
  }, 240_000);
});

describe('a background read models thread that ends on its own', () => {
  const { away, here, eventsFile, openLog } = twoFolders();

  it('is started again by the next batch, its files opened again, and nothing is missed or applied twice', async () => {
    const store = openLog();
    let { lastPosition } = await appendTraffic(store, { seed: 21, sessions: 400, relayTasks: 30 });
    const log = capturedLog();
    const running = new ProjectionHost({
      store,
      definitions: PROJECTIONS,
      root: path.join(away.dir, 'readmodels'),
      logger: log.logger,
      backgroundThread: { eventsFile, niceness: 0 },
      retryDelayMs: 100,
    });
    const reference = new ProjectionHost({ store, definitions: PROJECTIONS, root: path.join(here.dir, 'readmodels') });
    const settled = (host: ProjectionHost, position: bigint) =>
      until(() => host.status().readModels.every((r) => r.phase === 'live' && r.position === position), `every read model at ${position}`, 120_000);
    running.start();
    reference.start();
    try {
      await settled(running, lastPosition);
      // Written from here on by the thread; more traffic, and the thread ended in the middle of it as a crash would.
      ({ lastPosition } = await appendTraffic(store, { seed: 22, sessions: 300, relayTasks: 20 }));
      const thread = (running as unknown as { backgroundThread: { worker: Worker } }).backgroundThread;
      await thread.worker.terminate();
      ({ lastPosition } = await appendTraffic(store, { seed: 23, sessions: 200, relayTasks: 10 }));
      await settled(running, lastPosition);
      await settled(reference, lastPosition);
      expect(log.logged().map((line) => line.msg)).toEqual(
        expect.arrayContaining([
          'the background read models thread ended; the next batch starts another',
          'the background read models thread starts again, its files each from its checkpoint',
        ]),
      );
      if (process.platform === 'linux') expect(threads().filter((t) => t.name === 'background proj')).toHaveLength(1);
    } finally {
      await running.stop();
      await reference.stop();
    }
    expect(digests(away.dir)).toEqual(digests(here.dir));
  }, 240_000);
});
