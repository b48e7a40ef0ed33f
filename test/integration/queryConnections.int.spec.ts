// The connections queries read through: a small page cache each (the kernel's cache holds the files), a large one
// for the read models whose answers read the same pages again (statistics, large rows), kept across a swap to a new file.
import Database from 'better-sqlite3';
import path from 'node:path';
import { QUERY_CACHE_KIB } from '../../src/processing/readModelFile';
import { ServedReadModels } from '../../src/processing/servedReadModels';
import { READ_MODELS } from '../../src/readmodels';
import { postAndProject, tempDataDir, useTestService } from '../support/testService';

const cacheKiBOf = (db: Database.Database): number => -Number(db.pragma('cache_size', { simple: true }));

describe('the service answers queries through connections sized to what they read', () => {
  const fixture = useTestService();

  beforeAll(async () => {
    await postAndProject(fixture.service, { event_type: 1, sequence: '901', stream_id: 'cache' });
  });

  it('keeps 2 MiB of pages a read model, and 16 MiB for the statistics of insights and the large rows of relay tasks', () => {
    const sizes = Object.fromEntries(Object.keys(READ_MODELS).map((name) => [name, cacheKiBOf(fixture.service.readModels.database(name))]));
    const expected = Object.fromEntries(Object.keys(READ_MODELS).map((name) => [name, name === 'insights' || name === 'relayTasks' ? 16 * 1024 : QUERY_CACHE_KIB]));
    expect(sizes).toEqual(expected);
    expect(QUERY_CACHE_KIB).toBe(2048);
  });

  it('answers through them', async () => {
    const response = await fetch(`${fixture.service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ session(sequence: "901") { streamId } }' }),
    });
    expect(await response.json()).toEqual({ data: { session: { streamId: 'cache' } } });
  });
});

describe('a read model swapped to a new file', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('is read through a connection with the same page cache as before', () => {
    const files = ['old-sessions.db', 'new-sessions.db', 'old-insights.db', 'new-insights.db'].map((name) => path.join(data.dir, name));
    for (const file of files) new Database(file).close();
    const [oldSessions, newSessions, oldInsights, newInsights] = files as [string, string, string, string];
    const served = new ServedReadModels({ sessions: oldSessions, insights: oldInsights }, undefined, { insights: 8192 });
    try {
      served.swap({ readModel: 'sessions', file: newSessions, retired: null });
      served.swap({ readModel: 'insights', file: newInsights, retired: null });
      expect([served.file('sessions'), cacheKiBOf(served.database('sessions'))]).toEqual([newSessions, QUERY_CACHE_KIB]);
      expect([served.file('insights'), cacheKiBOf(served.database('insights'))]).toEqual([newInsights, 8192]);
    } finally {
      served.close();
    }
  });
});
