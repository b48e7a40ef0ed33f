// What resolvers need, handed to them by the schema's container (no module-level state).
import type { EventStore } from '../eventstore/eventStore';
import type { ActivityQueries } from '../readmodel/activityQueries';
import type { CallbackQueries } from '../readmodel/callbackQueries';
import type { QuarantineQueries } from '../readmodel/quarantineQueries';
import type { RelayTaskQueries } from '../readmodel/relayTaskQueries';
import type { SessionQueries } from '../readmodel/sessionQueries';
import type { EventLoopTurns } from './eventLoopTurns';
import type { Topics } from './topics';

export interface GraphqlServices {
  store: EventStore;
  sessions: SessionQueries;
  relayTasks: RelayTaskQueries;
  callbacks: CallbackQueries;
  activity: ActivityQueries;
  quarantine: QuarantineQueries;
  topics: Topics;
  turns: EventLoopTurns;
}
