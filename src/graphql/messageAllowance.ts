// How fast GraphQL WebSockets may send: each socket and all of them together, so that their messages never crowd out CSS's callbacks.
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

export interface SocketAllowance {
  take(messages?: number): number;
  wait(): number;
}

/**
 * What a message costs beyond the first `MESSAGE_CHECK_MS` of its check, in messages: one more for each further
 * `MESSAGE_CHECK_MS` (a subscribe whose document is new to the service, or large). A document checked once costs
 * tens of microseconds; one of a thousand fields named alike, several milliseconds: counted as one message, a thousand
 * of those a second (the default allowance of all sockets) would take the thread that answers CSS whole.
 */
export const MESSAGE_CHECK_MS = 0.1;
export const messagesOfCheck = (checkMs: number): number => Math.floor(checkMs / MESSAGE_CHECK_MS);

/**
 * The allowance of every WebSocket and of all of them together. A message over either is still handled (it has been
 * read), and the socket stops being read for as long as it takes to pay it back: a client that floods waits in its
 * own TCP buffers, and the service handles at most `allSockets` messages a second in all (after a burst).
 */
export class MessageAllowances {
  private readonly shared: Allowance;

  constructor(
    private readonly rates: MessageRates,
    // Monotonic: a clock set back must not put every socket in debt.
    private readonly now: () => number = () => performance.now(),
  ) {
    this.shared = new Allowance(rates.allSockets, SHARED_BURST_SECONDS, now());
  }

  /**
   * A socket's own allowance: `take()` counts one message (or `messages`: one that cost as much as that many) and says
   * how long its socket should not be read (ms); `wait()` says how long is left, messages read meanwhile included.
   */
  forSocket(): SocketAllowance {
    const own = new Allowance(this.rates.perSocket, SOCKET_BURST_SECONDS, this.now());
    return {
      take: (messages = 1) => {
        const now = this.now();
        return Math.max(own.take(now, messages), this.shared.take(now, messages));
      },
      wait: () => {
        const now = this.now();
        return Math.max(own.wait(now), this.shared.wait(now));
      },
    };
  }
}
