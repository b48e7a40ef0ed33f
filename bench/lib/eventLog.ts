// A data folder's log read whole, from a copy: what the projector probes replay into fresh read-model files.
import fs from 'node:fs';
import path from 'node:path';
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';

/** Every event of `<dataDir>/events.db`, copied into `scratch` first: opening a log may write (WAL), and the data folder stays as it was. */
export async function readLogCopy(dataDir: string, scratch: string): Promise<RecordedEvent[]> {
  const file = path.join(scratch, 'events.db');
  fs.copyFileSync(path.join(dataDir, 'events.db'), file);
  const store = SqliteEventStore.open(file);
  try {
    const events: RecordedEvent[] = [];
    for (;;) {
      const page = await store.readAll({ after: events.at(-1)?.position ?? 0n, maxCount: 10_000 });
      if (page.length === 0) return events;
      events.push(...page);
    }
  } finally {
    await store.close();
  }
}
