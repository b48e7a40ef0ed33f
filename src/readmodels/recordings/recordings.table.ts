// The recording files table, declared once: one row per file ready (event_type 100), tied to its push session when one matches.
import { column, table, type RowOf } from '../../processing/table';
import { tiedFactColumns } from '../sessionIntervals';

export const recordingFilesTable = table(
  'recording_files',
  {
    eventId: column.text(),
    /** Where the callback is stored, and where its recording task's callbacks are (the same, unless stored before its type was modelled). */
    stream: column.text(),
    recordingStream: column.text(),
    ...tiedFactColumns,
    fileId: column.text().orNull(),
    recordFileId: column.text().orNull(),
    format: column.text().orNull(),
    /** Where the file starts and ends (Unix ms). */
    startedAt: column.integer().orNull(),
    endedAt: column.integer().orNull(),
    durationSeconds: column.integer().orNull(),
    fileSizeBytes: column.real().orNull(),
    videoUrl: column.text().orNull(),
    taskId: column.text().orNull(),
    /** The listing's order: endedAt, else where the file starts, else when it was received. */
    listedAt: column.integer(),
  },
  {
    primaryKey: ['eventId'],
    indexes: [
      // The projection's own lookups: the files a session's interval may concern.
      { name: 'recording_files_by_stream_time', on: ['streamId', 'tieTo'] },
      { name: 'recording_files_by_session', on: ['sequence', 'listedAt DESC', 'eventId DESC'] },
      { name: 'recording_files_by_stream', on: ['streamId', 'listedAt DESC', 'eventId DESC'], forQueriesOnly: true },
      { name: 'recording_files_by_domain', on: ['domain', 'listedAt DESC', 'eventId DESC'], forQueriesOnly: true },
      { name: 'recording_files_by_time', on: ['listedAt DESC', 'eventId DESC'], forQueriesOnly: true },
    ],
  },
);

export type RecordingFileRow = RowOf<typeof recordingFilesTable>;

export type RecordingActivityKind = 'STATUS' | 'EXCEPTION';

/** What happened to recording tasks (status changes, 332; exceptions, 341) that name their stream, tied to its push session. */
export const recordingActivityTable = table(
  'recording_activity',
  {
    eventId: column.text(),
    /** Where the callback is stored. */
    stream: column.text(),
    kind: column.text<RecordingActivityKind>(),
    ...tiedFactColumns,
    recordingSessionId: column.text(),
    /** CSS's time of it (Unix ms). */
    at: column.integer().orNull(),
    /** STATUS: `record_event` as sent. */
    status: column.text().orNull(),
    /** EXCEPTION: info, warning or error, and what went wrong. */
    level: column.text().orNull(),
    exceptionType: column.integer().orNull(),
    occurrences: column.integer().orNull(),
    description: column.text().orNull(),
    /** Its order within a session: `at`, else when it was received. */
    listedAt: column.integer(),
  },
  {
    primaryKey: ['eventId'],
    indexes: [
      { name: 'recording_activity_by_stream_time', on: ['streamId', 'tieTo'] },
      { name: 'recording_activity_by_session', on: ['sequence', 'listedAt', 'eventId'] },
    ],
  },
);

export type RecordingActivityRow = RowOf<typeof recordingActivityTable>;
