// How many statistics (interruptionStats, flappingStreams) are worked out at once, and how many may wait for their turn: beyond, 503.
import pLimit from 'p-limit';
import { Counter, Gauge, type Registry } from 'prom-client';
import { statusOf } from '../errors/catalogue';
import { METRIC_PREFIX } from '../metrics/serviceMetrics';
import type { Turns } from '../processing/slicedReads';
import { graphqlError } from './errors';
import type { EventLoopTurns } from './eventLoopTurns';

/** Seconds a refused client is told to wait before asking again. */
export const STATISTICS_RETRY_AFTER_SECONDS = 1;

/** What a statistic's resolver finds in its GraphQL context: over HTTP, whether the client has gone (its socket closed). */
export interface ClientContext {
  clientGone?: () => boolean;
}

/** What a statistic's resolver asks for: to be worked out in its turn (StatisticsAdmission, or on a reading thread, its proxy). */
export interface StatisticsTurns {
  workOut<T>(work: (turns: Turns) => Promise<T>, clientGone?: () => boolean): Promise<T>;
}

export interface StatisticsLimits {
  /** Statistics worked out at the same time. */
  atOnce: number;
  /** Statistics waiting for one of those to finish; one more is refused. */
  waiting: number;
}

/**
 * A statistic reads over a time range and holds what it counts until it is answered (by node, tens of thousands of
 * buckets with their histograms), its reads sharing the event loop's turns with every other request: forty asked at once
 * held 1.5 GB. As many as allowed are worked out at once, the rest wait in the order they came; one whose client has
 * gone while it waited is not worked out.
 */
export class StatisticsAdmission implements StatisticsTurns {
  private readonly limit: ReturnType<typeof pLimit>;

  /**
   * @param turns the event loop's turns, which statistics read in
   * @param counted told of each statistic refused (the metrics count them)
   */
  constructor(
    readonly limits: StatisticsLimits,
    private readonly turns: EventLoopTurns,
    private readonly counted: { refused(): void } = { refused: () => undefined },
  ) {
    this.limit = pLimit(limits.atOnce);
  }

  get working(): number {
    return this.limit.activeCount;
  }

  get waiting(): number {
    return this.limit.pendingCount;
  }

  /**
   * Works a statistic out in its turn, read in the turns it is handed: `clientGone` is asked when its turn comes, and
   * before each turn of its reads (it stops once the client has gone).
   */
  workOut<T>(work: (turns: Turns) => Promise<T>, clientGone?: () => boolean): Promise<T> {
    const { atOnce, waiting } = this.limits;
    if (this.working + this.waiting >= atOnce + waiting) {
      this.counted.refused();
      throw graphqlError(
        'too_many_statistics',
        `${this.working} statistics are being worked out and ${this.waiting} are waiting (GRAPHQL_MAX_STATISTICS_AT_ONCE, GRAPHQL_MAX_STATISTICS_WAITING): retry later`,
        {
          retryAfterSeconds: STATISTICS_RETRY_AFTER_SECONDS,
          // Over HTTP the answer's status and header (Apollo takes them out of the error).
          http: { status: statusOf('too_many_statistics'), headers: new Map([['retry-after', String(STATISTICS_RETRY_AFTER_SECONDS)]]) },
        },
      );
    }
    return this.limit(() => workOutInTurns(work, this.turns, clientGone));
  }
}

/**
 * A statistic whose turn has come, read in `turns`: not at all if its client has gone already, and stopping at the
 * next turn once it has (whichever thread reads it).
 */
export function workOutInTurns<T>(work: (turns: Turns) => Promise<T>, turns: EventLoopTurns, clientGone?: () => boolean): Promise<T> {
  if (clientGone?.() === true) throw new Error('the client went away before its statistic was worked out');
  return work(clientGone === undefined ? turns : turns.forClient(clientGone));
}

/** The statistics' admission, with what the metrics show of it: statistics worked out and waiting now, and those refused. */
export function measuredStatisticsAdmission(limits: StatisticsLimits, turns: EventLoopTurns, registry: Registry): StatisticsAdmission {
  const registers = [registry];
  const refused = new Counter({
    name: `${METRIC_PREFIX}graphql_statistics_refused_total`,
    help: 'interruptionStats and flappingStreams refused (503, TOO_MANY_STATISTICS): as many as allowed were being worked out and waiting',
    registers,
  });
  const admission = new StatisticsAdmission(limits, turns, { refused: () => refused.inc() });
  new Gauge({
    name: `${METRIC_PREFIX}graphql_statistics`,
    help: 'interruptionStats and flappingStreams being worked out (state="working") and waiting their turn (state="waiting") now',
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.set({ state: 'working' }, admission.working);
      this.set({ state: 'waiting' }, admission.waiting);
    },
  });
  return admission;
}
