// What the service asks of forwarding, wherever it runs (its own thread on the embedded store, in process on EventStoreDB).
import type { AttemptLogEntry, DeliveryLogEntry, DeliveryLogFilter } from './deliveryLog';
import type { DestinationStatus } from './destinationForwarder';
import type { ReplayRange } from './logReader';

/** A destination as operators see it: its status with where it sends to and whether it is paused. */
export interface DestinationView extends DestinationStatus {
  url: string;
  format: string;
  paused: boolean;
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
