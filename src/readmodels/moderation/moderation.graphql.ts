// The GraphQL side of moderation: its resolvers, what their large fields cost, and the topic new hits go to.
import { COSTS, list } from '../../graphql/queryCost';
import type { ReadModelGraphql } from '../readModel';
import { addedTo } from '../tiedFacts';
import { ModerationHitRaised, ModerationResolver, SessionModerationResolver } from './moderation.resolver';
import type { ModerationChange } from './moderation.projection';
import { moderationHitsTable, type ModerationHitRow } from './moderation.table';

export const moderationGraphql: ReadModelGraphql<ModerationChange> = {
  resolvers: [ModerationResolver, SessionModerationResolver],
  fieldCosts: {
    'StreamSession.moderationHits': list(COSTS.sessionModerationHits),
  },
  publish: (topics, change) => {
    const hit = addedTo<ModerationHitRow>(moderationHitsTable, change);
    if (hit !== null) topics.publish(ModerationHitRaised, hit);
  },
};
