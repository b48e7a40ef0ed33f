// The port through which instances share a destination's deliveries: a server-coordinated group (EventStoreDB's persistent subscription).
import type { RecordedEvent } from '../eventstore/eventStore';

/** One event handed to this instance by the group; the server hands it to another instance unless it is acked or parked. */
export interface SharedMessage {
  readonly event: RecordedEvent;
  /** Times the server handed this event out before (0 the first time). */
  readonly retryCount: number;
  /** Done with it: delivered (or filtered out); the group moves on. */
  ack(): Promise<void>;
  /** `park`: dead-lettered (kept by the server for redelivery on request); `retry`: handed out again, to this or another instance. */
  nack(action: 'park' | 'retry', reason: string): Promise<void>;
}

export interface SharedSubscription {
  /** The group's name on the server. */
  readonly group: string;
  /** Creates the group when it does not exist yet; a group that exists already is left as it is. */
  ensureGroup(): Promise<void>;
  /** Joins the group: its messages until the connection ends (the iteration then throws) or close() is called. */
  messages(): AsyncIterable<SharedMessage>;
  /** Leaves the group; messages not acked yet go to the other instances. */
  close(): Promise<void>;
  /** Messages the group holds parked (its dead letters, across every instance); null when the server cannot say. */
  parkedCount(): Promise<number | null>;
  /** Hands every parked message out to the group again (the server's replay of parked messages). */
  replayParked(): Promise<void>;
}

/** The group of a destination: one per destination, the same name on every instance. */
export const sharedGroupName = (destination: string): string => `css-ledger-forward-${destination}`;
