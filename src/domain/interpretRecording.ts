// Recording callbacks: a file ready (100), a status change (332), an exception (341), together in the stream of their recording task.
import { lacking, streamPlace } from './callbackFields';
import type { CallbackPayload } from './callbackJson';
import type { Interpretation } from './callbackEvents';
import { decimal, embeddedObject, givenInteger, identifier, integer, objectList, text } from './fieldValues';
import { recordDetail } from './recordDetail';
import { StreamCategory, streamOf } from './streamNames';
import { unixMillis, unixMillisWithMicros } from './timeValues';

export const EVENT_TYPE_RECORDING_FILE = '100';
export const EVENT_TYPE_RECORDING_STATUS = '332';
export const EVENT_TYPE_RECORDING_EXCEPTION = '341';

const recordingStream = (recordingSessionId: string): string => streamOf(StreamCategory.recording, recordingSessionId);

const lowerCase = (value: string | null): string | null => value?.toLowerCase() ?? null;

/** `event_type=100`: needs the stream, the file and its time, without which it can be placed nowhere. */
export function interpretRecordingFile(payload: CallbackPayload, id: string): Interpretation {
  const place = streamPlace(payload);
  const fileId = text(payload.file_id);
  const recordFileId = text(payload.record_file_id);
  const videoUrl = text(payload.video_url);
  const startedAt = unixMillisWithMicros(payload.start_time, payload.start_time_usec);
  const endedAt = unixMillisWithMicros(payload.end_time, payload.end_time_usec);
  const { streamId } = place;
  if (streamId === null || (fileId ?? recordFileId ?? videoUrl) === null || (startedAt ?? endedAt) === null) {
    return { unrecognized: lacking(EVENT_TYPE_RECORDING_FILE, 'stream_id, a file (file_id, record_file_id or video_url) and start_time or end_time') };
  }
  const callbackExt = embeddedObject(payload.callback_ext);
  const recordingSessionId = identifier(callbackExt?.session_id);
  const durationSeconds = givenInteger(payload.duration);
  const fields = {
    ...place,
    streamId,
    channelId: text(payload.channel_id),
    fileId,
    recordFileId,
    format: lowerCase(text(payload.file_format)),
    taskId: text(payload.task_id),
    recordingSessionId,
    startedAt,
    endedAt,
    fileStartedAt: endedAt !== null && durationSeconds !== null ? endedAt - durationSeconds * 1000 : startedAt,
    durationSeconds,
    fileSizeBytes: decimal(payload.file_size),
    videoUrl,
    streamParam: text(payload.stream_param),
    recordBps: givenInteger(payload.record_bps),
    videoCodec: text(callbackExt?.video_codec),
    resolution: text(callbackExt?.resolution),
    callbackExt,
  };
  const stream = recordingSessionId === null ? streamOf(StreamCategory.recordingFile, id) : recordingStream(recordingSessionId);
  return { type: 'RecordingFileGenerated', stream, fields };
}

/** `event_type=332`: belongs to its recording task (`session_id`, else `task_id`). */
export function interpretRecordingStatus(payload: CallbackPayload): Interpretation {
  const recordingSessionId = identifier(payload.session_id) ?? identifier(payload.task_id);
  if (recordingSessionId === null) return { unrecognized: lacking(EVENT_TYPE_RECORDING_STATUS, 'session_id or task_id') };
  const stream = recordingStream(recordingSessionId);
  const status = text(payload.record_event);
  if (status === null) return { unrecognized: 'recording status without record_event', stream };
  const fields = {
    ...streamPlace(payload),
    recordingSessionId,
    taskId: text(payload.task_id),
    status,
    at: unixMillis(payload.event_time),
    seq: text(payload.seq),
    detail: recordDetail(payload.record_detail),
  };
  return { type: 'RecordingStatusChanged', stream, fields };
}

/** `event_type=341`: belongs to its recording task (`session_id`). */
export function interpretRecordingException(payload: CallbackPayload): Interpretation {
  const recordingSessionId = identifier(payload.session_id);
  if (recordingSessionId === null) return { unrecognized: lacking(EVENT_TYPE_RECORDING_EXCEPTION, 'session_id') };
  const exception = objectList(payload.exception)[0] ?? {};
  const fields = {
    ...streamPlace(payload),
    recordingSessionId,
    fileFormat: lowerCase(text(payload.file_format)),
    at: unixMillis(payload.timestamp),
    level: lowerCase(text(payload.exception_level)),
    exceptionType: integer(exception.type),
    occurrences: integer(exception.occurs),
    description: text(exception.desc),
  };
  return { type: 'RecordingExceptionReported', stream: recordingStream(recordingSessionId), fields };
}
