// A destination's shared group on EventStoreDB: a persistent subscription to $all over the ledger's streams, consumer strategy Pinned.
import {
  END,
  PARK,
  PINNED,
  PersistentSubscriptionExistsError,
  RETRY,
  START,
  persistentSubscriptionToAllSettingsFromDefaults,
  streamNameFilter,
  type EventStoreDBClient,
  type PersistentSubscriptionToAll,
} from '@eventstore/db-client';
import { LEDGER_STREAM_PREFIXES, toRecordedEvent } from '../eventstore/eventstoredb/eventStoreDbMapping';
import type { DestinationConfig } from './forwardConfig';
import { sharedGroupName, type SharedMessage, type SharedSubscription } from './sharedSubscription';

/** The group's settings: Pinned keeps each stream on one consumer; the server's own retries stay below ours. */
export function sharedGroupSettings(destination: DestinationConfig) {
  return persistentSubscriptionToAllSettingsFromDefaults({
    startFrom: destination.startFrom === 'beginning' ? START : END,
    consumerStrategyName: PINNED,
    // A message unanswered this long goes to another consumer: longer than one attempt and its backoff.
    messageTimeout: Math.max(30_000, destination.timeoutMs * 3),
    maxRetryCount: destination.retry.maxAttempts,
    liveBufferSize: Math.max(500, destination.maxPending),
    historyBufferSize: Math.max(500, destination.maxPending),
  });
}

export function eventStoreDbSharedSubscription(client: EventStoreDBClient, destination: DestinationConfig): SharedSubscription {
  const group = sharedGroupName(destination.name);
  let current: PersistentSubscriptionToAll | undefined;
  return {
    group,
    async ensureGroup() {
      try {
        await client.createPersistentSubscriptionToAll(group, sharedGroupSettings(destination), {
          filter: streamNameFilter({ prefixes: [...LEDGER_STREAM_PREFIXES] }),
        });
      } catch (error) {
        if (!(error instanceof PersistentSubscriptionExistsError)) throw error;
      }
    },
    async *messages(): AsyncGenerator<SharedMessage> {
      const subscription = client.subscribeToPersistentSubscriptionToAll(group, { bufferSize: Math.min(destination.maxPending, 2000) });
      current = subscription;
      try {
        for await (const resolved of subscription) {
          const event = toRecordedEvent(resolved);
          if (event === undefined) {
            await subscription.ack(resolved); // not one of ours (a system event): nothing to deliver
            continue;
          }
          yield {
            event,
            retryCount: resolved.retryCount,
            ack: () => subscription.ack(resolved),
            nack: (action, reason) => subscription.nack(action === 'park' ? PARK : RETRY, reason, resolved),
          };
        }
      } finally {
        if (current === subscription) current = undefined;
        await subscription.unsubscribe().catch(() => undefined);
      }
    },
    async close() {
      await current?.unsubscribe().catch(() => undefined);
    },
    async parkedCount() {
      const { stats } = await client.getPersistentSubscriptionToAllInfo(group);
      return Number(stats.parkedMessageCount);
    },
    async replayParked() {
      await client.replayParkedMessagesToAll(group);
    },
  };
}
