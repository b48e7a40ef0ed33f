// The live read models in two lanes: a slow background read model never holds up the foreground ones, never gets
// ahead of them, and is brought up to the log's head like them at shutdown.
import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { column, table } from '../../src/processing/table';
import { defineProjection, type ProjectionDefinition } from '../../src/processing/projectionDefinition';
import { ProjectionHost } from '../../src/processing/projectionHost';
import { openForReading, readCheckpoint } from '../../src/processing/readModelFile';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

const EVERY_TYPE = ['StreamPushed', 'StreamInterrupted', 'RelayTaskStarted', 'RelayTaskExited', 'RelayVodFileStarted', 'RelayVodFileFinished', 'RelayTaskAlarmRaised'];

/** A read model that notes each event it applies. */
function noting(name: string, msPerEvent: number): ProjectionDefinition<bigint> {
  const applied = table(`${name}_applied`, { position: column.position() }, { primaryKey: ['position'] });
  return defineProjection<bigint>({
    name,
    version: 1,
    canHandle: EVERY_TYPE,
    tables: [applied],
    open: (db) => {
      const insert = applied.inserter(db);
      return {
        apply(events) {
          for (const event of events) {
            // The cost of a heavy view, on the projector's thread.
            const until = performance.now() + msPerEvent;
            while (performance.now() < until);
            insert({ position: event.position });
          }
          return events.map((event) => event.position);
        },
      };
    },
  });
}

const positionOf = (host: ProjectionHost, name: string): bigint => host.status().readModels.find((r) => r.name === name)!.position ?? 0n;

describe('live read models in a foreground and a background lane', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  async function startHost(dir: string) {
    const store = SqliteEventStore.open(path.join(dir, 'events.db'));
    const host = new ProjectionHost({
      store,
      definitions: [noting('feed', 0), { ...noting('analysis', 4), background: true }],
      root: path.join(dir, 'readmodels'),
      backgroundBatchSize: 10,
    });
    host.start();
    // An empty log: both first builds have nothing to catch up and go live.
    await host.settled(5_000);
    expect(host.status().readModels.map((r) => [r.name, r.phase])).toEqual([['feed', 'live'], ['analysis', 'live']]);
    return { store, host };
  }

  it('keeps the foreground read models at the log head while the background one works behind them, never ahead', async () => {
    const { store, host } = await startHost(path.join(data.dir, 'lanes'));
    const published: string[] = [];
    host.onChanges((changes) => published.push(...changes.map((c) => c.readModel)));
    let overtaken = false;
    host.onApplied(() => {
      if (positionOf(host, 'analysis') > positionOf(host, 'feed')) overtaken = true;
    });
    try {
      const { events, lastPosition } = await appendTraffic(store, { seed: 11, sessions: 80, relayTasks: 10 });
      expect(events).toBeGreaterThan(150); // at 4 ms each, the background read model needs over half a second

      // The feed reaches the head while the analysis still has most of the log ahead of it.
      const feedDone = Date.now() + 20_000;
      while (positionOf(host, 'feed') < lastPosition && Date.now() < feedDone) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(positionOf(host, 'feed')).toBe(lastPosition);
      expect(positionOf(host, 'analysis')).toBeLessThan(lastPosition);
      expect(host.status().position).toBe(positionOf(host, 'analysis'));
      expect(host.status().processors.map((p) => p.name).sort()).toEqual(['background projections', 'projections']);

      // Waiting for a position waits for both lanes.
      await host.waitForPosition(lastPosition);
      expect(positionOf(host, 'analysis')).toBe(lastPosition);
      expect(overtaken).toBe(false);
      // Each read model's changes were published, the feed's first.
      expect(published.indexOf('feed')).toBeLessThan(published.indexOf('analysis'));
      expect(published.filter((name) => name === 'feed')).not.toHaveLength(0);
    } finally {
      await host.stop();
      await store.close();
    }
  });

  it('announces, while read models are rebuilt beside their live files, only what is new: the replayed history is not news', async () => {
    const { store, host } = await startHost(path.join(data.dir, 'rebuild'));
    try {
      const history = await appendTraffic(store, { seed: 14, sessions: 40, relayTasks: 5 });
      await host.waitForPosition(history.lastPosition);
      const announced: Array<[string, bigint]> = [];
      host.onChanges((changes) => announced.push(...changes.map(({ readModel, change }): [string, bigint] => [readModel, change as bigint])));
      const swapped = new Set<string>();
      host.onServing((change) => swapped.add(change.readModel));

      const building = host.rebuild(['feed', 'analysis']);
      const fresh = await appendTraffic(store, { seed: 15, sessions: 20, relayTasks: 0 });
      const deadline = Date.now() + 30_000;
      while (swapped.size < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await host.waitForPosition(fresh.lastPosition);
      expect(host.servingFiles()).toEqual(building);

      const news = (await store.readAll({ after: history.lastPosition })).filter((e) => EVERY_TYPE.includes(e.type)).map((e) => e.position);
      expect(news.length).toBeGreaterThan(20);
      for (const name of ['feed', 'analysis']) {
        const positions = announced.filter(([readModel]) => readModel === name).map(([, position]) => position);
        // Nothing of the history again (before, every state of it was announced a second time), and all that is new.
        expect([name, positions.filter((position) => position <= history.lastPosition)]).toEqual([name, []]);
        expect([name, [...new Set(positions)].sort((a, b) => (a < b ? -1 : 1))]).toEqual([name, news]);
      }
    } finally {
      await host.stop();
      await store.close();
    }
  });

  it('brings both lanes to the log head at a shutdown that catches up, and each resumes from its own checkpoint', async () => {
    const dir = path.join(data.dir, 'shutdown');
    let { store, host } = await startHost(dir);
    const { lastPosition } = await appendTraffic(store, { seed: 12, sessions: 60, relayTasks: 0 });
    const files = host.servingFiles();
    await host.stop({ catchUp: true });
    await store.close();
    for (const name of ['feed', 'analysis']) {
      const db = openForReading(files[name]!);
      expect([name, readCheckpoint(db).position]).toEqual([name, lastPosition]);
      db.close();
    }

    ({ store, host } = await startHost(dir));
    try {
      const more = await appendTraffic(store, { seed: 13, sessions: 20, relayTasks: 0 });
      await host.waitForPosition(more.lastPosition);
      expect(positionOf(host, 'analysis')).toBe(more.lastPosition);
    } finally {
      await host.stop();
      await store.close();
    }
  });
});
