// The insights read model: what operators ask of the platform (anomaly views, statistics, business metrics), derived from events.
import { readModel } from '../readModel';
import { insightsProjection } from './insights.projection';
import { insightQueries } from './insights.queries';

export const insights = readModel({
  projection: insightsProjection,
  queries: insightQueries,
  graphql: () => (require('./insights.graphql') as typeof import('./insights.graphql')).insightsGraphql,
});
