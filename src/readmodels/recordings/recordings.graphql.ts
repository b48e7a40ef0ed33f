// The GraphQL side of recordings: its resolvers, what their large fields cost, and the topic new files go to.
import { COSTS, list } from '../../graphql/queryCost';
import type { ReadModelGraphql } from '../readModel';
import { addedTo } from '../tiedFacts';
import { RecordingReady, RecordingResolver, SessionRecordingsResolver } from './recording.resolver';
import type { RecordingChange } from './recordings.projection';
import { recordingFilesTable, type RecordingFileRow } from './recordings.table';

export const recordingsGraphql: ReadModelGraphql<RecordingChange> = {
  resolvers: [RecordingResolver, SessionRecordingsResolver],
  fieldCosts: {
    'StreamSession.recordings': list(COSTS.sessionRecordings),
    'StreamSession.recordingActivity': list(COSTS.sessionRecordings),
    'RecordingFile.events': list(COSTS.sessionEvents),
  },
  publish: (topics, change) => {
    const file = addedTo<RecordingFileRow>(recordingFilesTable, change);
    if (file !== null) topics.publish(RecordingReady, file);
  },
};
