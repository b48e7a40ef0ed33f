// The timeline read model: every event about a stream in time order, each said in one line, tied to its push session.
import { readModel } from '../readModel';
import { timelineProjection } from './timeline.projection';
import { timelineQueries } from './timeline.queries';

export const timeline = readModel({
  projection: timelineProjection,
  queries: timelineQueries,
  graphql: () => (require('./timeline.graphql') as typeof import('./timeline.graphql')).timelineGraphql,
});
