// Long reads of GraphQL requests done a slice at a time, each in a turn of the event loop of its own.
//
// Resolvers of one request all start in the same tick: were each to read a task's thousands of events
// at once, callbacks and other requests would wait for all of them. Slices run one after another, each
// after the event loop has had a turn to serve what came in meanwhile.

export class EventLoopTurns {
  private last: Promise<unknown> = Promise.resolve();

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
