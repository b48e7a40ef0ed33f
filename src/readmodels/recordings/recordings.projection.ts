// The recordings projection: each recording file as a row, tied to the push session it was recorded from, whichever arrives first.
import { CallbackEventType } from '../../domain/callbackEvents';
import { defineProjection } from '../../processing/projectionDefinition';
import { toProjectedEvent, type ProjectedEvent } from '../projectedEvent';
import { openTiedFacts, SESSION_EVENT_TYPES, sessionIntervalsTable, tiedFactOf } from '../sessionIntervals';
import { recordingFilesTable, type RecordingFileRow } from './recordings.table';

/** A file that became known: what `recordingReady` announces. Files tied again to another session are not announced twice. */
export type RecordingChange = RecordingFileRow;

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

export const recordingsProjection = defineProjection<RecordingChange>({
  name: 'recordings',
  version: 1,
  // Unrecognized callbacks too: one stored before its type was modelled may be a recording file or a push today.
  canHandle: [...SESSION_EVENT_TYPES, CallbackEventType.RecordingFileGenerated, CallbackEventType.UnrecognizedCallbackReceived],
  tables: [sessionIntervalsTable, recordingFilesTable],
  open: (db) =>
    openTiedFacts<RecordingFileRow>(db, recordingFilesTable, (event) =>
      event.type === CallbackEventType.RecordingFileGenerated ? recordingFileRow(event) : null,
    ),
});
