// Forwarding through shared groups on EventStoreDB: each destination a SharedForwarder of its group, with what status and operations a group allows.
import type { Logger } from 'pino';
import { deliveryFormatter } from './deliveryFormat';
import { shownUrl, type DestinationConfig, type ForwardConfig } from './forwardConfig';
import { UnknownDestinationError, UnsupportedForwardingOperationError, type DestinationView, type ForwardingControl } from './forwardingControl';
import { noMetrics, type ForwardingMetrics } from './forwardingMetrics';
import { httpSender, type DeliverySender } from './httpSender';
import { SharedForwarder } from './sharedForwarder';
import type { SharedSubscription } from './sharedSubscription';

export interface SharedForwardingOptions {
  config: ForwardConfig;
  /** The destination's group (EventStoreDB's persistent subscription in the service; an in-memory group in tests). */
  subscriptionOf: (destination: DestinationConfig) => SharedSubscription;
  logger: Logger;
  metrics?: ForwardingMetrics;
  /** How long in-flight deliveries may take to finish at shutdown. */
  shutdownGraceMs: number;
  /** Where deliveries go; the destination's URL over HTTP unless a test hands its own. */
  sender?: (destination: DestinationConfig) => DeliverySender;
  /** Wait before joining a group again after its connection ended. */
  rejoinDelayMs?: number;
}

interface SharedDestination {
  destination: DestinationConfig;
  subscription: SharedSubscription;
  forwarder: SharedForwarder;
  sender: DeliverySender;
}

const why = {
  pause: 'the group is shared by every instance on this EventStoreDB, and pausing one instance would only hand its share to the others',
  replay: 'the group keeps its own position on the server, so this instance cannot offer a range of the log again',
  deliveries: 'shared groups keep no delivery log; deliveries are counted in /metrics and dead letters are the group’s parked messages',
};

function unsupported(operation: string, destination: string, reason: string): never {
  throw new UnsupportedForwardingOperationError(`${operation} is not available for ${destination} on shared delivery (EventStoreDB): ${reason}`);
}

export function startSharedForwarding(options: SharedForwardingOptions): ForwardingControl {
  const { config, logger } = options;
  const metrics = options.metrics ?? noMetrics;
  const shared = new Map<string, SharedDestination>();
  for (const destination of config.destinations) {
    const subscription = options.subscriptionOf(destination);
    const sender = options.sender?.(destination) ?? httpSender(destination.url, { timeoutMs: destination.timeoutMs, connections: destination.concurrency });
    const forwarder = new SharedForwarder({
      destination,
      subscription,
      sender,
      format: deliveryFormatter(destination),
      logger: logger.child({ destination: destination.name, group: subscription.group }),
      metrics,
      ...(options.rejoinDelayMs === undefined ? {} : { rejoinDelayMs: options.rejoinDelayMs }),
    });
    shared.set(destination.name, { destination, subscription, forwarder, sender });
  }
  for (const { forwarder } of shared.values()) forwarder.start();
  logger.info({ destinations: [...shared.keys()] }, `forwarding to ${shared.size} destination(s) through shared groups on EventStoreDB`);

  const sharedOf = (name: string): SharedDestination => {
    const found = shared.get(name);
    if (found === undefined) throw new UnknownDestinationError(`no destination is named ${JSON.stringify(name)}; FORWARD_CONFIG names ${[...shared.keys()].join(', ')}`);
    return found;
  };
  const parkedCount = async ({ subscription }: SharedDestination): Promise<number | null> => {
    try {
      return await subscription.parkedCount();
    } catch (error) {
      // Often just a group not created yet; a failing connection shows as the destination's lastError.
      logger.debug({ err: error, group: subscription.group }, 'cannot read the group’s parked message count');
      return null;
    }
  };
  const view = async (entry: SharedDestination): Promise<DestinationView> => {
    const { destination, subscription, forwarder } = entry;
    const progress = forwarder.progress();
    return {
      name: destination.name,
      url: shownUrl(destination.url),
      format: destination.format,
      state: 'active',
      paused: false,
      group: subscription.group,
      deliveredCount: forwarder.counts.delivered,
      breaker: null,
      checkpoint: null,
      deliveredThrough: null,
      lagEvents: null,
      lagSeconds: null,
      deadLetterCount: await parkedCount(entry),
      lastDeliveredPosition: progress.lastDeliveredPosition,
      lastDeliveredAt: progress.lastDeliveredAt,
      lastError: progress.lastError,
      pendingCount: progress.held,
      inFlightCount: progress.inFlight,
    };
  };

  return {
    destinations: () => Promise.all([...shared.values()].map(view)),
    async deliveries(destination) {
      return unsupported('the delivery log', sharedOf(destination).destination.name, why.deliveries);
    },
    async pause(destination) {
      return unsupported('pausing', sharedOf(destination).destination.name, why.pause);
    },
    async resume(destination) {
      return unsupported('resuming', sharedOf(destination).destination.name, why.pause);
    },
    async replay(destination) {
      return unsupported('replaying a range', sharedOf(destination).destination.name, why.replay);
    },
    async redeliverDeadLetters(destination) {
      const entry = sharedOf(destination);
      // The server does not say how many it replays: the count it held just before is the best answer.
      const redelivered = (await parkedCount(entry)) ?? 0;
      await entry.subscription.replayParked();
      logger.info({ destination, group: entry.subscription.group, redelivered }, 'parked messages replayed to the group');
      return { redelivered };
    },
    async close() {
      const all = [...shared.values()];
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.shutdownGraceMs)));
      const stopping = Promise.all(all.map(({ forwarder }) => forwarder.stop()));
      await Promise.race([stopping, grace]);
      clearTimeout(timer);
      // Deliveries still unanswered are cut: unacked, the group hands them out again.
      for (const { sender } of all) sender.abortAll();
      await stopping;
      await Promise.all(all.map(({ sender }) => sender.close()));
    },
  };
}
