// Subscription topics and their payloads: what the projector's change notifications become.
import { createPubSub } from '@graphql-yoga/subscription';
import type { RelayTaskRow } from '../projections/relayTask.reducer';
import type { SessionRow } from '../projections/session.reducer';
import type { CallbackLogEntry } from '../readmodel/callbackLogTable';

export const Topic = {
  SessionUpdated: 'SESSION_UPDATED',
  RelayTaskUpdated: 'RELAY_TASK_UPDATED',
  CallbackReceived: 'CALLBACK_RECEIVED',
} as const;

export interface TopicPayloads {
  [Topic.SessionUpdated]: [SessionRow];
  [Topic.RelayTaskUpdated]: [RelayTaskRow];
  [Topic.CallbackReceived]: [CallbackLogEntry];
  [topic: string]: [unknown];
}

export interface Topics {
  publish<T extends keyof TopicPayloads>(topic: T, ...payload: TopicPayloads[T]): void;
  subscribe(topic: string): AsyncIterable<unknown>;
  /** Live subscriptions now open, over every topic. */
  subscriberCount(): number;
}

export function createTopics(): Topics {
  const pubSub = createPubSub<TopicPayloads>();
  let subscribers = 0;
  return {
    publish: (topic, ...payload) => pubSub.publish(topic as string, ...(payload as [unknown])),
    subscriberCount: () => subscribers,
    subscribe(topic) {
      const source = pubSub.subscribe(topic)[Symbol.asyncIterator]();
      subscribers++;
      let open = true;
      const close = () => {
        if (open) subscribers--;
        open = false;
      };
      // An explicit iterator, not a generator: `return()` must count the subscriber out at once.
      const iterator: AsyncIterableIterator<unknown> = {
        [Symbol.asyncIterator]: () => iterator,
        next: async () => {
          const result = await source.next();
          if (result.done === true) close();
          return result;
        },
        return: async (value?: unknown) => {
          close();
          return (await source.return?.(value)) ?? { done: true, value };
        },
        throw: async (error?: unknown) => {
          close();
          return (await source.throw?.(error)) ?? { done: true, value: undefined };
        },
      };
      return iterator;
    },
  };
}
