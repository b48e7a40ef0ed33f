import Database from 'better-sqlite3';
import path from 'node:path';
import { readModelDigest } from '../../src/readmodel/readModelDigest';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { seedExamples } from '../support/seedExamples';
import { runCli } from '../support/serviceProcess';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

describe('npm run rebuild (node dist/cli.js rebuild)', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('replays the log into read models identical to the ones built live', async () => {
    const service = await startTestService(data.dir);
    let liveDigest: string;
    try {
      for (const example of seedExamples()) await postAndProject(service, example.raw);
      const traffic = generateTraffic({ seed: 7, sessions: 120, relayTasks: 40 });
      for (let i = 0; i < traffic.length; i += 20) {
        await Promise.all(traffic.slice(i, i + 20).map(({ body }) => postAndProject(service, body)));
      }
      const counts = service.readModels
        .prepare("SELECT (SELECT count(*) FROM sessions) s, (SELECT count(*) FROM relay_tasks) t, (SELECT count(*) FROM relay_exits) e")
        .get() as { s: number; t: number; e: number };
      expect(counts.s).toBe(121);
      expect(counts.t).toBe(42);
      expect(counts.e).toBeGreaterThan(1);
      liveDigest = readModelDigest(service.readModels);
    } finally {
      await service.close();
    }

    const run = runCli(['rebuild'], { DATA_DIR: data.dir });
    expect((await run.exited).code).toBe(0);
    const digest = /digest ([0-9a-f]{64})/.exec(run.output())?.[1];
    expect(run.output()).toMatch(/rebuilt: \d+ events in [\d.]+ s \(\d+ events\/s\)/);
    expect(digest).toBe(liveDigest);

    const rebuilt = new Database(path.join(data.dir, 'readmodels.db'), { readonly: true });
    try {
      expect(readModelDigest(rebuilt)).toBe(liveDigest);
    } finally {
      rebuilt.close();
    }
  }, 60_000);
});
