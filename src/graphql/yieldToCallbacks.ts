// When GraphQL requests over HTTP give way to CSS's callbacks: they run on the thread that answers CSS.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** What the callback route tells of the callbacks it is answering (CallbacksInFlight). */
export interface CallbacksAnswering {
  oldestWaitMs(): number;
  /** Callbacks being answered now. */
  readonly count: number;
  /** Callbacks admitted since the start. */
  readonly admitted: number;
}

/** The main thread's share of busy time over a window past which callbacks have the thread to themselves. */
export const BUSY_SHARE = 0.9;
const WINDOW_MS = 500;

export type YieldReason = 'waited' | 'busy';

/**
 * Requests yield (are refused at once) while a callback has waited longer than `afterMs` for its answer (a stalled
 * append, say), or while callbacks are being answered on a thread that was busy BUSY_SHARE of the last half second with
 * callbacks arriving: queries that read pages from the disk hold the thread as they wait, and the callbacks behind them
 * pile up in their clients. A burst of callbacks that is over leaves none being answered: the next query runs.
 */
export class YieldToCallbacks {
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private admittedAtLast: number;
  private busyWithCallbacks = false;
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly callbacks: CallbacksAnswering,
    private readonly afterMs: number,
  ) {
    this.admittedAtLast = callbacks.admitted;
    this.timer = afterMs > 0 ? setInterval(() => this.sample(), WINDOW_MS).unref() : null;
  }

  /** Why a request should yield now, with what was seen; null when it may run. */
  reason(): { reason: YieldReason; message: string } | null {
    if (this.afterMs <= 0) return null;
    const waited = this.callbacks.oldestWaitMs();
    if (waited > this.afterMs) {
      return { reason: 'waited', message: `a CSS callback has waited ${Math.round(waited)} ms for its answer (GRAPHQL_YIELD_TO_CALLBACKS_AFTER_MS ${this.afterMs})` };
    }
    if (this.busyWithCallbacks && this.callbacks.count > 0) {
      return { reason: 'busy', message: `the thread that answers CSS callbacks was busy over ${BUSY_SHARE * 100}% of the last ${WINDOW_MS} ms` };
    }
    return null;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.last);
    const admitted = this.callbacks.admitted;
    this.busyWithCallbacks = utilization >= BUSY_SHARE && admitted > this.admittedAtLast;
    [this.last, this.admittedAtLast] = [now, admitted];
  }
}
