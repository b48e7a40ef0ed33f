// The WAL checkpoints' own thread (with EventStoreDB; the embedded store's are made on the background read models' thread):
// the live read models, and a log when given one, copied back into their files while their writers go on.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { WalCheckpoints } from '../../src/ledger/walCheckpoints';
import { ProjectionHost } from '../../src/processing/projectionHost';
import { PROJECTIONS } from '../../src/readmodels';
import { eventually } from '../support/forwardingLog';
import { liveDigests, liveFileOf, READ_MODEL_NAMES, readModelsRootOf } from '../support/readModelFiles';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

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

      checkpoints = new WalCheckpoints({ eventsFile, readModelsRoot: readModelsRootOf(data.dir), logIntervalMs: 50, readModelIntervalMs: 50 });
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
});
