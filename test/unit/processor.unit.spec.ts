// The processor loop with a handler that is not a read model (as a forwarder is): its own checkpoint, batches in log order,
// retries from the checkpoint, a stop on a lost checkpoint, and its phase, position and lag.
import type { Logger } from 'pino';
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { FatalProcessingError, Processor, type BatchHandler } from '../../src/processing/processor';
import { MemoryLog } from '../support/memoryLog';

/** Delivers events somewhere (here: a list), one batch at a time, and keeps its own checkpoint. */
class Forwarder implements BatchHandler {
  delivered: bigint[] = [];
  batches = 0;
  inFlight = 0;
  overlapped = false;
  failAt: bigint | null = null;
  fatalAt: bigint | null = null;
  /** Resolved by the test to let a held batch finish. */
  hold: Promise<void> | null = null;
  private position = 0n;

  checkpoint(): bigint {
    return this.position;
  }

  async handle(events: readonly RecordedEvent[]): Promise<void> {
    this.inFlight++;
    this.overlapped ||= this.inFlight > 1;
    try {
      await new Promise((resolve) => setImmediate(resolve)); // a network call
      if (this.hold !== null) await this.hold;
      for (const event of events) {
        if (event.position === this.fatalAt) throw new FatalProcessingError(`destination gone at ${event.position}`);
        if (event.position === this.failAt) {
          this.failAt = null;
          throw new Error(`delivery of ${event.position} failed`);
        }
        this.delivered.push(event.position);
        this.position = event.position;
      }
      this.batches++;
    } finally {
      this.inFlight--;
    }
  }
}

const positions = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i));

/** Waits until the condition holds, a turn at a time, for at most 10 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a processor', () => {
  it('hands every event once, in log order, in batches, and resumes from the handler’s own checkpoint', async () => {
    const log = new MemoryLog();
    const forwarder = new Forwarder();
    log.append(25);
    const first = new Processor(log, forwarder, { name: 'forwarder', batchSize: 10 });
    first.start();
    await first.waitForPosition(25n);
    log.append(5);
    await first.waitForPosition(30n);
    await first.stop();
    expect(forwarder.delivered).toEqual(positions(1, 30));
    expect(forwarder.batches).toBeGreaterThanOrEqual(3);
    expect(forwarder.overlapped).toBe(false); // an async batch is awaited before the next is handed over

    log.append(5);
    const second = new Processor(log, forwarder, { name: 'forwarder', batchSize: 10 });
    second.start();
    await second.waitForPosition(35n);
    await second.stop();
    expect(forwarder.delivered).toEqual(positions(1, 35));
    expect(second.status()).toMatchObject({ phase: 'stopped', position: 35n, eventsApplied: 5 });
  });

  it('gathers events that arrive a few ms apart into one batch when told to wait for them, and hands each on at once when not', async () => {
    const batchesFor = async (gatherMs: number | undefined) => {
      const log = new MemoryLog();
      const forwarder = new Forwarder();
      const processor = new Processor(log, forwarder, { name: 'forwarder', ...(gatherMs === undefined ? {} : { gatherMs }) });
      processor.start();
      for (let i = 0; i < 3; i++) {
        log.append(1);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await processor.waitForPosition(3n);
      await processor.stop();
      expect(forwarder.delivered).toEqual(positions(1, 3));
      return forwarder.batches;
    };
    expect(await batchesFor(undefined)).toBe(3);
    expect(await batchesFor(1_000)).toBe(1);
  });

  it('retries a batch that failed from the checkpoint, saying so meanwhile, and skips or repeats nothing', async () => {
    const log = new MemoryLog();
    const forwarder = new Forwarder();
    forwarder.failAt = 7n;
    log.append(12);
    const processor = new Processor(log, forwarder, { name: 'forwarder', batchSize: 4, retryDelayMs: 300 });
    processor.start();
    await until(() => processor.status().phase === 'retrying');
    // It delivers one by one: its checkpoint stands after the last event delivered, where the retry starts.
    expect(processor.status()).toMatchObject({ phase: 'retrying', lastError: 'delivery of 7 failed', position: 6n });
    await processor.waitForPosition(12n);
    expect(processor.status()).toMatchObject({ phase: 'live', lastError: null });
    await processor.stop();
    expect(forwarder.delivered).toEqual(positions(1, 12));
  });

  it('logs the same failure in full once, then a line a minute while it lasts (whatever the system clock is set to), and in full again once it came back after a batch', async () => {
    const log = new MemoryLog();
    const lines: string[] = [];
    const logger = { error: (_fields: object, message: string) => lines.push(message) } as unknown as Logger;
    let down = true;
    let attempts = 0;
    const destination: BatchHandler & { position: bigint } = {
      position: 0n,
      checkpoint() {
        return this.position;
      },
      handle(events) {
        attempts++;
        if (down) throw new Error('destination down');
        this.position = events[events.length - 1]!.position;
      },
    };
    let [wall, monotonic] = [Date.now(), performance.now()];
    const clocks = [jest.spyOn(Date, 'now').mockImplementation(() => wall), jest.spyOn(performance, 'now').mockImplementation(() => monotonic)];
    const processor = new Processor(log, destination, { name: 'forwarder', retryDelayMs: 1, logger });
    try {
      log.append(3);
      processor.start();
      await until(() => attempts >= 20);
      expect(lines).toEqual(['forwarder failed, resuming from position 0']);

      // A minute passes while the system clock is set back an hour: the line comes all the same.
      [wall, monotonic] = [wall - 3_600_000, monotonic + 61_000];
      const before = attempts;
      await until(() => attempts >= before + 3);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^forwarder still failing after \d+ attempts over 61 s \(\d+ not logged since the last line\), resuming from position 0: destination down$/);

      down = false;
      await processor.waitForPosition(3n);
      down = true;
      log.append(1);
      await until(() => lines.length === 3);
      expect(lines[2]).toBe('forwarder failed, resuming from position 3');
    } finally {
      await processor.stop();
      for (const clock of clocks) clock.mockRestore();
    }
  });

  it('stops on an error retrying cannot mend, with the error as its last word', async () => {
    const log = new MemoryLog();
    const forwarder = new Forwarder();
    forwarder.fatalAt = 3n;
    log.append(5);
    const processor = new Processor(log, forwarder, { name: 'forwarder', retryDelayMs: 10 });
    processor.start();
    await until(() => processor.status().phase === 'stopped');
    expect(processor.status()).toMatchObject({ phase: 'stopped', lastError: 'destination gone at 3', position: 2n });
    await processor.stop();
    expect(forwarder.delivered).toEqual([1n, 2n]);
  });

  it('is catching up while behind the head it found, with its lag in events, then live with none', async () => {
    const log = new MemoryLog();
    const forwarder = new Forwarder();
    log.append(30);
    let release!: () => void;
    forwarder.hold = new Promise((resolve) => (release = resolve));
    const processor = new Processor(log, forwarder, { name: 'forwarder', batchSize: 10 });
    processor.start();
    await until(() => forwarder.inFlight > 0);
    expect(processor.status()).toMatchObject({ phase: 'catching-up', position: 0n, headPosition: 30n, lagEvents: 30 });
    forwarder.hold = null;
    release();
    await processor.waitForPosition(30n);
    expect(processor.status()).toMatchObject({ phase: 'live', position: 30n, headPosition: 30n, lagEvents: 0, lagSeconds: 0, eventsApplied: 30 });
    await processor.stop();
  });

  it('says rebuilding throughout when it is a shadow build', async () => {
    const log = new MemoryLog();
    log.append(3);
    const processor = new Processor(log, new Forwarder(), { name: 'rebuild', runningPhase: 'rebuilding' });
    processor.start();
    expect(processor.status().phase).toBe('rebuilding');
    await processor.waitForPosition(3n);
    expect(processor.status().phase).toBe('rebuilding');
    await processor.stop();
    expect(processor.status().phase).toBe('stopped');
  });

  it('handles what the log holds and returns, for a rebuild or a shutdown', async () => {
    const log = new MemoryLog();
    const forwarder = new Forwarder();
    log.append(23);
    await new Processor(log, forwarder, { name: 'forwarder', batchSize: 10 }).catchUp();
    expect(forwarder.delivered).toEqual(positions(1, 23));
  });
});
