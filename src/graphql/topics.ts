// Subscription topics and their payloads: what the projector's change notifications become, queued per subscriber.
import { GraphQLError } from 'graphql';
import type { SubscribeResolverData } from 'type-graphql';
import type { RelayTaskRow } from '../projections/relayTask.reducer';
import type { SessionRow } from '../projections/session.reducer';
import type { CallbackLogEntry } from '../readmodel/callbackLogTable';
import { Subscriber, type SubscriberOptions } from './subscriber';

export const Topic = {
  SessionUpdated: 'SESSION_UPDATED',
  RelayTaskUpdated: 'RELAY_TASK_UPDATED',
  CallbackReceived: 'CALLBACK_RECEIVED',
} as const;
export type TopicName = (typeof Topic)[keyof typeof Topic];

export interface TopicPayloads {
  [Topic.SessionUpdated]: SessionRow;
  [Topic.RelayTaskUpdated]: RelayTaskRow;
  [Topic.CallbackReceived]: CallbackLogEntry;
}

/** A client connection's side of the topics: its subscriptions share its bounds and are dropped together. */
export interface TopicSubscriber {
  subscribe<T extends TopicName>(topic: T, accepts?: (payload: TopicPayloads[T]) => boolean): AsyncIterableIterator<TopicPayloads[T], undefined>;
  readonly pendingMessages: number;
  readonly dropped: boolean;
}

export interface Topics {
  /** Queues the payload for every subscription of the topic that accepts it. Never throws, never waits. */
  publish<T extends TopicName>(topic: T, payload: TopicPayloads[T]): void;
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
  const routes = new Map<TopicName, Set<(payload: unknown) => void>>();
  let open = 0;
  return {
    publish(topic, payload) {
      for (const offer of routes.get(topic) ?? []) {
        try {
          offer(payload);
        } catch (error) {
          onError(error);
        }
      }
    },
    subscriberCount: () => open,
    subscriber(options) {
      const subscriber = new Subscriber(options);
      return {
        get pendingMessages() {
          return subscriber.pendingMessages;
        },
        get dropped() {
          return subscriber.dropped;
        },
        subscribe<T extends TopicName>(topic: T, accepts: (payload: TopicPayloads[T]) => boolean = () => true) {
          const route = routes.get(topic) ?? new Set();
          routes.set(topic, route);
          const offer = (payload: unknown) => queue.offer(payload as TopicPayloads[T]);
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
export function followTopic<T extends TopicName, Args extends object>(
  topic: T,
  acceptsFor: (args: Args) => (payload: TopicPayloads[T]) => boolean,
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
