import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { checkpointOf, liveDigest, READ_MODEL_NAMES, readModelsRootOf, referenceRebuild } from '../support/readModelFiles';
import { runCli } from '../support/serviceProcess';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

/** The lowest checkpoint of the read models' first builds (a fresh DATA_DIR builds generation 1 of each). */
function readCheckpoint(dataDir: string): { position: bigint; eventsApplied: number } | undefined {
  const checkpoints = READ_MODEL_NAMES.map((name) => checkpointOf(path.join(readModelsRootOf(dataDir), name, 'v1.1.db')));
  if (checkpoints.some((c) => c === undefined)) return undefined;
  return checkpoints.reduce((low, c) => (c!.position < low!.position ? c : low));
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

describe('the projector killed between append and projection', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('resumes from its checkpoint after kill -9: no event skipped, none applied twice', async () => {
    // Events appended while no projector ran: the service was down, or died right after the append.
    const store = SqliteEventStore.open(path.join(data.dir, 'events.db'));
    const { events, lastPosition } = await appendTraffic(store, { seed: 11, sessions: 20_000, relayTasks: 2_000 });
    const readModels = data.dir;

    const first = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, LOG_LEVEL: 'warn' });
    const midway = await until(() => {
      const checkpoint = readCheckpoint(readModels);
      return checkpoint !== undefined && checkpoint.position > 0n ? checkpoint : undefined;
    }, 20_000);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const afterKill = readCheckpoint(readModels)!;
    expect(afterKill.position).toBeGreaterThanOrEqual(midway.position);
    expect(afterKill.position).toBeLessThan(lastPosition); // killed in the middle of catching up

    const second = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, LOG_LEVEL: 'warn' });
    try {
      await until(() => {
        const checkpoint = readCheckpoint(readModels);
        return checkpoint !== undefined && checkpoint.position === lastPosition ? checkpoint : undefined;
      }, 60_000, 50);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    const final = readCheckpoint(readModels)!;
    expect(final.eventsApplied).toBe(events);
    for (const name of READ_MODEL_NAMES) expect(checkpointOf(path.join(readModelsRootOf(data.dir), name, 'v1.1.db'))).toEqual(final);
    const rebuilt = await referenceRebuild(store, path.join(data.dir, 'reference'));
    await store.close();
    expect(liveDigest(data.dir)).toBe(rebuilt.digest);
  }, 120_000);
});
