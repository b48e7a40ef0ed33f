// The push anomalies read model: each entry of each push anomaly report, tied to its session by `sequence`.
import { readModel } from '../readModel';
import { pushAnomaliesProjection } from './pushAnomalies.projection';
import { pushAnomalyQueries } from './pushAnomalies.queries';

export const pushAnomalies = readModel({
  projection: pushAnomaliesProjection,
  queries: pushAnomalyQueries,
  graphql: () => (require('./pushAnomalies.graphql') as typeof import('./pushAnomalies.graphql')).pushAnomaliesGraphql,
});
