// What the service asks of forwarding, wherever it runs (its own thread on the embedded store, in process on EventStoreDB).
import type { BreakerState } from './circuitBreaker';
import type { AttemptLogEntry, DeliveryLogEntry, DeliveryLogFilter } from './deliveryLog';
import type { DestinationStatus } from './destinationForwarder';
import type { ReplayRange } from './logReader';

/** Status fields a shared group on EventStoreDB cannot know (the server keeps the group's position, not this instance): null there. */
type UnknownWhenShared = 'breaker' | 'checkpoint' | 'deliveredThrough' | 'lagEvents' | 'lagSeconds' | 'deadLetterCount';

/** A destination as operators see it: its status with where it sends to and whether it is paused. */
export interface DestinationView extends Omit<DestinationStatus, UnknownWhenShared> {
  breaker: BreakerState | null;
  checkpoint: bigint | null;
  deliveredThrough: bigint | null;
  lagEvents: number | null;
  lagSeconds: number | null;
  deadLetterCount: number | null;
  url: string;
  format: string;
  paused: boolean;
  /** The EventStoreDB persistent subscription group the instances share; null when this process follows the log with its own checkpoint. */
  group: string | null;
  /** Deliveries this instance finished with a 2xx since it started (shared groups); null on the checkpoint path, whose delivery log holds them. */
  deliveredCount: number | null;
}

/** A delivery with every attempt at it, and its cursor in the listing. */
export interface DeliveryView extends DeliveryLogEntry {
  cursor: string;
  attemptLog: AttemptLogEntry[];
}

export interface DeliveryPageView {
  deliveries: DeliveryView[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
  totalCount: number;
}

export interface ForwardingControl {
  destinations(): Promise<DestinationView[]>;
  /** A destination's deliveries, newest first. */
  deliveries(destination: string, filter: DeliveryLogFilter, first: number, after: string | null): Promise<DeliveryPageView>;
  pause(destination: string): Promise<DestinationView>;
  resume(destination: string): Promise<DestinationView>;
  /** Resolves once the whole range is offered (it waits for room in the destination's window). */
  replay(destination: string, range: ReplayRange): Promise<{ offered: number }>;
  redeliverDeadLetters(destination: string): Promise<{ redelivered: number }>;
  /** Stops taking events in; in-flight deliveries get the shutdown grace to finish. */
  close(): Promise<void>;
}

/** The operations a caller may name (across a thread, say). */
export type ForwardingOperation = Exclude<keyof ForwardingControl, 'close'>;

/** No destination by that name, or forwarding is off. */
export class UnknownDestinationError extends Error {
  readonly code = 'UNKNOWN_DESTINATION';
  constructor(message: string) {
    super(message);
    this.name = 'UnknownDestinationError';
  }
}

/** A replay range that cannot be: both kinds, neither, or an end before its start. */
export class InvalidReplayRangeError extends Error {
  readonly code = 'INVALID_REPLAY_RANGE';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReplayRangeError';
  }
}

/** The operation cannot be done where forwarding runs now (shared groups keep no delivery log and no position of their own). */
export class UnsupportedForwardingOperationError extends Error {
  readonly code = 'UNSUPPORTED_OPERATION';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedForwardingOperationError';
  }
}

const off = (): never => {
  throw new UnknownDestinationError('forwarding is off: FORWARD_CONFIG is not set');
};

/** Forwarding when FORWARD_CONFIG is unset: no destinations, and every operation says why it cannot be done. */
export const NO_FORWARDING: ForwardingControl = {
  destinations: async () => [],
  deliveries: async () => off(),
  pause: async () => off(),
  resume: async () => off(),
  replay: async () => off(),
  redeliverDeadLetters: async () => off(),
  close: async () => undefined,
};
