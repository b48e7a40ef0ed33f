// An in-memory shared group for tests of the forwarding side: hands out events, records acks and nacks, can drop the connection.
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import type { SharedMessage, SharedSubscription } from '../../src/forwarding/sharedSubscription';

export interface MemoryGroup extends SharedSubscription {
  /** Events the group hands out next (as the server reads them from $all). */
  publish(...events: RecordedEvent[]): void;
  /** Ends the current connection with an error; what was handed out and not settled is handed out again on the next join. */
  dropConnection(): void;
  readonly acked: string[];
  readonly nacked: Array<{ id: string; action: 'park' | 'retry'; reason: string }>;
  readonly ensureGroupCalls: number;
  readonly joins: number;
  /** Events parked and not replayed yet. */
  readonly parked: RecordedEvent[];
}

export function memorySharedSubscription(group = 'css-ledger-forward-test'): MemoryGroup {
  const queue: Array<{ event: RecordedEvent; retryCount: number }> = [];
  const outstanding = new Map<string, { event: RecordedEvent; retryCount: number }>();
  const acked: string[] = [];
  const nacked: MemoryGroup['nacked'] = [];
  const parked: RecordedEvent[] = [];
  let wake: (() => void) | undefined;
  let connection = 0;
  let dropped = false;
  let closed = false;
  let ensureGroupCalls = 0;
  let joins = 0;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  return {
    group,
    acked,
    nacked,
    parked,
    get ensureGroupCalls() {
      return ensureGroupCalls;
    },
    get joins() {
      return joins;
    },
    async ensureGroup() {
      ensureGroupCalls++;
    },
    publish(...events) {
      queue.push(...events.map((event) => ({ event, retryCount: 0 })));
      notify();
    },
    dropConnection() {
      dropped = true;
      notify();
    },
    async *messages(): AsyncGenerator<SharedMessage> {
      joins++;
      const mine = ++connection;
      dropped = false;
      // Unsettled messages of an earlier connection come first, as the server hands them out again.
      queue.unshift(...[...outstanding.values()].map((m) => ({ event: m.event, retryCount: m.retryCount + 1 })));
      outstanding.clear();
      while (!closed) {
        if (dropped) throw new Error('connection dropped');
        const next = queue.shift();
        if (next === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        outstanding.set(next.event.id, next);
        const live = () => mine === connection && outstanding.delete(next.event.id);
        yield {
          event: next.event,
          retryCount: next.retryCount,
          ack: async () => {
            if (live()) acked.push(next.event.id);
          },
          nack: async (action, reason) => {
            if (!live()) return;
            nacked.push({ id: next.event.id, action, reason });
            if (action === 'retry') queue.push({ event: next.event, retryCount: next.retryCount + 1 });
            else parked.push(next.event);
          },
        };
      }
    },
    async close() {
      closed = true;
      notify();
    },
    async parkedCount() {
      return parked.length;
    },
    async replayParked() {
      queue.push(...parked.splice(0).map((event) => ({ event, retryCount: 0 })));
      notify();
    },
  };
}
