// The pending deliveries of one destination in memory: a queue per stream, and the streams whose head may go next, soonest first.
import { Heap } from 'heap-js';

export interface Queued {
  id: number;
  stream: string;
  dueAt: number;
}

interface Ready {
  due: number;
  id: number;
  stream: string;
}

/**
 * Only the head of a stream (its lowest id) is ever handed out, and not again until it is
 * released: a later delivery of a stream never goes before an earlier one has finished.
 */
export class StreamQueues<T extends Queued> {
  private readonly streams = new Map<string, T[]>();
  private readonly busy = new Set<string>();
  // Heads not handed out, by due time; entries of heads that changed since are skipped when met.
  private readonly ready = new Heap<Ready>((a, b) => a.due - b.due || a.id - b.id);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get inFlight(): number {
    return this.busy.size;
  }

  /** Adds a pending delivery; queues stay in id order, which is the order deliveries were offered. */
  add(item: T): void {
    let queue = this.streams.get(item.stream);
    if (queue === undefined) {
      queue = [];
      this.streams.set(item.stream, queue);
    }
    if (queue.length === 0 || queue[queue.length - 1]!.id < item.id) queue.push(item);
    else queue.splice(sortedIndex(queue, item.id), 0, item);
    this.count++;
    if (queue[0] === item && !this.busy.has(item.stream)) this.pushHead(item);
  }

  /** When the soonest head is due (ms), or null when none waits. */
  nextDueAt(): number | null {
    this.dropStale();
    return this.ready.peek()?.due ?? null;
  }

  /** Hands out the soonest head due by `now`, marking its stream busy; undefined when none is due. */
  takeDue(now: number): T | undefined {
    this.dropStale();
    const top = this.ready.peek();
    if (top === undefined || top.due > now) return undefined;
    this.ready.pop();
    this.busy.add(top.stream);
    return this.streams.get(top.stream)![0];
  }

  /** The handed-out head finished (delivered or dead-lettered): the stream's next delivery may go. */
  finish(item: T): void {
    const queue = this.streams.get(item.stream);
    const index = queue?.indexOf(item) ?? -1;
    if (queue !== undefined && index >= 0) {
      queue.splice(index, 1);
      this.count--;
      if (queue.length === 0) this.streams.delete(item.stream);
    }
    this.release(item.stream);
  }

  /** The handed-out head stays (a retry, due at its dueAt, or an attempt cut short). */
  putBack(item: T): void {
    this.release(item.stream);
  }

  /** Every pending delivery, in no particular order. */
  *all(): IterableIterator<T> {
    for (const queue of this.streams.values()) yield* queue;
  }

  private release(stream: string): void {
    this.busy.delete(stream);
    const head = this.streams.get(stream)?.[0];
    if (head !== undefined) this.pushHead(head);
  }

  private pushHead(item: T): void {
    this.ready.push({ due: item.dueAt, id: item.id, stream: item.stream });
  }

  /** Skips entries whose stream is busy or whose head is no longer that delivery (or is due at another time). */
  private dropStale(): void {
    for (let top = this.ready.peek(); top !== undefined; top = this.ready.peek()) {
      const head = this.streams.get(top.stream)?.[0];
      if (!this.busy.has(top.stream) && head !== undefined && head.id === top.id && head.dueAt === top.due) return;
      this.ready.pop();
    }
  }
}

function sortedIndex(queue: readonly Queued[], id: number): number {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (queue[mid]!.id < id) low = mid + 1;
    else high = mid;
  }
  return low;
}
