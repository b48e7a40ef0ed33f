import Database from 'better-sqlite3';
import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqliteEventStore';
import { readModelDigest } from '../../src/readmodel/readModelDigest';
import { rebuildReadModels } from '../../src/readmodel/rebuildReadModels';
import { runCli } from '../support/serviceProcess';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

function readCheckpoint(file: string): { position: bigint; eventsApplied: bigint } | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const row = db.prepare('SELECT position, events_applied FROM projector_checkpoint').safeIntegers(true).get() as
      | { position: bigint; events_applied: bigint }
      | undefined;
    return row === undefined ? undefined : { position: row.position, eventsApplied: row.events_applied };
  } catch {
    return undefined; // not created yet
  } finally {
    db?.close();
  }
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
    const readModels = path.join(data.dir, 'readmodels.db');

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
    expect(final.eventsApplied).toBe(BigInt(events));
    const rebuilt = await rebuildReadModels(store, path.join(data.dir, 'reference', 'readmodels.db'));
    await store.close();
    const db = new Database(readModels, { readonly: true });
    try {
      expect(readModelDigest(db)).toBe(rebuilt.digest);
    } finally {
      db.close();
    }
  }, 120_000);
});
