// How far behind the page is: the age of the newest callback it shows, on the service's clock, while more arrive.
//
// Every callbackReceived message carries `receivedAt`, the service's clock, which the page reckons from the smallest
// (arrival − receivedAt) seen (serviceClock.js): what a message's age exceeds that by is lag. A page too busy to read its
// socket gets each message late, so the lag shows as soon as it reads one; a page that has rendered what it received
// and hears nothing more is caught up.
import { heardServiceTime, serviceNow } from './serviceClock.js';

/** Show "Behind" from this lag on, and "Live" again below the lower figure (so the badge does not flicker). */
const BEHIND_FROM_MS = 2_000;
const CAUGHT_UP_BELOW_MS = 1_000;
/** With nothing arriving for this long, and the page's timers on time, there is nothing left to catch up on. */
const QUIET_MS = 750;
const CHECK_EVERY_MS = 250;

export class PageLag {
  constructor(onChange) {
    this.onChange = onChange;
    this.newestReceivedAt = -Infinity;
    this.lastArrival = -Infinity;
    this.lagMs = 0;
    this.behind = false;
    let lastCheck = performance.now();
    setInterval(() => {
      const now = performance.now();
      // A late timer means the page was busy: messages may be waiting to be read, so nothing is concluded.
      const onTime = now - lastCheck < CHECK_EVERY_MS + 250;
      lastCheck = now;
      if (onTime && now - this.lastArrival > QUIET_MS) this.set(0);
    }, CHECK_EVERY_MS);
  }

  /** A callbackReceived message was read now. */
  arrived(receivedAtIso) {
    const receivedAt = Date.parse(receivedAtIso);
    if (!Number.isFinite(receivedAt)) return;
    // Once the service's clock was set back, the times before the step are no measure of the newest.
    this.newestReceivedAt = heardServiceTime(receivedAt) ? receivedAt : Math.max(this.newestReceivedAt, receivedAt);
    this.lastArrival = performance.now();
  }

  /** What the page shows is up to date with every message read so far: measure how old the newest of them is. */
  rendered() {
    if (this.newestReceivedAt === -Infinity) return;
    this.set(Math.max(0, serviceNow() - this.newestReceivedAt));
  }

  set(lagMs) {
    const behind = this.behind ? lagMs >= CAUGHT_UP_BELOW_MS : lagMs >= BEHIND_FROM_MS;
    const changed = behind !== this.behind || (behind && Math.round(lagMs / 1000) !== Math.round(this.lagMs / 1000));
    this.lagMs = lagMs;
    this.behind = behind;
    if (changed) this.onChange();
  }

  /** "12 s", for the badge. */
  describe() {
    return `${Math.max(1, Math.round(this.lagMs / 1000))} s`;
  }
}
