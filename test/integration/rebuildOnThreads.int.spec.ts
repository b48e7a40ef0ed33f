import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import type { BuildProgress } from '../../src/processing/rebuild';
import { rebuildGroups, rebuildOnThreads } from '../../src/processing/rebuildOnThreads';
import { PROJECTIONS } from '../../src/readmodels';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { liveDigest, READ_MODEL_NAMES, readModelsRootOf, referenceRebuild } from '../support/readModelFiles';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

describe('rebuild on several threads', () => {
  const data = tempDataDir();
  const reference = tempDataDir();
  afterAll(() => {
    data.remove();
    reference.remove();
  });

  it('deals the read models out so that the costliest, insights and timeline, are built on different threads', () => {
    const groups = rebuildGroups(READ_MODEL_NAMES, 2);
    expect(groups).toHaveLength(2);
    expect(groups.flat().sort()).toEqual([...READ_MODEL_NAMES].sort());
    const threadOf = (name: string) => groups.findIndex((group) => group.includes(name));
    expect(threadOf('insights')).not.toBe(threadOf('timeline'));
    expect(rebuildGroups(['sessions'], 2)).toEqual([['sessions']]);
  });

  it('deals by cost: insights, the costliest, has a thread of its own when the others together cost about as much', () => {
    expect(rebuildGroups(['sessions', 'relayTasks', 'timeline', 'insights'], 2)).toEqual([['insights'], ['sessions', 'relayTasks', 'timeline']]);
    expect(rebuildGroups(['callbackLog', 'sessions', 'timeline', 'insights'], 3)).toEqual([['insights'], ['timeline'], ['callbackLog', 'sessions']]);
  });

  it('builds read models identical to a build on one thread, each thread swapping its own in', async () => {
    const service = await startTestService(data.dir);
    try {
      const traffic = generateTraffic({ seed: 11, sessions: 60, relayTasks: 20 });
      for (let i = 0; i < traffic.length; i += 20) {
        await Promise.all(traffic.slice(i, i + 20).map(({ body }) => postAndProject(service, body)));
      }
    } finally {
      await service.close();
    }
    const eventsFile = path.join(data.dir, 'events.db');
    const store = SqliteEventStore.open(eventsFile);
    let expected: string;
    try {
      expected = (await referenceRebuild(store, reference.dir)).digest;
    } finally {
      await store.close();
    }

    const progress: BuildProgress[][] = [];
    const result = await rebuildOnThreads({
      eventsFile,
      root: readModelsRootOf(data.dir),
      definitions: PROJECTIONS,
      names: READ_MODEL_NAMES,
      threads: 2,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 0,
    });
    expect(Object.keys(result.files).sort()).toEqual([...READ_MODEL_NAMES].sort());
    // Both threads said where their builds stood, in the read models' own order, never going back, never past the end,
    // and that each was digesting its rows at the log's head once built.
    expect(progress.at(-1)!).toEqual(READ_MODEL_NAMES.map((readModel) => ({ readModel, position: result.position, phase: 'digesting' })));
    for (const name of READ_MODEL_NAMES) {
      const positions = progress.map((p) => p.find((q) => q.readModel === name)?.position).filter((at) => at !== undefined);
      expect(positions.every((at, i) => at <= result.position && (i === 0 || at >= positions[i - 1]!))).toBe(true);
    }
    expect(result.eventsApplied).toBeGreaterThan(100);
    expect(result.digest).toBe(expected);
    expect(liveDigest(data.dir)).toBe(expected);
  }, 60_000);
});
