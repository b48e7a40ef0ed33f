// The recordings projection: recording files, and the status changes and exceptions of recording tasks, tied to the push session they concern.
import { CallbackEventType } from '../../domain/callbackEvents';
import { describeRecordingException } from '../../domain/recordingExceptionCatalogue';
import { defineProjection } from '../../processing/projectionDefinition';
import type { ProjectedEvent } from '../projectedEvent';
import { SESSION_EVENT_TYPES, sessionIntervalsTable, tiedFactOf } from '../sessionIntervals';
import { openTiedFacts, tiedFacts, type TiedFactAdded } from '../tiedFacts';
import { recordingActivityTable, recordingFilesTable, type RecordingActivityRow, type RecordingFileRow } from './recordings.table';

/** A file or a recording task's activity that became known: files are what `recordingReady` announces, once. */
export type RecordingChange = TiedFactAdded;

/** The file's row; its `sequence` is left to the session tie. */
export function recordingFileRow(event: ProjectedEvent & { type: 'RecordingFileGenerated' }): Omit<RecordingFileRow, 'sequence'> {
  const f = event.fields;
  return {
    eventId: event.id,
    stream: event.stream,
    recordingStream: event.interpretedStream ?? event.stream,
    ...tiedFactOf(event, { domain: f.domain, appName: f.appName, streamId: f.streamId }),
    fileId: f.fileId,
    recordFileId: f.recordFileId,
    format: f.format,
    startedAt: f.fileStartedAt,
    endedAt: f.endedAt,
    durationSeconds: f.durationSeconds,
    fileSizeBytes: f.fileSizeBytes,
    videoUrl: f.videoUrl,
    taskId: f.taskId,
    listedAt: f.endedAt ?? f.fileStartedAt ?? event.receivedAt,
  };
}

/** A status change's or an exception's row; null for other events and for those that name no stream (no session to concern). */
export function recordingActivityRow(event: ProjectedEvent): Omit<RecordingActivityRow, 'sequence'> | null {
  if (event.type !== CallbackEventType.RecordingStatusChanged && event.type !== CallbackEventType.RecordingExceptionReported) return null;
  const f = event.fields;
  if (f.streamId === null) return null;
  const exception = event.type === CallbackEventType.RecordingExceptionReported ? event.fields : null;
  return {
    eventId: event.id,
    stream: event.stream,
    kind: exception === null ? 'STATUS' : 'EXCEPTION',
    ...tiedFactOf(event, { domain: f.domain, appName: f.appName, streamId: f.streamId }),
    recordingSessionId: f.recordingSessionId,
    at: f.at,
    status: event.type === CallbackEventType.RecordingStatusChanged ? event.fields.status : null,
    level: exception?.level ?? null,
    exceptionType: exception?.exceptionType ?? null,
    occurrences: exception?.occurrences ?? null,
    description: exception === null ? null : (exception.description ?? describeRecordingException(exception.exceptionType)),
    listedAt: f.at ?? event.receivedAt,
  };
}

/** The sessions this read model ties its facts to, kept by itself. */
const intervalsTable = sessionIntervalsTable('recording');

export const recordingsProjection = defineProjection<RecordingChange>({
  name: 'recordings',
  // 2: a session's interval state keeps only what its fold reads.
  version: 2,
  // Unrecognized callbacks too: one stored before its type was modelled may be a recording callback or a push today.
  canHandle: [
    ...SESSION_EVENT_TYPES,
    CallbackEventType.RecordingFileGenerated,
    CallbackEventType.RecordingStatusChanged,
    CallbackEventType.RecordingExceptionReported,
    CallbackEventType.UnrecognizedCallbackReceived,
  ],
  tables: [intervalsTable, recordingFilesTable, recordingActivityTable],
  open: (db) =>
    openTiedFacts(db, intervalsTable, [
      tiedFacts<RecordingFileRow>({
        table: recordingFilesTable,
        factOf: (event) => (event.type === CallbackEventType.RecordingFileGenerated ? recordingFileRow(event) : null),
      }),
      tiedFacts<RecordingActivityRow>({ table: recordingActivityTable, factOf: recordingActivityRow }),
    ]),
});
