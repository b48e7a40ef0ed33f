import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { rebuildHere, rebuildThroughService, type BuildProgress } from '../../src/processing/rebuild';
import { PROJECTIONS } from '../../src/readmodels';
import { appendTraffic } from '../support/trafficLog';
import { answerRebuildRequests } from '../../src/processing/rebuildRequests';
import { liveDigest, servedDigest } from '../support/readModelFiles';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { seedExamples } from '../support/seedExamples';
import { runCli } from '../support/serviceProcess';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';
import { steppableSystemClock } from '../support/systemClock';

describe('npm run rebuild (node dist/cli.js rebuild)', () => {
  // Its own life cycle: the service is stopped inside the test so that the CLI can rebuild its folder.
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('replays the log into read models identical to the ones built live', async () => {
    const service = await startTestService(data.dir);
    let digestLive: string;
    try {
      for (const example of seedExamples()) await postAndProject(service, example.raw);
      const traffic = generateTraffic({ seed: 7, sessions: 120, relayTasks: 40 });
      for (let i = 0; i < traffic.length; i += 20) {
        await Promise.all(traffic.slice(i, i + 20).map(({ body }) => postAndProject(service, body)));
      }
      const count = (readModel: string, table: string) => service.readModels.database(readModel).prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      expect(count('sessions', 'sessions')).toBe(121);
      expect(count('relayTasks', 'relay_tasks')).toBe(42);
      expect(count('relayTasks', 'relay_exits')).toBeGreaterThan(1);
      digestLive = servedDigest(service.readModels);
    } finally {
      await service.close();
    }

    const run = runCli(['rebuild'], { DATA_DIR: data.dir });
    expect((await run.exited).code).toBe(0);
    const digest = /digest ([0-9a-f]{64})/.exec(run.output())?.[1];
    expect(run.output()).toMatch(/rebuilt: \d+ events in [\d.]+ s \(\d+ events\/s\)/);
    expect(digest).toBe(digestLive);
    expect(liveDigest(data.dir)).toBe(digestLive);
  }, 60_000);

  it("times itself on one clock: the threads' wall clock set back an hour does not make the time it prints", async () => {
    const folder = path.join(data.dir, 'timed');
    const service = await startTestService(folder);
    try {
      for (const example of seedExamples()) await postAndProject(service, example.raw);
    } finally {
      await service.close();
    }
    // Every thread but the main one sees the system clock an hour back, as a step during the rebuild would show it.
    const preload = path.join(data.dir, 'clockBackInThreads.cjs');
    writeFileSync(preload, "if (!require('node:worker_threads').isMainThread) { const real = Date.now; Date.now = () => real() - 3600000; }\n");
    const run = runCli(['rebuild'], { DATA_DIR: folder, NODE_OPTIONS: `--require ${preload}` });
    expect((await run.exited).code).toBe(0);
    const seconds = Number(/rebuilt: \d+ events in (-?[\d.]+) s/.exec(run.output())?.[1]);
    // Building ten read models takes some time: a zero here is the threads' clock against the main thread's.
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(60);
  }, 60_000);

  it('refuses a DATA_DIR without an event log, and leaves it uncreated', async () => {
    const missing = path.join(data.dir, 'mistyped');
    const run = runCli(['rebuild'], { DATA_DIR: missing });
    expect((await run.exited).code).toBe(1);
    expect(run.output().trim()).toBe(`there is no event log to rebuild from: ${path.join(missing, 'events.db')} does not exist (is DATA_DIR the service's data folder?)`);
    expect(existsSync(missing)).toBe(false);
  });

  it("waits its whole time for a running service's answer, though the system clock is set forward meanwhile", async () => {
    const root = path.join(data.dir, 'readmodels-asked');
    const clock = steppableSystemClock();
    try {
      const asked = rebuildThroughService({ root, definitions: [], names: ['sessions'], answerTimeoutMs: 5_000, serviceRunning: () => true });
      clock.stepTo(3_600_000);
      setTimeout(() => answerRebuildRequests(root, () => ({ accepted: false, reason: 'sessions is being built already' })), 300);
      // The service's own answer, not a timeout: an hour's step of the wall clock is not 5 s of waiting.
      await expect(asked).rejects.toThrow('the running service refused the rebuild: sessions is being built already');
    } finally {
      clock.restore();
    }
  });

  it('says where its builds stand after each batch while it replays the log, not only once they are live', async () => {
    const store = SqliteEventStore.open(path.join(data.dir, 'batches', 'events.db'));
    try {
      const { lastPosition } = await appendTraffic(store, { seed: 5, sessions: 20_000, relayTasks: 200 });
      const said: BuildProgress[][] = [];
      const root = path.join(data.dir, 'batches', 'readmodels');
      await rebuildHere(store, { root, definitions: PROJECTIONS, names: ['sessions'], onProgress: (progress) => said.push(progress), progressIntervalMs: 0 });
      // A build reads the log in batches of 20,000 events: it says where it stands between them, and not only where the
      // log's last, partial batch let a timer run.
      expect(lastPosition).toBeGreaterThan(40_000n);
      const midway = new Set(said.flat().filter((build) => build.phase === 'building' && build.position < lastPosition).map((build) => build.position));
      expect([...midway].sort()).toEqual([20_000n, 40_000n]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
