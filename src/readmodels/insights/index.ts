// The insights read model: what operators ask of the platform (anomaly views, statistics, business metrics), derived from events.
import { readModel } from '../readModel';
import { insightsProjection } from './insights.projection';
import { insightQueries } from './insights.queries';

export const insights = readModel({
  projection: insightsProjection,
  queries: insightQueries,
  graphql: () => (require('./insights.graphql') as typeof import('./insights.graphql')).insightsGraphql,
  // Statistics add up hour and day cells and their histograms, the same ones query after query: with 2 MiB a statistic
  // by node over a day took twice as long.
  readCacheKiB: 16 * 1024,
});
