// Two processors that believe they own the same read-model file: the checkpoint write is guarded by the previous
// position, so only one commits each batch; the other rolls back and stops, saying why.
import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { Processor } from '../../src/processing/processor';
import { ProjectionSet } from '../../src/processing/projectionSet';
import { CheckpointConflictError, ProjectionFile, readCheckpoint } from '../../src/processing/readModelFile';
import { readModelDigest } from '../../src/processing/readModelDigest';
import { sessionsProjection } from '../../src/readmodels/sessions/sessions.projection';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

describe('the guarded checkpoint of a read-model file', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('lets the second of two writers that read the same position commit nothing', async () => {
    const store = SqliteEventStore.open(path.join(data.dir, 'events.db'));
    const { lastPosition } = await appendTraffic(store, { seed: 3, sessions: 20, relayTasks: 0 });
    const events = await store.readAll({ maxCount: 1000 });
    const folder = path.join(data.dir, 'readmodels', 'sessions');
    const first = ProjectionFile.create(folder, sessionsProjection, 1, 'live');
    const second = ProjectionFile.open(first.file, sessionsProjection);
    try {
      first.apply(events.slice(0, 10));
      expect(() => second.apply(events.slice(0, 20))).toThrow(CheckpointConflictError);
      expect(() => second.apply(events.slice(0, 20))).toThrow(/two processors believe they own it/);
      // The loser's rows rolled back with its checkpoint: the file holds what the first wrote, and only that.
      expect(readCheckpoint(first.db)).toEqual({ position: events[9]!.position, eventsApplied: 10 });
      first.apply(events);
      expect(readCheckpoint(first.db)).toEqual({ position: lastPosition, eventsApplied: events.length });
    } finally {
      first.close();
      second.close();
      await store.close();
    }
  });

  it('stops the processor that lost, with the reason, while the other goes on', async () => {
    const dir = path.join(data.dir, 'race');
    const store = SqliteEventStore.open(path.join(dir, 'events.db'));
    const folder = path.join(dir, 'readmodels', 'sessions');
    const file = ProjectionFile.create(folder, sessionsProjection, 1, 'live');
    const sets = [new ProjectionSet(['sessions']), new ProjectionSet(['sessions'])];
    sets[0]!.add(file);
    sets[1]!.add(ProjectionFile.open(file.file, sessionsProjection));
    const processors = sets.map((set, i) => new Processor(store, set, { name: `projections ${i}`, batchSize: 50 }));
    try {
      processors.forEach((p) => p.start());
      const { lastPosition } = await appendTraffic(store, { seed: 4, sessions: 300, relayTasks: 0 });
      const deadline = Date.now() + 20_000;
      while (!processors.some((p) => p.status().phase === 'stopped') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const stopped = processors.filter((p) => p.status().phase === 'stopped');
      expect(stopped).toHaveLength(1);
      expect(stopped[0]!.status().lastError).toMatch(/was moved past position \d+ by another writer: two processors believe they own it/);
      const winner = processors.find((p) => p.status().phase !== 'stopped')!;
      await winner.waitForPosition(lastPosition);

      // Every event applied once: the rows equal those of a file built by one writer alone.
      const alone = ProjectionFile.create(path.join(dir, 'alone'), sessionsProjection, 1, 'live');
      try {
        alone.apply(await store.readAll({ maxCount: 100_000 }));
        expect(readModelDigest(file.db, sessionsProjection)).toBe(readModelDigest(alone.db, sessionsProjection));
      } finally {
        alone.close();
      }
    } finally {
      for (const processor of processors) await processor.stop();
      sets.forEach((set) => set.close());
      await store.close();
    }
  });
});
