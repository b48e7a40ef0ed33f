// Long reads of a query connection done a step per turn of the event loop, inside one read transaction held across them.
import type { ReadModelDatabase } from './projectionDefinition';

/** Runs each slice of a long read in a turn of the event loop of its own (EventLoopTurns). */
export interface Turns {
  run<T>(slice: () => T): Promise<T>;
}

/** A computation made of steps: a generator that yields between them and returns its result. */
export type Steps<T> = Generator<void, T>;

/** Runs the steps to their end at once. */
export function toTheEnd<T>(steps: Steps<T>): T {
  for (let step = steps.next(); ; step = steps.next()) if (step.done === true) return step.value;
}

/** Runs the steps a step a turn; `first` before the first step, in its turn. */
export async function inTurns<T>(steps: Steps<T>, turns: Turns, first?: () => void): Promise<T> {
  for (let started = false; ; started = true) {
    const step = await turns.run(() => {
      if (!started) first?.();
      return steps.next();
    });
    if (step.done === true) return step.value;
  }
}

/**
 * The sliced reads of one connection: each a step per turn, inside a read transaction of its own held across its turns, so
 * that a batch projected meanwhile counts in all of its reads or in none. Meanwhile the connection's other reads see the
 * same state of the file; sliced reads take their turns one after another.
 */
export function slicedReads(db: ReadModelDatabase): <T>(steps: () => Steps<T>, turns: Turns) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(steps: () => Steps<T>, turns: Turns): Promise<T> => {
    const read = last.then(async () => {
      let began = false;
      try {
        return await inTurns(steps(), turns, () => {
          db.exec('BEGIN');
          began = true;
        });
      } finally {
        // A swap to a new file closes this connection, and the read with it.
        if (began && db.open && db.inTransaction) db.exec('COMMIT');
      }
    });
    last = read.catch(() => undefined);
    return read;
  };
}
