// A reading thread's statistics: each waits for its turn in the main thread's admission, then is worked out on the thread.
import type { EventLoopTurns } from '../graphql/eventLoopTurns';
import { workOutInTurns, type StatisticsTurns } from '../graphql/statisticsAdmission';
import type { Turns } from '../processing/slicedReads';

/**
 * How many statistics are worked out at once, and wait, is counted on the main thread, over every thread (its metrics
 * too); the reads are done here, in this thread's turns. `askTurn` settles once the statistic's turn has come, with what
 * ends it, or rejects with the refusal.
 */
export class StatisticsAdmittedByMainThread implements StatisticsTurns {
  constructor(
    private readonly turns: EventLoopTurns,
    private readonly askTurn: () => Promise<() => void>,
  ) {}

  async workOut<T>(work: (turns: Turns) => Promise<T>, clientGone?: () => boolean): Promise<T> {
    const done = await this.askTurn();
    try {
      return await workOutInTurns(work, this.turns, clientGone);
    } finally {
      done();
    }
  }
}
