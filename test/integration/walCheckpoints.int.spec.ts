// The WAL checkpoints' own thread (with EventStoreDB; the embedded store's are made on the background read models' thread):
// the live read models, a log when given one, and the forwarding state, copied back into their files while their writers go on.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { forwardingFile, openForwardingDb } from '../../src/forwarding/forwardingDb';
import { WalCheckpoints } from '../../src/ledger/walCheckpoints';
import { ProjectionHost } from '../../src/processing/projectionHost';
import { ProjectionFile, REMOVING_SUFFIX } from '../../src/processing/readModelFile';
import { checkpointEvery } from '../../src/processing/walCheckpoints';
import { PROJECTIONS } from '../../src/readmodels';
import { relayTasksProjection } from '../../src/readmodels/relayTasks/relayTasks.projection';
import { eventually } from '../support/forwardingLog';
import { liveDigests, liveFileOf, READ_MODEL_NAMES, readModelsRootOf } from '../support/readModelFiles';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';
import { steppableSystemClock } from '../support/systemClock';

const sizeOf = (file: string) => fs.statSync(file).size;

describe('the WAL checkpoints thread', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('copies a log and the live read models back into their files while they are written, which their own commits no longer do', async () => {
    const eventsFile = path.join(data.dir, 'events.db');
    const store = SqliteEventStore.open(eventsFile);
    const host = new ProjectionHost({ store, definitions: PROJECTIONS, root: readModelsRootOf(data.dir) });
    host.start();
    let checkpoints: WalCheckpoints | null = null;
    try {
      // Live files first (a build's own file checkpoints as it always did), then traffic the live files take.
      const settled = (position: bigint) =>
        eventually(() => host.status().readModels.every((r) => r.phase === 'live' && r.position === position), `every read model at ${position}`, 120_000);
      await settled(0n);
      const { lastPosition } = await appendTraffic(store, { seed: 31, sessions: 500, relayTasks: 40 });
      await settled(lastPosition);
      const files = [eventsFile, liveFileOf(data.dir, 'sessions'), liveFileOf(data.dir, 'callbackLog'), liveFileOf(data.dir, 'relayTasks')];
      // Below their own threshold, the writers left what they wrote in the WAL: the files themselves are a few pages.
      const before = files.map((file) => ({ file, size: sizeOf(file), wal: sizeOf(`${file}-wal`) }));
      for (const { size, wal } of before) expect(size).toBeLessThan(wal / 4);
      const digests = liveDigests(data.dir, READ_MODEL_NAMES);

      checkpoints = new WalCheckpoints({ eventsFile, readModelsRoot: readModelsRootOf(data.dir), checkpointedAlongside: [], logIntervalMs: 50, readModelIntervalMs: 50 });
      await eventually(() => before.every(({ file, wal }) => sizeOf(file) > wal / 4), 'the log and the live read models copied back into their files', 30_000);

      // The writers go on meanwhile, and what they wrote reads the same.
      const more = await appendTraffic(store, { seed: 32, sessions: 200, relayTasks: 10 });
      await settled(more.lastPosition);
      expect(liveDigests(data.dir, READ_MODEL_NAMES)).not.toEqual(digests);
      await checkpoints.stop();
      checkpoints = null;
      const reopened = new Database(eventsFile, { readonly: true });
      expect(reopened.prepare('SELECT max(position) AS last FROM events').safeIntegers(true).get()).toEqual({ last: more.lastPosition });
      reopened.close();
    } finally {
      await checkpoints?.stop();
      await host.stop();
      await store.close();
    }
  }, 240_000);

  it("copies the forwarding state back too, which its intake's commits no longer do", async () => {
    const file = forwardingFile(data.dir);
    const db = openForwardingDb(file);
    let checkpoints: WalCheckpoints | null = null;
    try {
      const insert = db.prepare(
        `INSERT INTO deliveries (destination, event_id, event_type, stream, position, received_at, offered_at, origin, status, attempts, next_attempt_at, raw)
         VALUES ('receiver', ?, 'StreamPushed', ?, ?, 0, 0, 'log', 'pending', 0, 0, ?)`,
      );
      const body = 'x'.repeat(2_000);
      // About 8 MB in 40 intakes: past SQLite's own threshold (1,000 pages), yet the file itself stays a few pages.
      for (let intake = 0; intake < 40; intake++) {
        db.transaction(() => {
          for (let i = 0; i < 100; i++) insert.run(`e${intake}-${i}`, `s${i}`, intake * 100 + i, body);
        })();
      }
      const wal = sizeOf(`${file}-wal`);
      expect(wal).toBeGreaterThan(6_000_000);
      expect(sizeOf(file)).toBeLessThan(wal / 4);

      checkpoints = new WalCheckpoints({ eventsFile: null, readModelsRoot: readModelsRootOf(data.dir), checkpointedAlongside: [file], logIntervalMs: 50, readModelIntervalMs: 50 });
      await eventually(() => sizeOf(file) > wal / 4, 'the forwarding state copied back into its file', 30_000);
      expect(db.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(4_000);
    } finally {
      await checkpoints?.stop();
      db.close();
    }
  }, 60_000);
});

describe('WAL checkpoints of a read model a rebuild replaced', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  /** The files this process holds open (the checkpoints run in-process here). */
  const openFiles = () =>
    fs.readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [fs.readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });

  // The replaced file is renamed aside, shrunk and deleted at the swap; the checkpoints held it until they looked for the
  // live files again, seconds later, and their checkpoint of the half-shrunk file failed as "malformed" at every upgrade.
  it('lets go of a live file renamed aside at its next checkpoint', async () => {
    const store = SqliteEventStore.open(path.join(data.dir, 'events.db'));
    const host = new ProjectionHost({ store, definitions: PROJECTIONS, root: readModelsRootOf(data.dir) });
    host.start();
    const failures: string[] = [];
    let checkpoints: { stop(): void } | null = null;
    try {
      const { lastPosition } = await appendTraffic(store, { seed: 41, sessions: 100, relayTasks: 5 });
      await eventually(() => host.status().readModels.every((r) => r.phase === 'live' && r.position === lastPosition), 'every read model live', 120_000);
      await host.stop();
      const sessions = liveFileOf(data.dir, 'sessions');
      checkpoints = checkpointEvery(
        { eventsFile: null, readModelsRoot: readModelsRootOf(data.dir), checkpointedAlongside: [], logIntervalMs: 20, readModelIntervalMs: 20 },
        (file, message) => failures.push(`${file}: ${message}`),
      );
      await eventually(() => openFiles().includes(sessions), 'the checkpoints holding the sessions file', 10_000);
      fs.renameSync(sessions, `${sessions}${REMOVING_SUFFIX}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(openFiles().filter((file) => file.startsWith(sessions))).toEqual([]);
      expect(failures).toEqual([]);
    } finally {
      checkpoints?.stop();
      await host.stop();
      await store.close();
    }
  }, 180_000);

  // The live files are looked for again every few seconds: a file made live meanwhile (a rebuild's) is checkpointed then.
  it('finds a file made live after it started, though the system clock was set back meanwhile', async () => {
    const root = path.join(data.dir, 'later');
    fs.mkdirSync(path.join(root, 'relayTasks'), { recursive: true });
    const checkpoints = checkpointEvery({ eventsFile: null, readModelsRoot: root, checkpointedAlongside: [], logIntervalMs: 20, readModelIntervalMs: 20 }, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200)); // its first look found no live file
    const clock = steppableSystemClock();
    clock.stepTo(-3_600_000);
    const file = ProjectionFile.create(path.join(root, 'relayTasks'), relayTasksProjection, 1, 'live');
    try {
      // What its writer wrote is in the WAL, below the writer's own threshold: copied back only by the checkpoints.
      const wal = sizeOf(`${file.file}-wal`);
      expect(sizeOf(file.file)).toBeLessThan(wal / 4);
      await eventually(() => sizeOf(file.file) > wal / 4, 'the file made live checkpointed', 10_000);
    } finally {
      clock.restore();
      checkpoints.stop();
      file.close();
    }
  });

  // Forwarding writes its state back in place when its file was deleted: a checkpoint of the file gone does nothing for it.
  it('follows a file put in place of the one it holds: the new file is checkpointed', async () => {
    const file = forwardingFile(data.dir);
    const fill = (db: Database.Database, from: number) => {
      const insert = db.prepare(
        `INSERT INTO deliveries (destination, event_id, event_type, stream, position, received_at, offered_at, origin, status, attempts, next_attempt_at, raw)
         VALUES ('receiver', ?, 'StreamPushed', 's', ?, 0, 0, 'log', 'pending', 0, 0, ?)`,
      );
      db.transaction(() => {
        for (let i = from; i < from + 2_000; i++) insert.run(`e${i}`, i, 'x'.repeat(2_000));
      })();
    };
    const first = openForwardingDb(file);
    fill(first, 0);
    const failures: string[] = [];
    const checkpoints = checkpointEvery(
      { eventsFile: null, readModelsRoot: readModelsRootOf(data.dir), checkpointedAlongside: [file], logIntervalMs: 20, readModelIntervalMs: 20 },
      (at, message) => failures.push(`${at}: ${message}`),
    );
    let second: Database.Database | null = null;
    try {
      await eventually(() => sizeOf(file) > 4_000_000, 'the first file checkpointed', 10_000);
      const replacement = `${file}.new`;
      openForwardingDb(replacement).close();
      for (const companion of ['', '-wal', '-shm']) fs.rmSync(`${file}${companion}`, { force: true });
      fs.renameSync(replacement, file);
      second = openForwardingDb(file);
      fill(second, 2_000);
      const wal = sizeOf(`${file}-wal`);
      expect(sizeOf(file)).toBeLessThan(wal / 4);
      await eventually(() => sizeOf(file) > wal / 4, 'the file now in place checkpointed', 10_000);
      expect(failures).toEqual([]);
    } finally {
      checkpoints.stop();
      second?.close();
      first.close();
    }
  }, 60_000);
});
