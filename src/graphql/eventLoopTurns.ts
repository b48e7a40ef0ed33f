// Long reads of GraphQL requests done a slice at a time, each in a turn of the event loop of its own.
//
// Resolvers of one request all start in the same tick: were each to read a task's thousands of events
// at once, callbacks and other requests would wait for all of them. Slices run one after another, each
// after the event loop has had a turn to serve what came in meanwhile.

/** What an operation's GraphQL context carries over HTTP: the service's turns, for work that may wait for one of its own. */
export interface TurnsContext {
  turns?: EventLoopTurns;
}

/** Work done through `soon` in one turn before the next waits for a turn of its own: a few quick counts share a turn. */
export const SOON_BUDGET_MS = 10;

export class EventLoopTurns {
  private last: Promise<unknown> = Promise.resolve();

  /** Milliseconds of work done through `soon` in the current turn; set back to 0 in the next one. */
  private spent = 0;

  /**
   * @param budgetMs how long the work done through `soon` may take in one turn before the next waits for a turn of its own
   * @param now the clock it is measured with
   */
  constructor(
    private readonly budgetMs = SOON_BUDGET_MS,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /**
   * Runs `work` at once while the work done through `soon` in this turn took less than the budget, else as `run` does, in
   * a later turn. One request can ask for fifteen counts of tens of milliseconds each (aliases), all in one turn: 0.8 s
   * that CSS's callbacks would wait. Each still runs whole.
   */
  soon<T>(work: () => T): T | Promise<T> {
    if (this.spent >= this.budgetMs) return this.run(() => this.measured(work));
    return this.measured(work);
  }

  private measured<T>(work: () => T): T {
    const started = this.now();
    try {
      return work();
    } finally {
      // The first work of a turn sets the spending back to 0 in the next; it never stays 0 after work, however quick.
      if (this.spent === 0) setImmediate(() => (this.spent = 0));
      this.spent += Math.max(this.now() - started, Number.MIN_VALUE);
    }
  }

  /**
   * These turns for one client's request: a slice whose turn comes once `gone` says the client went away is not run, and
   * the read it belongs to fails. A statistic is read over hundreds of turns; one nobody waits for would hold its place.
   */
  forClient(gone: () => boolean): Pick<EventLoopTurns, 'run'> {
    return {
      run: <T>(slice: () => T | Promise<T>) =>
        this.run(() => {
          if (gone()) throw new Error('the client went away: the rest of its read is not done');
          return slice();
        }),
    };
  }

  /** Runs `slice` once the slices asked for before it (by any request) have run, in a later turn of the loop. */
  run<T>(slice: () => T | Promise<T>): Promise<T> {
    const turn = this.last.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(slice);
    this.last = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The items of a list answer, those past the first `perTurn` as promises settled `perTurn` at a time, each group in a turn
   * of its own: graphql-js completes an item's fields once it settles, so a list of tens of thousands of objects is not
   * worked out, field by field, in one turn. A list of `perTurn` items or fewer comes back as it is.
   */
  spread<T>(items: readonly T[], perTurn: number): ReadonlyArray<T | Promise<T>> {
    if (items.length <= perTurn) return items;
    const spread: Array<T | Promise<T>> = items.slice(0, perTurn);
    for (let start = perTurn; start < items.length; start += perTurn) {
      const turn = this.run(() => undefined);
      for (const item of items.slice(start, start + perTurn)) spread.push(turn.then(() => item));
    }
    return spread;
  }
}
