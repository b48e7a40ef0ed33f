// The service's clock as the page reckons it, so that "3 minutes ago", "live for" and "the last hour" are the service's
// and not those of a browser whose clock is off.
//
// Every callbackReceived message carries `receivedAt`, the service's time. Compared with the browser's monotonic clock
// (the page's start plus the time since, which no step of the machine's clock moves), each gives the difference of the
// two clocks plus how long the message took: never less than the difference, so the smallest seen since the page loaded
// is the best estimate. Until a message arrives, the browser's own clock stands in.

const browserNow = () => performance.timeOrigin + performance.now();

/** Browser's clock − service's clock, ms, plus the shortest delivery seen; Infinity before any. */
let difference = Infinity;

/** A time the service stamped (ms since the epoch) has just arrived. */
export function heardServiceTime(serviceMs) {
  if (Number.isFinite(serviceMs)) difference = Math.min(difference, browserNow() - serviceMs);
}

/** The service's clock now (ms since the epoch), as well as the page can tell. */
export function serviceNow() {
  return Number.isFinite(difference) ? browserNow() - difference : Date.now();
}
