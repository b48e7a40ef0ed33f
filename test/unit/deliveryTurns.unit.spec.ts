// Subscription messages reach their readers a bounded number per turn of the event loop, whatever a change reaches.
import { DeliveryTurns } from '../../src/graphql/deliveryTurns';
import { Subscriber } from '../../src/graphql/subscriber';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function subscriberWith(turns: DeliveryTurns) {
  return new Subscriber({ limits: { maxPendingMessages: 1000, maxPendingBytes: 1_000_000 }, pendingBytes: () => 0, onDrop: () => undefined }, turns);
}

describe('DeliveryTurns', () => {
  it('wakes at most its room of waiting readers per turn, the rest in the turns after', async () => {
    const subscriber = subscriberWith(new DeliveryTurns(2));
    const queues = Array.from({ length: 5 }, () => subscriber.open<number>(() => true, () => undefined));
    const delivered: number[] = [];
    queues.forEach((queue, i) => void queue.next().then((result) => delivered.push(result.done ? -1 : i)));
    queues.forEach((queue) => queue.offer(7));
    expect(delivered).toEqual([]); // nothing during the publish itself
    expect(subscriber.pendingMessages).toBe(5);
    await nextTurn();
    expect(delivered).toEqual([0, 1]);
    await nextTurn();
    expect(delivered).toEqual([0, 1, 2, 3]);
    await nextTurn();
    expect(delivered).toEqual([0, 1, 2, 3, 4]);
    expect(subscriber.pendingMessages).toBe(0);
  });

  it("lets a reader take what is queued at once within the turn's room, then makes it wait a turn", async () => {
    const subscriber = subscriberWith(new DeliveryTurns(3));
    const queue = subscriber.open<number>(() => true, () => undefined);
    for (let n = 1; n <= 5; n++) queue.offer(n);
    const read: number[] = [];
    const readAll = (async () => {
      for (let i = 0; i < 5; i++) {
        const result = await queue.next();
        if (!result.done) read.push(result.value);
      }
    })();
    for (let i = 0; i < 20; i++) await Promise.resolve(); // every reaction of this turn
    expect(read).toEqual([1, 2, 3]);
    await nextTurn();
    await readAll;
    expect(read).toEqual([1, 2, 3, 4, 5]);
  });

  it('forgets the reader of a subscription that ends before its turn', async () => {
    const turns = new DeliveryTurns(1);
    const subscriber = subscriberWith(turns);
    const ending = subscriber.open<number>(() => true, () => undefined);
    const other = subscriber.open<number>(() => true, () => undefined);
    const endingRead = ending.next();
    const otherRead = other.next();
    ending.offer(1);
    other.offer(2);
    await ending.return();
    expect(await endingRead).toEqual({ done: true, value: undefined });
    await nextTurn(); // the one delivery of this turn goes to the subscription still open
    expect(await otherRead).toEqual({ done: false, value: 2 });
  });
});
