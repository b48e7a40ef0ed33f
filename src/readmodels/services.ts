// What resolvers are handed: the read models' queries, streams' history (time travel), the event loop's turns, the statistics' admission.
import type { RecordedEvent } from '../eventstore/eventStore';
import type { EventLoopTurns } from '../graphql/eventLoopTurns';
import type { StatisticsTurns } from '../graphql/statisticsAdmission';
import type { ForwardingControl } from '../forwarding/forwardingControl';
import type { ReadModelQueries } from './index';

/** The events of given streams, in stream order: what time travel folds again. */
export interface StreamHistory {
  eventsOf(stream: string): Promise<RecordedEvent[]>;
}

export type ReadModelServices = ReadModelQueries & {
  history: StreamHistory;
  turns: EventLoopTurns;
  statistics: StatisticsTurns;
  forwarding: ForwardingControl;
};
