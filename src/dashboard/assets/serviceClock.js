// The service's clock as the page reckons it, so that "3 minutes ago", "live for" and "the last hour" are the service's
// and not those of a browser whose clock is off.
//
// Every callbackReceived message carries `receivedAt`, the service's time. Compared with the browser's monotonic clock
// (the page's start plus the time since, which no step of the machine's clock moves), each gives the difference of the
// two clocks plus how long the message took: never less than the difference, so the smallest seen since the page loaded
// is the best estimate. Until a message arrives, the browser's own clock stands in.
//
// Callbacks come in the order the service received them, so a time well before the latest heard means the service's
// clock was set back: the estimate starts over from it (a step forward needs nothing: its difference is smaller).

const browserNow = () => performance.timeOrigin + performance.now();

/** Callbacks received at once may be committed, and heard, this far out of order without a step of the clock. */
const STEP_BACK_MS = 2_000;

/** Browser's clock − service's clock, ms, plus the shortest delivery seen; Infinity before any. */
let difference = Infinity;
/** The latest time heard, on the service's clock as it now runs. */
let latest = -Infinity;

/** A time the service stamped (ms since the epoch) has just arrived; true when it shows the service's clock set back. */
export function heardServiceTime(serviceMs) {
  if (!Number.isFinite(serviceMs)) return false;
  const steppedBack = serviceMs < latest - STEP_BACK_MS;
  difference = steppedBack ? browserNow() - serviceMs : Math.min(difference, browserNow() - serviceMs);
  latest = steppedBack ? serviceMs : Math.max(latest, serviceMs);
  return steppedBack;
}

/** The service's clock now (ms since the epoch), as well as the page can tell. */
export function serviceNow() {
  return Number.isFinite(difference) ? browserNow() - difference : Date.now();
}
