// GraphQL's own metrics: subscriptions open, subscribers dropped for falling behind, WebSockets refused for their number, throttled or cut for silence, in the registry it is given.
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics/serviceMetrics';
import { DROP_REASONS, type DropReason } from './subscriber';

/** What the WebSocket server records about its subscribers. */
export interface SubscriberMetrics {
  /** A subscriber (a WebSocket) closed for holding more pending than its bounds allow. */
  countDropped(reason: DropReason): void;
  /** A WebSocket refused because GRAPHQL_WS_MAX_CONNECTIONS were open. */
  countRefused(): void;
  /** A WebSocket not read for a while: it, or all of them, sent messages faster than allowed. */
  countThrottled(): void;
  /** A WebSocket cut for not answering a ping within GRAPHQL_WS_PING_INTERVAL_MS. */
  countUnanswered(): void;
}

export function registerSubscriberMetrics(registry: Registry, subscriberCount: () => number): SubscriberMetrics {
  const registers = [registry];
  new Gauge({
    name: `${METRIC_PREFIX}graphql_subscriptions`,
    help: 'GraphQL subscriptions open now, over every topic',
    registers,
    collect() {
      this.set(subscriberCount());
    },
  });
  const subscribersDropped = new Counter({
    name: `${METRIC_PREFIX}graphql_subscribers_dropped_total`,
    help: 'GraphQL WebSockets closed for falling behind: more messages (pending_messages) or unsent bytes (pending_bytes) than allowed',
    labelNames: ['reason'] as const,
    registers,
  });
  for (const reason of DROP_REASONS) subscribersDropped.inc({ reason }, 0);
  const webSocketsRefused = new Counter({
    name: `${METRIC_PREFIX}graphql_websockets_refused_total`,
    help: 'GraphQL WebSockets refused (503) because GRAPHQL_WS_MAX_CONNECTIONS were open',
    registers,
  });
  const webSocketsThrottled = new Counter({
    name: `${METRIC_PREFIX}graphql_websockets_throttled_total`,
    help: 'Times a GraphQL WebSocket was not read for a while: it sent messages faster than GRAPHQL_WS_MESSAGES_PER_SECOND, or all did faster than GRAPHQL_WS_TOTAL_MESSAGES_PER_SECOND',
    registers,
  });
  const webSocketsUnanswered = new Counter({
    name: `${METRIC_PREFIX}graphql_websockets_ping_unanswered_total`,
    help: 'GraphQL WebSockets cut for not answering a ping within GRAPHQL_WS_PING_INTERVAL_MS: their peer had gone without closing',
    registers,
  });
  return {
    countUnanswered: () => webSocketsUnanswered.inc(),
    countDropped: (reason) => subscribersDropped.inc({ reason }),
    countRefused: () => webSocketsRefused.inc(),
    countThrottled: () => webSocketsThrottled.inc(),
  };
}
