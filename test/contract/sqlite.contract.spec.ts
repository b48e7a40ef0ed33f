// Runs the EventStore contract against the embedded SQLite adapter, on a real file in a fresh temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { describeEventStoreContract } from './eventStore.contract';

describeEventStoreContract('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-contract-'));
  const store = SqliteEventStore.open(path.join(dir, 'events.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
