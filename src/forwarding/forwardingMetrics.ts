// What forwarding reports as it goes, for whoever counts it (Prometheus in the service); the engine itself counts nothing.
import type { BreakerState } from './circuitBreaker';

export type DeliveryOutcome = 'delivered' | 'dead_lettered';

export interface ForwardingMetrics {
  /** A delivery finished. */
  countDelivery(destination: string, outcome: DeliveryOutcome): void;
  /** An HTTP attempt ended: `success` is a 2xx; seconds from sending to the answer (or its failure). */
  observeAttempt(destination: string, result: 'success' | 'failure', seconds: number): void;
  /** The destination's circuit breaker changed state. */
  setBreakerState(destination: string, state: BreakerState): void;
}

/** Where forwarding writes its log lines; pino's logger fits. */
export interface ForwardingLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const noMetrics: ForwardingMetrics = {
  countDelivery() {},
  observeAttempt() {},
  setBreakerState() {},
};

export const noLogger: ForwardingLogger = {
  info() {},
  warn() {},
  error() {},
};
