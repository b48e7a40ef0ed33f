// How fast GraphQL WebSockets may send, and how much of the thread their subscribes' checks may take: each socket and all of them together, so that they never crowd out CSS's callbacks.
import { Allowance } from '../http/allowance';

export interface MessageRates {
  /** Messages a second one WebSocket may send, on average; a quiet one may send five seconds' worth at once. */
  perSocket: number;
  /** Messages a second all WebSockets together may send, on average; one second's worth at once. */
  allSockets: number;
}

/** Seconds of messages a quiet socket may send at once: a page subscribing to all it shows. */
const SOCKET_BURST_SECONDS = 5;
/** Seconds of messages all sockets may send at once: short, as each is work on the thread that answers CSS. */
const SHARED_BURST_SECONDS = 1;

/**
 * A subscribe's check (parse, validation, cost) up to this long is part of its message: a document the service has
 * checked before costs tens of microseconds.
 */
const FREE_CHECK_MS = 0.1;
/**
 * Milliseconds of checking beyond the free part that one socket may cost the thread: 10 a second on average, 250 at
 * once. A page's first subscribes on a fresh service (nothing cached, nothing compiled yet) take some 20 ms; a client
 * sending documents of a thousand fields named alike, several ms each, is held to a few a second.
 */
const SOCKET_CHECK_MS_PER_SECOND = 10;
const SOCKET_CHECK_BURST_SECONDS = 25;
/** Milliseconds of checking all sockets together may cost the thread: a tenth of it, a tenth of a second at once. */
const SHARED_CHECK_MS_PER_SECOND = 100;
const SHARED_CHECK_BURST_SECONDS = 1;

/**
 * Milliseconds of CPU this thread has used, which is what a check costs it: on a machine whose cores are shared, the
 * wall time of a check also counts the time the thread waited for a core, and would put a page in debt for another
 * process's load. Wall time where Node cannot tell a thread's CPU (before 23.9).
 */
export const threadCpuMs: () => number =
  typeof process.threadCpuUsage === 'function'
    ? () => {
        const { user, system } = process.threadCpuUsage();
        return (user + system) / 1_000;
      }
    : () => performance.now();

export interface SocketAllowance {
  /** Counts one message; returns how long the socket should not be read (ms). */
  take(): number;
  /** Counts a subscribe's check of `checkMs` (of the thread's CPU); returns how long the socket should not be read (ms). */
  checked(checkMs: number): number;
  /** How long is left (ms), messages and checks counted meanwhile included. */
  wait(): number;
}

/**
 * The allowances of every WebSocket and of all of them together, in messages and in milliseconds of checking. What is
 * over either has been done (the message was read, the document checked), and the socket stops being read for as long
 * as it takes to pay it back: a client that floods waits in its own TCP buffers, and the service handles at most
 * `allSockets` messages and a tenth of its thread's time in checks a second in all (after a burst).
 */
export class MessageAllowances {
  private readonly sharedMessages: Allowance;
  private readonly sharedChecks: Allowance;

  constructor(
    private readonly rates: MessageRates,
    // Monotonic: a clock set back must not put every socket in debt.
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sharedMessages = new Allowance(rates.allSockets, SHARED_BURST_SECONDS, now());
    this.sharedChecks = new Allowance(SHARED_CHECK_MS_PER_SECOND, SHARED_CHECK_BURST_SECONDS, now());
  }

  forSocket(): SocketAllowance {
    const messages = new Allowance(this.rates.perSocket, SOCKET_BURST_SECONDS, this.now());
    const checks = new Allowance(SOCKET_CHECK_MS_PER_SECOND, SOCKET_CHECK_BURST_SECONDS, this.now());
    const buckets = [messages, checks, this.sharedMessages, this.sharedChecks];
    const wait = (now: number) => {
      let longest = 0;
      for (const bucket of buckets) longest = Math.max(longest, bucket.wait(now));
      return longest;
    };
    return {
      take: () => {
        const now = this.now();
        messages.take(now, 1);
        this.sharedMessages.take(now, 1);
        return wait(now);
      },
      checked: (checkMs) => {
        const beyond = checkMs - FREE_CHECK_MS;
        const now = this.now();
        if (beyond > 0) {
          checks.take(now, beyond);
          this.sharedChecks.take(now, beyond);
        }
        return wait(now);
      },
      wait: () => wait(this.now()),
    };
  }
}
