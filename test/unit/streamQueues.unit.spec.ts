// The in-memory schedule of pending deliveries: one head per stream at a time, soonest due first, in offer order within a stream.
import fc from 'fast-check';
import { StreamQueues } from '../../src/forwarding/streamQueues';

type Item = { id: number; stream: string; dueAt: number };
const item = (id: number, stream: string, dueAt = 0): Item => ({ id, stream, dueAt });

describe('StreamQueues', () => {
  it('hands out only the head of each stream, and the next one once the head finished', () => {
    const queues = new StreamQueues<Item>();
    [item(1, 'a'), item(2, 'a'), item(3, 'b')].forEach((i) => queues.add(i));
    const first = queues.takeDue(0)!;
    const second = queues.takeDue(0)!;
    expect([first.id, second.id]).toEqual([1, 3]);
    expect(queues.takeDue(0)).toBeUndefined();
    queues.finish(first);
    expect(queues.takeDue(0)!.id).toBe(2);
    expect(queues.size).toBe(2);
  });

  it('a retried head keeps its place in its stream and waits for its time', () => {
    const queues = new StreamQueues<Item>();
    [item(1, 'a'), item(2, 'a')].forEach((i) => queues.add(i));
    const head = queues.takeDue(0)!;
    head.dueAt = 100;
    queues.putBack(head);
    expect(queues.takeDue(99)).toBeUndefined();
    expect(queues.nextDueAt()).toBe(100);
    expect(queues.takeDue(100)!.id).toBe(1);
  });

  it('an older delivery put back (a dead letter redelivered) goes before the newer ones of its stream', () => {
    const queues = new StreamQueues<Item>();
    queues.add(item(5, 'a'));
    const busy = queues.takeDue(0)!;
    queues.add(item(2, 'a'));
    queues.finish(busy);
    expect(queues.takeDue(0)!.id).toBe(2);
  });

  it('whatever the order of adds, retries and finishes, each stream is handed out in id order, one at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 80 }), (steps) => {
        const queues = new StreamQueues<Item>();
        const handedOut = new Map<string, number[]>();
        const out = new Set<string>();
        const retried = new Set<number>();
        steps.forEach(([stream], index) => queues.add(item(index + 1, `s${stream}`, index % 3)));
        for (let now = 0, rounds = 0; queues.size > 0 && rounds < 1_000; now++, rounds++) {
          const taken: Item[] = [];
          for (let next = queues.takeDue(now); next !== undefined; next = queues.takeDue(now)) {
            expect(out.has(next.stream)).toBe(false);
            out.add(next.stream);
            taken.push(next);
          }
          for (const next of taken) {
            out.delete(next.stream);
            // A step's flag makes its delivery fail once, to be retried after the step's delay.
            if (steps[next.id - 1]![1] && !retried.has(next.id)) {
              retried.add(next.id);
              next.dueAt = now + steps[next.id - 1]![2];
              queues.putBack(next);
            } else {
              handedOut.set(next.stream, [...(handedOut.get(next.stream) ?? []), next.id]);
              queues.finish(next);
            }
          }
        }
        expect(queues.size).toBe(0);
        for (const ids of handedOut.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b));
      }),
    );
  });
});
