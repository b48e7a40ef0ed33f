// The GraphQL side of relay tasks: its resolvers, what their large fields cost, and the topic its changes go to.
import { COSTS, list, rows, timeTravel } from '../../graphql/queryCost';
import type { ReadModelGraphql } from '../readModel';
import { RelayTaskAnomaliesResolver } from './relayTaskAnomalies.resolver';
import { RelayTaskResolver, RelayTaskUpdated } from './relayTask.resolver';
import type { RelayTaskChange } from './relayTasks.projection';
import { UnmatchedRelayExitResolver } from './unmatchedRelayExit.resolver';

export const relayTasksGraphql: ReadModelGraphql<RelayTaskChange> = {
  resolvers: [RelayTaskResolver, UnmatchedRelayExitResolver, RelayTaskAnomaliesResolver],
  fieldCosts: {
    'Query.relayTask': timeTravel(COSTS.relayTaskAsOf),
    'RelayTask.events': list(COSTS.relayTaskEvents),
    'RelayTask.runs': rows(COSTS.runs),
    'RelayTask.files': rows(COSTS.files),
    'RelayTask.alarms': rows(COSTS.alarms),
  },
  // An exit's task, when it has one, is published as a relayTask change.
  publish: (topics, change) => (change.kind === 'relayTask' ? topics.publish(RelayTaskUpdated, change.row) : undefined),
};
