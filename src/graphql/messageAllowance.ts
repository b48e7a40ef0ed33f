// How fast GraphQL WebSockets may send: each socket and all of them together, so that their messages never crowd out CSS's callbacks.

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

/** A token bucket that may go into debt: a message read is a message handled, and the debt is paid by waiting. */
class Allowance {
  private tokens: number;
  private updatedAt: number;
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    burstSeconds: number,
    now: number,
  ) {
    this.capacity = perSecond * burstSeconds;
    this.tokens = this.capacity;
    this.updatedAt = now;
  }

  /** Takes `messages`; returns the milliseconds until the allowance is out of debt (0 if it is not in debt). */
  take(now: number, messages: number): number {
    this.refill(now);
    this.tokens -= messages;
    return this.debtMs();
  }

  /** The milliseconds until the allowance is out of debt, taking nothing. */
  wait(now: number): number {
    this.refill(now);
    return this.debtMs();
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }

  private debtMs(): number {
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }
}

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
