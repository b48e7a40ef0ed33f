// Subscription messages delivered in turns of the event loop, a bounded number per turn, so that callbacks are answered between them.

/**
 * Messages delivered per turn at most: each is a subscription's execution and a WebSocket write on the thread that
 * answers CSS (some 50 µs), so a turn takes a few milliseconds however many subscriptions a change reaches.
 */
export const DELIVERIES_PER_TURN = 100;

/**
 * A turn's allowance of deliveries, shared by every subscription. A reader that finds a message queued takes it at once
 * while the turn has room; otherwise it waits, and is woken in a later turn (setImmediate, after pending I/O).
 */
export class DeliveryTurns {
  private room: number;
  private readonly woken = new Set<() => void>();
  private scheduled = false;

  constructor(private readonly perTurn = DELIVERIES_PER_TURN) {
    this.room = perTurn;
  }

  /** Takes one delivery from this turn's room; false when it is spent (then wait for a turn). */
  take(): boolean {
    if (this.room > 0) {
      this.room--;
      this.schedule(); // the room is renewed in the next turn
      return true;
    }
    return false;
  }

  /** Calls `wake` in a coming turn, once, with one delivery of that turn's room taken for it. */
  wakeLater(wake: () => void): void {
    this.woken.add(wake);
    this.schedule();
  }

  /** Forgets a wake not yet called (its subscription ended). */
  cancel(wake: () => void): void {
    this.woken.delete(wake);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    this.room = this.perTurn;
    for (const wake of this.woken) {
      if (this.room === 0) break;
      this.woken.delete(wake);
      this.room--;
      wake();
    }
    if (this.woken.size > 0) this.schedule();
  }
}
