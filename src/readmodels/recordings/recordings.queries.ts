// Reads of the recordings read model: files filtered over all streams, keyset-paginated, and the files of one session.
import { keysetListing } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { factsOfSession, LISTED_NEWEST_FIRST } from '../tiedFactQueries';
import { recordingActivityTable, recordingFilesTable, type RecordingActivityRow, type RecordingFileRow } from './recordings.table';

export interface RecordingListFilter {
  streamId?: string;
  domain?: string;
  /** On listedAt (ms): from inclusive, to exclusive. */
  endedFrom?: number;
  endedTo?: number;
}

export function recordingQueries(db: ReadModelDatabase) {
  const columns = recordingFilesTable.selectList(db);
  const c = (key: Parameters<typeof recordingFilesTable.column>[0]) => recordingFilesTable.column(key);
  const toRow = (raw: Record<string, unknown>) => recordingFilesTable.fromStored(raw);
  const ofSession = factsOfSession(db, recordingFilesTable);
  const activityOfSession = factsOfSession(db, recordingActivityTable);
  const list = keysetListing<RecordingListFilter, RecordingFileRow>(db, {
    listing: 'recordings',
    from: 'recording_files',
    columns,
    sortKey: LISTED_NEWEST_FIRST,
    filters: {
      streamId: { column: c('streamId'), operator: 'equals' },
      domain: { column: c('domain'), operator: 'equals' },
      endedFrom: { column: c('listedAt'), operator: 'from' },
      endedTo: { column: c('listedAt'), operator: 'before' },
    },
    // recording_files_by_stream, recording_files_by_domain: a stream has fewer files than a domain.
    indexedFilters: ['streamId', 'domain'],
    toRow,
    keyOf: (row) => [row.listedAt, row.eventId],
  });

  return {
    /** Newest first (listedAt, then event id, descending); `after` is an endCursor of this listing. */
    list(filter: RecordingListFilter, first: number, after: string | null): Page<RecordingFileRow> {
      return list(filter, first, after);
    },
    /** The files recorded from one push session, oldest first. */
    ofSession(sequence: string): RecordingFileRow[] {
      return ofSession(sequence);
    },
    /** The status changes and exceptions of the recordings of one push session, oldest first. */
    activityOfSession(sequence: string): RecordingActivityRow[] {
      return activityOfSession(sequence);
    },
  };
}
export type RecordingQueries = ReturnType<typeof recordingQueries>;
