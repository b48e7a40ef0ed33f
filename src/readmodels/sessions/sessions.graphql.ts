// The GraphQL side of sessions: its resolver, what its large fields cost, and the topic its changes go to.
import { COSTS, list, timeTravel } from '../../graphql/queryCost';
import type { ReadModelGraphql } from '../readModel';
import { SessionResolver, SessionUpdated } from './session.resolver';
import type { SessionRow } from './sessions.table';

export const sessionsGraphql: ReadModelGraphql<SessionRow> = {
  resolvers: [SessionResolver],
  fieldCosts: {
    'Query.session': timeTravel(COSTS.sessionAsOf),
    'StreamSession.events': list(COSTS.sessionEvents),
  },
  publish: (topics, row) => topics.publish(SessionUpdated, row),
};
