// Forwarding's two clocks: the system's for every time it records, shows or signs; the monotonic one for every wait it counts.

/**
 * A delivery's times are recorded, shown and signed (`webhook-timestamp`, which receivers hold to within minutes of their
 * own clock) as the system clock gives them. Its waits (a retry's delay, a `Retry-After`, a breaker's cool-down, the rate
 * limit, the age against `maxAgeSeconds`) are counted on the monotonic clock: set back an hour, the system clock would
 * hold every retry due meanwhile an hour longer; set forward, it would age pending deliveries past their limit at once.
 */
export interface ForwardingClock {
  /** Milliseconds since the epoch, as the system clock says now. */
  wall(): number;
  /** Milliseconds that only go forward, from an arbitrary start. */
  monotonic(): number;
}

export const systemClocks: ForwardingClock = { wall: () => Date.now(), monotonic: () => performance.now() };
