// Fields of the recording events: a recording file (event_type 100), a status change (332), an exception (341).
import type { StreamPlace } from './callbackFields';
import type { JsonValue } from './callbackJson';

/** A recording file is ready (`event_type=100`). Instants are Unix milliseconds. */
export interface RecordingFileFields extends StreamPlace {
  streamId: string;
  channelId: string | null;
  /** The VOD file id (`file_id`). */
  fileId: string | null;
  recordFileId: string | null;
  /** `flv`, `hls`, `mp4`, `aac` as sent, lower-cased. */
  format: string | null;
  /** `task_id`: the CreateRecordTask id, or the recording session on template recordings. */
  taskId: string | null;
  /** The recording session (`callback_ext.session_id`): the `session_id` of its status and exception callbacks. */
  recordingSessionId: string | null;
  /** When the recording started (`start_time` with `start_time_usec`); not the file's own start. */
  startedAt: number | null;
  /** When the file ends (`end_time` with `end_time_usec`). */
  endedAt: number | null;
  /** Where the file starts: `end_time` − `duration`, as the documents define it; `startedAt` when either is missing. */
  fileStartedAt: number | null;
  durationSeconds: number | null;
  fileSizeBytes: number | null;
  videoUrl: string | null;
  streamParam: string | null;
  /** The bitrate of a transcoded recording, kbps; null when 0. */
  recordBps: number | null;
  videoCodec: string | null;
  /** `callback_ext.resolution`, e.g. `1920x1080`. */
  resolution: string | null;
  /** `callback_ext` decoded from its JSON string; null when missing or not JSON. */
  callbackExt: { [key: string]: JsonValue } | null;
}

/** The `record_event` values the documents define; another one is kept as sent. */
export const RecordingStatuses = [
  'record_start_succeeded',
  'record_start_failed',
  'record_paused',
  'record_resumed',
  'record_error',
  'record_ended',
] as const;

/** `record_detail` decoded: the codes the documents define, named; every pair as sent in `values`. */
export interface RecordDetail {
  /** `file_format` 1-5: FLV, HLS, MP4, AAC, MP3. */
  fileFormat: string | null;
  recordBps: number | null;
  /** `start_model`: 1 a recording template rule, 5 an API call. */
  startedBy: 'template' | 'api' | null;
  /** `record_content`: 1 the original stream, 2 a watermarked one, 3 a transcoded one. */
  content: 'original' | 'watermarked' | 'transcoded' | null;
  /** `source_type`: 1 a live stream, 2 a relay task (whose task id is then the stream id). */
  source: 'live' | 'relay' | null;
  transcodeTemplateId: number | null;
  values: { [key: string]: JsonValue };
}

/** A recording task changed state (`event_type=332`). */
export interface RecordingStatusFields extends StreamPlace {
  /** `session_id`, or `task_id` when CSS sends no session: the recording task. */
  recordingSessionId: string;
  taskId: string | null;
  /** `record_event`: one of RecordingStatuses as CSS documents them; kept as sent when CSS adds another. */
  status: string;
  /** `event_time`, Unix milliseconds. */
  at: number | null;
  /** `seq`, the message sequence number, all its digits. */
  seq: string | null;
  detail: RecordDetail | null;
}

/** Something went wrong while recording (`event_type=341`). */
export interface RecordingExceptionFields extends StreamPlace {
  recordingSessionId: string;
  fileFormat: string | null;
  /** `timestamp`, Unix milliseconds. */
  at: number | null;
  /** `info`, `warning` or `error`, lower-cased; kept as sent when CSS adds another. */
  level: string | null;
  /** `exception.type`: see recordingExceptionCatalogue. */
  exceptionType: number | null;
  /** `exception.occurs`: how often within CSS's counting period. */
  occurrences: number | null;
  description: string | null;
}
