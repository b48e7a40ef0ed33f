import type { CallbackLogEntry } from '../../src/readmodels/callbackLog/callbackLog.table';
import type { DropReason, SubscriberLimits } from '../../src/graphql/subscriber';
import { createTopics, followTopic, topic } from '../../src/graphql/topics';
import type { SessionRow } from '../../src/readmodels/sessions/sessions.table';

const CallbackReceived = topic<CallbackLogEntry>('CALLBACK_RECEIVED');
const SessionUpdated = topic<SessionRow>('SESSION_UPDATED');

const entry = (position: number, type = 'StreamPushed') => ({ position: BigInt(position), type }) as unknown as CallbackLogEntry;
/** Offers and deliveries are made in turns of the event loop: this waits for the next one. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const positions = (results: Array<IteratorResult<CallbackLogEntry, undefined>>) => results.map((result) => (result.done ? 'done' : Number(result.value.position)));

function subscriberOf(topics: ReturnType<typeof createTopics>, limits: Partial<SubscriberLimits> = {}, pendingBytes = () => 0) {
  const drops: Array<[DropReason, string]> = [];
  const subscriber = topics.subscriber({
    limits: { maxPendingMessages: 100, maxPendingBytes: 1000, ...limits },
    pendingBytes,
    onDrop: (reason, detail) => drops.push([reason, detail]),
  });
  return { subscriber, drops };
}

describe('topics: a bounded queue per subscription', () => {
  it('delivers what each subscription accepts, in order, whether it was waiting or reads later', async () => {
    const topics = createTopics();
    const { subscriber } = subscriberOf(topics);
    const all = subscriber.subscribe(CallbackReceived);
    const exits = subscriber.subscribe(CallbackReceived, (payload) => payload.type === 'RelayTaskExited');
    const waiting = all.next();
    topics.publish(CallbackReceived, entry(1));
    topics.publish(CallbackReceived, entry(2, 'RelayTaskExited'));
    topics.publish(CallbackReceived, entry(3));
    expect(positions([await waiting, await all.next(), await all.next()])).toEqual([1, 2, 3]);
    expect(positions([await exits.next()])).toEqual([2]);
    expect(subscriber.pendingMessages).toBe(0);
  });

  it('lets a returned subscription go at once, with what it had queued, and counts it out', async () => {
    const topics = createTopics();
    const { subscriber } = subscriberOf(topics);
    const updates = subscriber.subscribe(CallbackReceived);
    const waiting = subscriber.subscribe(SessionUpdated);
    const pending = waiting.next();
    topics.publish(CallbackReceived, entry(1));
    await nextTurn();
    expect([topics.subscriberCount(), subscriber.pendingMessages]).toEqual([2, 1]);
    await updates.return?.();
    await waiting.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect([topics.subscriberCount(), subscriber.pendingMessages]).toEqual([0, 0]);
    expect(await updates.next()).toEqual({ done: true, value: undefined });
  });

  it('drops a subscriber that holds more messages than allowed, once, ending all its subscriptions; the others go on', async () => {
    const topics = createTopics();
    const slow = subscriberOf(topics, { maxPendingMessages: 3 });
    const healthy = subscriberOf(topics, { maxPendingMessages: 3 });
    const slowOnes = [slow.subscriber.subscribe(CallbackReceived), slow.subscriber.subscribe(CallbackReceived)];
    const reader = healthy.subscriber.subscribe(CallbackReceived);
    const received: number[] = [];
    for (let position = 1; position <= 10; position++) {
      expect(() => topics.publish(CallbackReceived, entry(position))).not.toThrow();
      received.push(...positions([await reader.next()]).map(Number));
    }
    expect(slow.drops).toEqual([['pending_messages', '4 messages pending, more than 3']]);
    expect(slow.subscriber.dropped).toBe(true);
    expect(positions(await Promise.all(slowOnes.map((subscription) => subscription.next())))).toEqual(['done', 'done']);
    expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([topics.subscriberCount(), slow.subscriber.pendingMessages]).toEqual([1, 0]);
    // A subscribe that arrives after the drop (its socket is closing) ends at once.
    expect(await slow.subscriber.subscribe(SessionUpdated).next()).toEqual({ done: true, value: undefined });
    expect(topics.subscriberCount()).toBe(1);
  });

  it('drops a subscriber whose socket holds more unsent bytes than allowed', async () => {
    const topics = createTopics();
    let unsent = 0;
    const { subscriber, drops } = subscriberOf(topics, { maxPendingBytes: 1000 }, () => unsent);
    subscriber.subscribe(CallbackReceived);
    topics.publish(CallbackReceived, entry(1));
    await nextTurn();
    unsent = 1001;
    topics.publish(CallbackReceived, entry(2));
    topics.publish(CallbackReceived, entry(3));
    await nextTurn();
    expect(drops).toEqual([['pending_bytes', '1001 bytes unsent, more than 1000']]);
    expect(topics.subscriberCount()).toBe(0);
  });

  it('never lets a failing subscriber reach the publisher: the error is reported and the next subscriber still served', async () => {
    const errors: unknown[] = [];
    const topics = createTopics({ onError: (error) => errors.push(error) });
    const broken = topics.subscriber({
      limits: { maxPendingMessages: 0, maxPendingBytes: 1000 },
      pendingBytes: () => 0,
      onDrop: () => {
        throw new Error('socket already gone');
      },
    });
    const brokenOne = broken.subscribe(CallbackReceived);
    const { subscriber } = subscriberOf(topics);
    subscriber.subscribe(CallbackReceived, () => {
      throw new Error('filter failed');
    });
    const fine = subscriber.subscribe(CallbackReceived);
    expect(() => topics.publish(CallbackReceived, entry(1))).not.toThrow();
    await nextTurn();
    expect(errors.map((error) => (error as Error).message)).toEqual(['socket already gone', 'filter failed']);
    expect(await brokenOne.next()).toEqual({ done: true, value: undefined });
    expect(positions([await fine.next()])).toEqual([1]);
  });

  it('refuses to follow a topic outside a WebSocket connection', () => {
    const subscribe = followTopic(CallbackReceived, () => () => true);
    expect(() => subscribe({ args: {}, context: {}, source: undefined, info: undefined as never })).toThrow(/WebSocket/);
  });
});

describe('topics: offers made in turns', () => {
  it('offers a payload to at most offersPerTurn subscriptions a turn, in the order payloads were published', async () => {
    const topics = createTopics({ offersPerTurn: 3 });
    const { subscriber } = subscriberOf(topics);
    const subscriptions = Array.from({ length: 5 }, () => subscriber.subscribe(CallbackReceived));
    topics.publish(CallbackReceived, entry(1));
    topics.publish(CallbackReceived, entry(2));
    expect(subscriber.pendingMessages).toBe(0); // nothing during the publish itself
    await nextTurn();
    expect(subscriber.pendingMessages).toBe(3);
    await nextTurn();
    expect(subscriber.pendingMessages).toBe(6);
    await nextTurn();
    await nextTurn();
    expect(subscriber.pendingMessages).toBe(10);
    for (const subscription of subscriptions) expect(positions([await subscription.next(), await subscription.next()])).toEqual([1, 2]);
  });

  it('drops the subscriber holding the most subscriptions once offers fall more than maxOffersBehind behind', async () => {
    const topics = createTopics({ maxOffersBehind: 10 });
    const many = subscriberOf(topics);
    const few = subscriberOf(topics);
    for (let i = 0; i < 8; i++) many.subscriber.subscribe(CallbackReceived);
    const followed = [few.subscriber.subscribe(CallbackReceived), few.subscriber.subscribe(CallbackReceived)];
    topics.publish(CallbackReceived, entry(1)); // 10 offers due
    expect(many.drops).toEqual([]);
    topics.publish(CallbackReceived, entry(2)); // 20
    expect(many.drops).toEqual([['most_subscriptions', 'changes come faster than they can be offered to 10 subscriptions, and this connection holds the most (8)']]);
    expect(few.drops).toEqual([]);
    expect(topics.subscriberCount()).toBe(2);
    for (const subscription of followed) expect(positions([await subscription.next(), await subscription.next()])).toEqual([1, 2]);
  });
});
