// Forwarding's clock: the wall clock when the process starts, then the time that has passed, so that setting the system clock back or forth does not move a retry's wait, a breaker's cool-down or a delivery's age.

/**
 * Milliseconds since the epoch that never go back: the wall clock read once, plus the monotonic time elapsed since. A clock
 * set back an hour would otherwise hold every retry due meanwhile (and an open breaker) an hour longer, and one set forward
 * would age pending deliveries past their `maxAgeSeconds` at once. What it gives drifts from the wall clock by the steps taken
 * since the start (NTP's slewing is followed; only a step is not).
 */
export function steadyClock(wall: () => number = Date.now, monotonic: () => number = () => performance.now()): () => number {
  const [wallAtStart, monotonicAtStart] = [wall(), monotonic()];
  return () => wallAtStart + Math.round(monotonic() - monotonicAtStart);
}
