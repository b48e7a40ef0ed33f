// Runs the EventStore contract against the embedded store as the service runs it: appends on the ledger's writer thread, reads here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { LedgerThread } from '../../src/ledger/ledgerThread';
import { describeEventStoreContract } from './eventStore.contract';

describeEventStoreContract('sqlite on the ledger threads', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-thread-contract-'));
  const store = await LedgerThread.start(
    { eventsFile: path.join(dir, 'events.db'), readModelsRoot: path.join(dir, 'readmodels'), legacyFile: null },
    pino({ level: 'silent' }),
  );
  return {
    store,
    async cleanup() {
      await store.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
