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

/** `onError` hears what went wrong delivering to one subscriber (a filter that threw), which never reaches the publisher. */
export function createTopics(onError: (error: unknown) => void = () => undefined): Topics {
  // Each subscription is routed as a function that offers the payload to its queue.
  const routes = new Map<string, Set<(payload: unknown) => void>>();
  // One room per turn for every subscriber: a change that reaches thousands of subscriptions is sent over several turns.
  const turns = new DeliveryTurns();
  let open = 0;
  return {
    publish(topic, payload) {
      for (const offer of routes.get(topic.name) ?? []) {
        try {
          offer(payload);
        } catch (error) {
          onError(error);
        }
      }
    },
    subscriberCount: () => open,
    subscriber(options) {
      const subscriber = new Subscriber(options, turns);
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
          });
          if (queue.ended) return queue;
          route.add(offer);
          routed = true;
          open++;
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
