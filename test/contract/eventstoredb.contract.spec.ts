// Runs the EventStore contract against a real EventStoreDB when EVENTSTORE_CONNECTION_STRING is set; otherwise says it was skipped.
import pino from 'pino';
import { EventStoreDbEventStore } from '../../src/eventstore/eventstoredb/eventStoreDbEventStore';
import { LEDGER_STREAM_PREFIXES } from '../../src/eventstore/eventstoredb/eventStoreDbMapping';
import { describeEventStoreContract } from './eventStore.contract';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING?.trim();

/** The contract writes `contract<label>-<uuid>` streams: the adapter's $all filter must let them through. */
const CONTRACT_STREAM_PREFIXES = [...LEDGER_STREAM_PREFIXES, 'contract'];

if (connectionString) {
  jest.setTimeout(30_000); // a real server: every append is a network round trip and an fsync, and one test makes 100
  describeEventStoreContract(`eventstoredb (${connectionString.replace(/\/\/[^@/]*@/, '//')})`, async () => {
    const store = EventStoreDbEventStore.connect(connectionString, {
      streamPrefixes: CONTRACT_STREAM_PREFIXES,
      logger: pino({ level: 'warn' }),
    });
    return { store, cleanup: () => store.close() };
  });
} else {
  // Straight to stderr: Jest drops console output of a file whose tests are all skipped.
  process.stderr.write(
    'EventStoreDB contract suite skipped: EVENTSTORE_CONNECTION_STRING is not set. To run it: ' +
      '`docker compose up -d eventstore` then `EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false npm test`\n',
  );
  describe('EventStore contract: eventstoredb', () => {
    it.skip('needs EVENTSTORE_CONNECTION_STRING (docker compose up -d eventstore)', () => undefined);
  });
}
