// A processor catching up on the embedded log leaves its thread's timers and messages a turn between batches.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { Processor, type BatchHandler } from '../../src/processing/processor';
import { tempDataDir } from '../support/testService';

/** Handles each batch at once, as the projections do (SQLite's writes are synchronous). */
class Counter implements BatchHandler {
  handled = 0;
  private position = 0n;
  checkpoint(): bigint {
    return this.position;
  }
  handle(events: readonly RecordedEvent[]): void {
    this.handled += events.length;
    this.position = events[events.length - 1]!.position;
  }
}

describe('a processor catching up on the embedded log', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('lets a timer of its thread run between batches, not only once it has reached the head', async () => {
    const store = SqliteEventStore.open(path.join(data.dir, 'events.db'));
    const counter = new Counter();
    const processor = new Processor(store, counter, { name: 'turns', batchSize: 500 });
    try {
      for (let i = 0; i < 10; i++) {
        await store.appendToStream(`session-${i}`, Array.from({ length: 500 }, (_, n) => ({ id: randomUUID(), type: 'Counted', data: { n } })));
      }
      // Reads of the embedded log answer at once: without a turn between batches, this timer waited for all 5,000.
      const handledWhenTimerRan = new Promise<number>((resolve) => setTimeout(() => resolve(counter.handled), 0));
      processor.start();
      expect(await handledWhenTimerRan).toBeLessThan(5_000);
      await processor.waitForPosition(5_000n);
      expect(counter.handled).toBe(5_000);
    } finally {
      await processor.stop();
      await store.close();
    }
  });
});
