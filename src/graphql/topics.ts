// Subscription topics and their payloads: what the read models' change notifications become, queued per subscriber.
import { GraphQLError } from 'graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { DeliveryTurns } from './deliveryTurns';
import { Subscriber, type SubscriberOptions } from './subscriber';

/** A topic and the payload its messages carry; each read model declares its own. */
export interface Topic<Payload> {
  readonly name: string;
  /** Carries the payload's type; never set. */
  readonly payload?: Payload;
}

export const topic = <Payload>(name: string): Topic<Payload> => ({ name });

/** A client connection's side of the topics: its subscriptions share its bounds and are dropped together. */
export interface TopicSubscriber {
  subscribe<P>(topic: Topic<P>, accepts?: (payload: P) => boolean): AsyncIterableIterator<P, undefined>;
  readonly pendingMessages: number;
  readonly dropped: boolean;
}

export interface Topics {
  /** Queues the payload for every subscription of the topic that accepts it. Never throws, never waits. */
  publish<P>(topic: Topic<P>, payload: P): void;
  subscriber(options: SubscriberOptions): TopicSubscriber;
  /** Live subscriptions now open, over every topic. */
  subscriberCount(): number;
}

/** What a subscription's resolver finds in its context: set by the WebSocket server for each connection. */
export interface SubscriptionContext {
  subscriber?: TopicSubscriber;
}

/** Subscriptions offered a payload (their filter run) per turn of the event loop at most. */
export const OFFERS_PER_TURN = 5_000;
/**
 * Offers not yet made past which the subscriber holding the most subscriptions is dropped: so many subscriptions
 * that changes arrive faster than they can be offered to all of them, seconds of work behind.
 */
export const MAX_OFFERS_BEHIND = 1_000_000;

type Offer = (payload: unknown) => void;

/** A payload being offered to its topic's subscriptions, in turns. */
interface Publication {
  readonly offers: Iterator<Offer>;
  readonly payload: unknown;
}

export interface TopicsOptions {
  /** Hears what went wrong offering to one subscription (a filter that threw), which never reaches the publisher. */
  onError?(error: unknown): void;
  offersPerTurn?: number;
  maxOffersBehind?: number;
}

/**
 * Payloads are offered to the subscriptions in turns of the event loop, in the order they were published, so that
 * however many subscriptions a change reaches, callbacks are answered between turns (messages are sent in turns too,
 * see DeliveryTurns). When offers fall too far behind, the subscriber holding the most subscriptions is dropped.
 */
export function createTopics(options: TopicsOptions = {}): Topics {
  const onError = options.onError ?? (() => undefined);
  const offersPerTurn = options.offersPerTurn ?? OFFERS_PER_TURN;
  const maxOffersBehind = options.maxOffersBehind ?? MAX_OFFERS_BEHIND;
  // Each subscription is routed as a function that offers the payload to its queue.
  const routes = new Map<string, Set<Offer>>();
  // One room per turn for every subscriber: a change that reaches thousands of subscriptions is sent over several turns.
  const turns = new DeliveryTurns();
  // Those holding a subscription: the candidates when one must be dropped.
  const subscribers = new Set<Subscriber>();
  const publications: Publication[] = [];
  let offersBehind = 0;
  let scheduled = false;
  let open = 0;

  const offerInTurn = () => {
    scheduled = false;
    let room = offersPerTurn;
    while (room > 0 && publications.length > 0) {
      const publication = publications[0]!;
      const next = publication.offers.next();
      if (next.done === true) {
        publications.shift();
        continue;
      }
      room--;
      offersBehind = Math.max(0, offersBehind - 1);
      try {
        next.value(publication.payload);
      } catch (error) {
        onError(error);
      }
    }
    if (publications.length === 0) offersBehind = 0;
    else schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(offerInTurn);
  };
  const dropLargest = () => {
    let largest: Subscriber | undefined;
    for (const subscriber of subscribers) if (largest === undefined || subscriber.subscriptionCount > largest.subscriptionCount) largest = subscriber;
    if (largest === undefined) return;
    const held = largest.subscriptionCount;
    // Its subscriptions leave the routes: the offers to them that were due will not be made.
    offersBehind = Math.max(0, offersBehind - held * publications.length);
    try {
      largest.drop('most_subscriptions', `changes come faster than they can be offered to ${open} subscriptions, and this connection holds the most (${held})`);
    } catch (error) {
      onError(error);
    }
  };

  return {
    publish(topic, payload) {
      const route = routes.get(topic.name);
      if (route === undefined || route.size === 0) return;
      // The route itself, not a copy: a subscription that ends before its turn is not offered the payload.
      publications.push({ offers: route.values(), payload });
      offersBehind += route.size;
      schedule();
      if (offersBehind > maxOffersBehind) dropLargest();
    },
    subscriberCount: () => open,
    subscriber(subscriberOptions) {
      const subscriber = new Subscriber(subscriberOptions, turns);
      return {
        get pendingMessages() {
          return subscriber.pendingMessages;
        },
        get dropped() {
          return subscriber.dropped;
        },
        subscribe<P>(topic: Topic<P>, accepts: (payload: P) => boolean = () => true) {
          const route = routes.get(topic.name) ?? new Set();
          routes.set(topic.name, route);
          const offer = (payload: unknown) => queue.offer(payload as P);
          let routed = false;
          const queue = subscriber.open(accepts, () => {
            if (!routed) return; // ended at once: its subscriber was dropped already
            route.delete(offer);
            open--;
            if (subscriber.subscriptionCount === 0) subscribers.delete(subscriber);
          });
          if (queue.ended) return queue;
          route.add(offer);
          routed = true;
          open++;
          subscribers.add(subscriber);
          return queue;
        },
      };
    },
  };
}

/**
 * A @Subscription's `subscribe`: the topic's payloads that the subscription's arguments accept, queued for the
 * connection that asked. Filtering before the queue keeps what a subscriber does not want off its bounds.
 */
export function followTopic<P, Args extends object>(
  topic: Topic<P>,
  acceptsFor: (args: Args) => (payload: P) => boolean,
  /** Throws when the arguments are refused (a filter over its limits), before anything is queued. */
  check?: (args: Args) => void,
) {
  return ({ args, context }: SubscribeResolverData<unknown, Args, SubscriptionContext | undefined>) => {
    check?.(args);
    const subscriber = context?.subscriber;
    if (subscriber === undefined) throw new GraphQLError('subscriptions are served over WebSocket at /graphql (graphql-transport-ws)');
    return subscriber.subscribe(topic, acceptsFor(args));
  };
}
