// Forwarding's Prometheus metrics: deliveries by outcome, attempt latency, and per destination its lag, dead letters and breaker.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from './circuitBreaker';
import type { DestinationView } from './forwardingControl';
import type { ForwardingMetrics } from './forwardingMetrics';
import { METRIC_PREFIX } from '../metrics/serviceMetrics';

const PREFIX = `${METRIC_PREFIX}forward_`;
const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open'];
/** From a loopback answer (1 ms) to the longest timeout a destination may set (300 s). */
const ATTEMPT_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Gauges of one scrape share one read of the destinations' status. */
const STATUS_REUSE_MS = 500;

/** Registers forwarding's metrics in `registry`; `statuses` is read at scrape time: lag, dead letters and breaker state as they are then. */
export function forwardingPrometheus(registry: Registry, statuses: () => Promise<DestinationView[]>): ForwardingMetrics {
  const registers = [registry];
  const deliveries = new Counter({
    name: `${PREFIX}deliveries_total`,
    help: 'Deliveries finished, by destination and outcome (delivered: a 2xx; dead_lettered: given up)',
    labelNames: ['destination', 'outcome'] as const,
    registers,
  });
  const attempts = new Histogram({
    name: `${PREFIX}attempt_duration_seconds`,
    help: 'HTTP attempts by destination and result (success: a 2xx), from sending to the answer or its failure',
    labelNames: ['destination', 'result'] as const,
    buckets: ATTEMPT_SECONDS_BUCKETS,
    registers,
  });

  let last: { at: number; statuses: Promise<DestinationView[]> } | null = null;
  const snapshot = (): Promise<DestinationView[]> => {
    // The monotonic clock: a system clock set back kept one read of the status, and every gauge, for as long.
    const now = performance.now();
    if (last === null || now - last.at > STATUS_REUSE_MS) last = { at: now, statuses: statuses().catch(() => []) };
    return last.statuses;
  };
  const perDestination = (name: string, help: string, value: (status: DestinationView) => number | null) =>
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      labelNames: ['destination'] as const,
      registers,
      async collect() {
        this.reset();
        for (const status of await snapshot()) {
          const measured = value(status);
          // Unknown where forwarding runs (a shared group): no sample rather than a made-up one.
          if (measured !== null) this.set({ destination: status.name }, measured);
        }
      },
    });
  perDestination('lag_events', "Events of the log after the destination's deliveredThrough position", (s) => s.lagEvents);
  perDestination('lag_seconds', 'Age of the oldest pending delivery, from when its callback was received; 0 when none is pending', (s) => s.lagSeconds);
  perDestination('dead_letters', 'Deliveries given up and kept for redelivery', (s) => s.deadLetterCount);
  perDestination('pending', 'Deliveries waiting or in flight', (s) => s.pendingCount);
  perDestination('paused', 'Whether the destination is paused (1) or not (0)', (s) => (s.paused ? 1 : 0));
  new Gauge({
    name: `${PREFIX}breaker_state`,
    help: "Each destination's circuit breaker: 1 for its current state (closed, open, half-open), 0 for the others",
    labelNames: ['destination', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const status of await snapshot()) {
        if (status.breaker === null) continue;
        for (const state of BREAKER_STATES) this.set({ destination: status.name, state }, state === status.breaker ? 1 : 0);
      }
    },
  });

  return {
    countDelivery: (destination, outcome) => deliveries.inc({ destination, outcome }),
    observeAttempt: (destination, result, seconds) => attempts.observe({ destination, result }, seconds),
    // Read from the status at scrape time: the breaker's state is always the current one there.
    setBreakerState: () => undefined,
  };
}
