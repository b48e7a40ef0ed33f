// The GraphQL side of recordings: its resolvers, what their large fields cost, and the topic new files go to.
import { COSTS, list } from '../../graphql/queryCost';
import type { ReadModelGraphql } from '../readModel';
import { RecordingReady, RecordingResolver, SessionRecordingsResolver } from './recording.resolver';
import type { RecordingChange } from './recordings.projection';

export const recordingsGraphql: ReadModelGraphql<RecordingChange> = {
  resolvers: [RecordingResolver, SessionRecordingsResolver],
  fieldCosts: {
    'StreamSession.recordings': list(COSTS.sessionRecordings),
    'RecordingFile.events': list(COSTS.sessionEvents),
  },
  publish: (topics, row) => topics.publish(RecordingReady, row),
};
