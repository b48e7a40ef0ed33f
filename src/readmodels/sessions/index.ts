// The sessions read model: one row per push activity (`sequence`), its push and its interruption.
import { readModel } from '../readModel';
import { sessionsProjection } from './sessions.projection';
import { sessionQueries } from './sessions.queries';

export const sessions = readModel({
  projection: sessionsProjection,
  queries: sessionQueries,
  graphql: () => (require('./sessions.graphql') as typeof import('./sessions.graphql')).sessionsGraphql,
});
