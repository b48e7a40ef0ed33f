// A global log in memory, for processor tests that need no store: append, read from a position, follow, and its head.
import type { ReadAllOptions, RecordedEvent, SubscribeToAllOptions } from '../../src/eventstore/eventStore';
import type { LogSource } from '../../src/processing/processor';

export class MemoryLog implements LogSource {
  private readonly events: RecordedEvent[] = [];
  private wake: Array<() => void> = [];

  /** Appends `count` events (positions 1, 2, ... in order); returns the last position. */
  append(count: number, type = 'Happened'): bigint {
    for (let i = 0; i < count; i++) {
      const position = BigInt(this.events.length + 1);
      this.events.push({ id: `e${position}`, type, stream: `thing-${position % 3n}`, revision: 0n, position, data: {}, metadata: {}, recordedAt: new Date() });
    }
    const waiting = this.wake;
    this.wake = [];
    waiting.forEach((resolve) => resolve());
    return BigInt(this.events.length);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = Number(options.after ?? 0n);
    return this.events.slice(after, after + (options.maxCount ?? 1000));
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.events.length);
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    let next = Number(options.after ?? 0n);
    const stopped = () => options.signal?.aborted === true;
    while (!stopped()) {
      while (next < this.events.length && !stopped()) yield this.events[next++]!;
      if (stopped()) return;
      await new Promise<void>((resolve) => {
        this.wake.push(resolve);
        options.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}
