// One client connection's subscriptions: a queue each of messages not yet sent, bounded together; past a bound, the client is dropped.
import { DeliveryTurns } from './deliveryTurns';

/**
 * Why a subscriber was dropped: too many messages queued for it, too many bytes its socket could not send, or the
 * service falling behind offering changes to every subscription while this subscriber held the most of them.
 */
export type DropReason = 'pending_messages' | 'pending_bytes' | 'most_subscriptions';
export const DROP_REASONS: readonly DropReason[] = ['pending_messages', 'pending_bytes', 'most_subscriptions'];

export interface SubscriberLimits {
  /** Messages queued over all of the subscriber's subscriptions, not yet taken for sending. */
  maxPendingMessages: number;
  /** Bytes written to its socket that the kernel has not taken (ws's bufferedAmount). */
  maxPendingBytes: number;
}

/**
 * A dashboard following a few thousand messages a second keeps a handful pending, and a projector batch (at most
 * 1,000 events, about two messages each) arrives at once; 10,000 leaves room for both and a second's stall. A
 * socket holds at most 64 KB unsent and one message per subscription beyond (graphql-ws then waits for each write: see
 * turnWebSocket.ts), so the byte bound is met only by many subscriptions of large messages over a socket that has
 * stopped draining.
 */
export const DEFAULT_SUBSCRIBER_LIMITS: SubscriberLimits = { maxPendingMessages: 10_000, maxPendingBytes: 8 * 1024 * 1024 };

export interface SubscriberOptions {
  limits: SubscriberLimits;
  /** Bytes its transport holds that the network has not taken yet. */
  pendingBytes(): number;
  /** Told once, when a bound is passed, before its subscriptions end: the place to close its connection. */
  onDrop(reason: DropReason, detail: string): void;
}

type Waiter<T> = (result: IteratorResult<T, undefined>) => void;

const DONE: IteratorResult<never, undefined> = { done: true, value: undefined };

/**
 * One subscription's queue, read by graphql-js as an async iterator; written by `offer`, which never blocks. A message
 * reaches its reader within the turns' room (see DeliveryTurns): queued until then, it counts against the bounds.
 */
export class SubscriptionQueue<T> implements AsyncIterableIterator<T, undefined> {
  private readonly queued: T[] = [];
  private readonly waiting: Array<Waiter<T>> = [];
  private open = true;
  private readonly wake = () => this.deliver();

  constructor(
    private readonly owner: Subscriber,
    private readonly turns: DeliveryTurns,
    private readonly accepts: (payload: T) => boolean,
    private readonly onEnd: () => void,
  ) {}

  get ended(): boolean {
    return !this.open;
  }

  /** Queues the payload, its waiting reader to be woken in a coming turn; then holds the subscriber to its bounds. */
  offer(payload: T): void {
    if (!this.open || !this.accepts(payload)) return;
    this.queued.push(payload);
    this.owner.countQueued(1);
    if (this.waiting.length > 0) this.turns.wakeLater(this.wake);
    this.owner.checkBounds();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.queued.length > 0 && this.turns.take()) return Promise.resolve({ done: false, value: this.shift() });
    if (!this.open) return Promise.resolve(DONE);
    if (this.queued.length > 0) this.turns.wakeLater(this.wake);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private shift(): T {
    this.owner.countQueued(-1);
    return this.queued.shift() as T;
  }

  /** In a turn, with its room taken: the first queued message to the first waiting reader. */
  private deliver(): void {
    if (this.waiting.length === 0 || this.queued.length === 0) return;
    this.waiting.shift()!({ done: false, value: this.shift() });
  }

  /** The reader stopped (unsubscribed, or its socket closed): what is queued is let go at once. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.end();
    return Promise.resolve(DONE);
  }

  throw(): Promise<IteratorResult<T, undefined>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  end(): void {
    if (!this.open) return;
    this.open = false;
    this.turns.cancel(this.wake);
    this.owner.countQueued(-this.queued.length);
    this.queued.length = 0;
    for (const reader of this.waiting.splice(0)) reader(DONE);
    this.onEnd();
  }
}

/** A client connection with any number of subscriptions, held to one bound in messages and one in bytes. */
export class Subscriber {
  private readonly subscriptions = new Set<{ end(): void }>();
  private queued = 0;
  private dropReason: DropReason | null = null;

  constructor(
    private readonly options: SubscriberOptions,
    private readonly turns: DeliveryTurns = new DeliveryTurns(),
  ) {}

  get pendingMessages(): number {
    return this.queued;
  }

  get dropped(): boolean {
    return this.dropReason !== null;
  }

  /** A new subscription; `onEnd` runs once when it ends, whether returned or dropped. Already ended once dropped. */
  open<T>(accepts: (payload: T) => boolean, onEnd: () => void): SubscriptionQueue<T> {
    const queue: SubscriptionQueue<T> = new SubscriptionQueue(this, this.turns, accepts, () => {
      this.subscriptions.delete(queue);
      onEnd();
    });
    this.subscriptions.add(queue);
    if (this.dropped) queue.end();
    return queue;
  }

  /** Its queues report what they hold here. */
  countQueued(delta: number): void {
    this.queued += delta;
  }

  /** Drops the subscriber once it holds more than its limits allow. */
  checkBounds(): void {
    if (this.dropped) return;
    const { maxPendingMessages, maxPendingBytes } = this.options.limits;
    if (this.queued > maxPendingMessages) {
      this.drop('pending_messages', `${this.queued} messages pending, more than ${maxPendingMessages}`);
      return;
    }
    const bytes = this.options.pendingBytes();
    if (bytes > maxPendingBytes) this.drop('pending_bytes', `${bytes} bytes unsent, more than ${maxPendingBytes}`);
  }

  /** Subscriptions open now. */
  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  drop(reason: DropReason, detail: string): void {
    if (this.dropped) return;
    this.dropReason = reason;
    try {
      this.options.onDrop(reason, detail);
    } finally {
      for (const subscription of [...this.subscriptions]) subscription.end();
    }
  }
}
