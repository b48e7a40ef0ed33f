// A rebuild parses only the events its read models read, and still leaves every one of them at the log's head.
import path from 'node:path';
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import type { LogSource } from '../../src/processing/processor';
import { readModelDigest } from '../../src/processing/readModelDigest';
import { rebuildHere } from '../../src/processing/rebuild';
import { openForReading, readCheckpoint } from '../../src/processing/readModelFile';
import { PROJECTIONS } from '../../src/readmodels';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { liveFileOf, readModelsRootOf } from '../support/readModelFiles';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

/** The store, with every event it delivers to a subscription kept aside. */
function watched(store: SqliteEventStore): { source: LogSource; delivered: RecordedEvent[] } {
  const delivered: RecordedEvent[] = [];
  const source: LogSource = {
    readAll: (options) => store.readAll(options),
    headPosition: () => store.headPosition(),
    async *subscribeToAll(options) {
      for await (const event of store.subscribeToAll(options)) {
        delivered.push(event);
        yield event;
      }
    },
  };
  return { source, delivered };
}

function digestsOf(dataDir: string, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    PROJECTIONS.filter((d) => names.includes(d.name)).map((definition) => {
      const db = openForReading(liveFileOf(dataDir, definition.name));
      try {
        return [definition.name, readModelDigest(db, definition)];
      } finally {
        db.close();
      }
    }),
  );
}

describe('a rebuild of some read models', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('parses only the events of their types, builds them as they were built live, and leaves each at the head', async () => {
    const names = ['sessions', 'pushAnomalies'];
    const service = await startTestService(data.dir);
    try {
      const traffic = generateTraffic({ seed: 5, sessions: 40, relayTasks: 20 });
      for (let i = 0; i < traffic.length; i += 20) {
        await Promise.all(traffic.slice(i, i + 20).map(({ body }) => postAndProject(service, body)));
      }
    } finally {
      await service.close();
    }
    const built = digestsOf(data.dir, names);

    const store = SqliteEventStore.open(path.join(data.dir, 'events.db'));
    try {
      const all = await store.readAll({ maxCount: 1_000_000 });
      // The log ends with relay callbacks, which neither read model reads; push anomalies has no event of its types at all.
      const read = new Set(PROJECTIONS.filter((d) => names.includes(d.name)).flatMap((d) => d.canHandle));
      expect(all.some((event) => read.has(event.type))).toBe(true);
      expect(all.filter((event) => !read.has(event.type)).length).toBeGreaterThan(20);
      expect(read.has(all[all.length - 1]!.type)).toBe(false);
      const head = await store.headPosition();

      const { source, delivered } = watched(store);
      const result = await rebuildHere(source, { root: readModelsRootOf(data.dir), definitions: PROJECTIONS, names });

      expect(delivered.filter((event) => !read.has(event.type) && Object.keys(event.data).length > 0)).toEqual([]);
      expect(delivered.filter((event) => read.has(event.type)).every((event) => Object.keys(event.data).length > 0)).toBe(true);
      expect(result.position).toBe(head);
      expect(result.eventsApplied).toBe(all.length);
      for (const name of names) {
        const db = openForReading(result.files[name]!);
        try {
          expect(readCheckpoint(db)).toEqual({ position: head, eventsApplied: all.length });
        } finally {
          db.close();
        }
      }
      expect(digestsOf(data.dir, names)).toEqual(built);
    } finally {
      await store.close();
    }
  }, 60_000);
});
