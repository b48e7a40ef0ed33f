// The moderation read model: one row per image or audio moderation hit, tied to the push session it was taken from.
import { readModel } from '../readModel';
import { moderationProjection } from './moderation.projection';
import { moderationQueries } from './moderation.queries';

export const moderation = readModel({
  projection: moderationProjection,
  queries: moderationQueries,
  graphql: () => (require('./moderation.graphql') as typeof import('./moderation.graphql')).moderationGraphql,
});
