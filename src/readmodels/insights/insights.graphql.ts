// The GraphQL side of the insights: its resolver; it publishes nothing, its views are asked for.
import type { ReadModelGraphql } from '../readModel';
import { FlappingStreamsResolver } from './flappingStreams.resolver';
import { InsightsResolver } from './insights.resolver';

export const insightsGraphql: ReadModelGraphql<never> = {
  resolvers: [InsightsResolver, FlappingStreamsResolver],
  fieldCosts: {},
  publish: () => undefined,
};
