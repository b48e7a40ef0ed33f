// The recordings read model: one row per recording file, tied to the push session it was recorded from.
import { readModel } from '../readModel';
import { recordingsProjection } from './recordings.projection';
import { recordingQueries } from './recordings.queries';

export const recordings = readModel({
  projection: recordingsProjection,
  queries: recordingQueries,
  graphql: () => (require('./recordings.graphql') as typeof import('./recordings.graphql')).recordingsGraphql,
});
