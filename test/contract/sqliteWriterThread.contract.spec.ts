// Runs the EventStore contract against the embedded store as the service runs it: appends on its writer thread, reads here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteWriterThread } from '../../src/eventstore/sqlite/sqliteWriterThread';
import { describeEventStoreContract } from './eventStore.contract';

describeEventStoreContract('sqlite with its writer thread', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-writer-thread-contract-'));
  const store = await SqliteWriterThread.start(path.join(dir, 'events.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
