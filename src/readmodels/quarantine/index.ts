// The quarantine listing: authentic callbacks whose signature had expired, promoted or not. No other read model reads them.
import { readModel } from '../readModel';
import { quarantineProjection } from './quarantine.projection';
import { quarantineQueries } from './quarantine.queries';

export const quarantine = readModel({
  projection: quarantineProjection,
  queries: quarantineQueries,
  graphql: () => (require('./quarantine.graphql') as typeof import('./quarantine.graphql')).quarantineGraphql,
});
