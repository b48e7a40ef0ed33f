// The GraphQL side of moderation: its resolvers, what their large fields cost, and the topic new hits go to.
import { COSTS, list } from '../../graphql/queryCost';
import type { ReadModelGraphql } from '../readModel';
import { ModerationHitRaised, ModerationResolver, SessionModerationResolver } from './moderation.resolver';
import type { ModerationChange } from './moderation.projection';

export const moderationGraphql: ReadModelGraphql<ModerationChange> = {
  resolvers: [ModerationResolver, SessionModerationResolver],
  fieldCosts: {
    'StreamSession.moderationHits': list(COSTS.sessionModerationHits),
  },
  publish: (topics, row) => topics.publish(ModerationHitRaised, row),
};
