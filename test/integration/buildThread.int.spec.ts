// Rebuilds beside live files on a thread of their own: a read model asked for meanwhile joins the build, a stop leaves
// the files where the thread committed them, and the resumed build swaps in the same rows as a build from scratch.
import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { ProjectionHost } from '../../src/processing/projectionHost';
import { openForReading, readCheckpoint, readMeta } from '../../src/processing/readModelFile';
import { PROJECTIONS } from '../../src/readmodels';
import { capturedLog } from '../support/capturedLog';
import { checkpointOf, liveDigests, liveFileOf } from '../support/readModelFiles';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

const REBUILT = ['sessions', 'relayTasks'];

/** The digest of each rebuilt read model's live file. */
const digests = (dir: string) => liveDigests(dir, REBUILT);

async function until(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 20_000 && Date.now() < deadline; attempt++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`not within ${timeoutMs} ms: ${what}`);
}

describe('a rebuild beside live files, on its own thread', () => {
  const data = tempDataDir();
  const eventsFile = path.join(data.dir, 'events.db');
  const root = path.join(data.dir, 'readmodels');
  let lastPosition: bigint;
  let before: Record<string, string>;

  const open = () => {
    const store = SqliteEventStore.open(eventsFile);
    const log = capturedLog();
    // Batches smaller than the service's: the thread commits often, so a stop finds it midway.
    const host = new ProjectionHost({ store, definitions: PROJECTIONS, root, logger: log.logger, buildBatchSize: 500, buildThread: { eventsFile, niceness: 5 } });
    host.start();
    return { store, host, log };
  };
  const close = async ({ store, host }: { store: SqliteEventStore; host: ProjectionHost }) => {
    await host.stop();
    await store.close();
  };
  const threadMessages = (log: ReturnType<typeof capturedLog>) =>
    log.logged().map((line) => String(line.msg)).filter((msg) => msg.includes('on a thread of its own'));

  beforeAll(async () => {
    const store = SqliteEventStore.open(eventsFile);
    ({ lastPosition } = await appendTraffic(store, { seed: 5, sessions: 12_000, relayTasks: 400 }));
    await store.close();
    // The first builds (nothing live yet) are made on the host's own thread.
    const first = open();
    await until(() => first.host.status().readModels.every((r) => r.phase === 'live' && r.position === lastPosition), 'the first builds', 180_000);
    expect(threadMessages(first.log)).toEqual([]);
    await close(first);
    before = digests(data.dir);
  }, 240_000);

  afterAll(() => data.remove());

  it('takes a read model asked for while the thread builds: the thread starts again with both, and both swap in unchanged', async () => {
    const running = open();
    const swapped: string[] = [];
    running.host.onServing((change) => swapped.push(change.readModel));
    try {
      running.host.rebuild(['sessions']);
      await until(() => threadMessages(running.log).length === 1, 'the thread started');
      running.host.rebuild(['relayTasks']);
      await until(() => swapped.length === 2, 'both swapped in', 120_000);
      expect(threadMessages(running.log)).toEqual(['building sessions on a thread of its own (nice 5)', 'building sessions, relayTasks on a thread of its own (nice 5)']);
      expect(swapped.sort()).toEqual(['relayTasks', 'sessions']);
      expect(running.host.status().readModels.filter((r) => REBUILT.includes(r.name)).map((r) => [r.phase, r.position])).toEqual([
        ['live', lastPosition],
        ['live', lastPosition],
      ]);
    } finally {
      await close(running);
    }
    expect(digests(data.dir)).toEqual(before);
  }, 180_000);

  it('stops with the host: the files keep what the thread committed, and the next start resumes them to the same rows', async () => {
    const first = open();
    let building: Record<string, string>;
    try {
      building = first.host.rebuild(REBUILT);
      // Stopped once the thread has committed a batch, before it is done: its commits read from the file itself.
      await until(() => (checkpointOf(building.sessions!)?.position ?? 0n) > 0n, 'the build under way');
    } finally {
      await close(first);
    }
    for (const file of Object.values(building)) {
      const db = openForReading(file);
      try {
        expect(readMeta(db)?.state).toBe('building');
        expect(readCheckpoint(db).position).toBeLessThan(lastPosition);
      } finally {
        db.close();
      }
    }

    const resumed = open();
    try {
      await until(() => resumed.host.status().readModels.every((r) => r.phase === 'live' && r.rebuild === null), 'the resumed builds live', 120_000);
      expect(threadMessages(resumed.log)).toEqual(['building sessions, relayTasks on a thread of its own (nice 5)']);
      expect(Object.fromEntries(REBUILT.map((name) => [name, liveFileOf(data.dir, name)]))).toEqual(building);
    } finally {
      await close(resumed);
    }
    expect(digests(data.dir)).toEqual(before);
  }, 180_000);
});
