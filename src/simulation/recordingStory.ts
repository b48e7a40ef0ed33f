// A session's recordings: per format its template records, a status at the start and end (100/332), files cut every 30 minutes, rare exceptions (341).
import { RECORDING_EXCEPTION_TYPES, describeRecordingException } from '../domain/recordingExceptionCatalogue';
import { derivedDraws, type Draws } from './seededDraws';
import { instantWithin, newerPlace, sessionEnd, type SimulatedSession, type StoryRound } from './storySession';
import { unixSeconds, type CallbackBody, type TimedCallback } from './timedCallback';

type RecordFormat = 'flv' | 'hls' | 'mp4' | 'aac';

/** `record_detail.file_format` codes, and the file name extension of each format. */
const FORMATS: Readonly<Record<RecordFormat, { code: number; extension: string }>> = {
  flv: { code: 1, extension: 'flv' },
  hls: { code: 2, extension: 'm3u8' },
  mp4: { code: 3, extension: 'mp4' },
  aac: { code: 4, extension: 'aac' },
};

/** The recording template bound to each push domain: what a session pushed there is recorded as. */
const TEMPLATES: ReadonlyMap<string, readonly RecordFormat[]> = new Map([
  ['push1.example.com', ['hls']],
  ['push2.example.com', ['flv', 'mp4']],
  ['push3.example.com', ['mp4', 'aac']],
]);

/** CSS cuts a recording into files of this length (RecordInterval, its default). */
const FILE_LENGTH_MS = 30 * 60_000;
/** A remainder shorter than this is not cut off as a file of its own. */
const SHORTEST_FILE_MS = 2_000;
/** Files of one recording in one round, at most: the latest ones (a session live for hours shows its end). */
const MAX_FILES = 4;
const SALT = 100;

/** Within-second microseconds, as `start_time_usec` and `end_time_usec` carry them. */
const micros = (draws: Draws, ms: number): number => (ms % 1000) * 1000 + draws.between(0, 999);

/** [from, to] of each file of a recording from `startedAt` to `endedAt`; a live recording's last, unfinished file is not ready yet. */
function fileSpans(startedAt: number, endedAt: number, finished: boolean): [number, number][] {
  const spans: [number, number][] = [];
  let from = startedAt;
  while (endedAt - from >= FILE_LENGTH_MS + SHORTEST_FILE_MS) {
    spans.push([from, from + FILE_LENGTH_MS]);
    from += FILE_LENGTH_MS;
  }
  if (finished) spans.push([from, endedAt]);
  else if (endedAt - from >= FILE_LENGTH_MS) spans.push([from, from + FILE_LENGTH_MS]);
  return spans.slice(-MAX_FILES);
}

function recordingOf(session: SimulatedSession, round: StoryRound, format: RecordFormat, draws: Draws): TimedCallback[] {
  const sequence = session.sequence;
  const end = sessionEnd(session, round);
  const finished = session.endedAt !== null;
  const recordingSessionId = draws.digits(19);
  const startedAt = Math.min(end, session.pushedAt + draws.between(500, 3000));
  const callbacks: TimedCallback[] = [];
  const status = (recordEvent: string, at: number): void => {
    const body = {
      appid: session.appid,
      appname: session.appName,
      domain: session.domain,
      event_time: unixSeconds(at),
      event_type: 332,
      record_detail: JSON.stringify({ file_format: FORMATS[format].code, record_bps: 0, start_model: 1, record_content: 1, source_type: 1, codec_temp_id: 0 }),
      record_event: recordEvent,
      seq: draws.digits(19),
      session_id: recordingSessionId,
      stream_id: session.streamId,
    };
    callbacks.push({ at: at + draws.between(50, 900), body, kind: 'RecordingStatusChanged', sequence });
  };
  const exception = (level: string, type: number, at: number): void => {
    const body = {
      interface: 'general_callback',
      event_type: 341,
      ...newerPlace(session),
      session_id: recordingSessionId,
      file_format: format === 'hls' ? 'ts' : format,
      timestamp: unixSeconds(at),
      exception_level: level,
      exception: { type, desc: describeRecordingException(type), occurs: draws.between(1, 20) },
    };
    callbacks.push({ at: at + draws.between(50, 900), body, kind: 'RecordingExceptionReported', sequence });
  };

  status('record_start_succeeded', startedAt);
  if (end - startedAt > 20_000 && draws.chance(0.08)) {
    const pausedAt = instantWithin(draws, startedAt + 5_000, end - 10_000);
    status('record_paused', pausedAt);
    status('record_resumed', instantWithin(draws, pausedAt + 2_000, Math.min(end - 5_000, pausedAt + 120_000)));
  }
  if (draws.chance(0.04)) {
    const failedAt = instantWithin(draws, startedAt, end);
    status('record_error', failedAt);
    exception('error', draws.pick([-16, -104]), failedAt);
  }
  if (draws.chance(0.06)) {
    exception(draws.pick(['info', 'warning']), draws.pick(RECORDING_EXCEPTION_TYPES), instantWithin(draws, startedAt, end));
  }

  const kbps = format === 'aac' ? 128 : draws.between(1200, 4500);
  for (const [from, to] of fileSpans(startedAt, end, finished)) {
    const fileId = draws.digits(19);
    const seconds = Math.max(1, Math.round((to - from) / 1000));
    const body: CallbackBody = {
      event_type: 100,
      appid: session.appid,
      app: session.domain,
      appname: session.appName,
      callback_ext: JSON.stringify({ video_codec: 'h264', resolution: `${session.width}x${session.height}`, session_id: recordingSessionId }),
      stream_id: session.streamId,
      channel_id: session.streamId,
      file_id: fileId,
      record_file_id: fileId,
      file_format: format,
      // On template recordings the task is the recording session.
      task_id: recordingSessionId,
      start_time: unixSeconds(startedAt),
      start_time_usec: micros(draws, startedAt),
      end_time: unixSeconds(to),
      end_time_usec: micros(draws, to),
      duration: seconds,
      file_size: Math.round(kbps * 125 * seconds),
      stream_param: session.streamParam,
      video_url: `http://${session.appid}.vod2.example.com/${draws.digits(8)}vodcq${session.appid}/${fileId}/f0.${FORMATS[format].extension}`,
      media_start_time: from - session.pushedAt,
      record_bps: 0,
    };
    // A file is ready a few seconds after it ends (uploaded to VOD).
    callbacks.push({ at: to + draws.between(3_000, 30_000), body, kind: 'RecordingFileGenerated', sequence });
  }
  if (finished) status('record_ended', end);
  return callbacks;
}

/** Nothing when the session's domain has no recording template. */
export function recordingStory(session: SimulatedSession, round: StoryRound): TimedCallback[] {
  const formats = TEMPLATES.get(session.domain) ?? [];
  return formats.flatMap((format, f) => recordingOf(session, round, format, derivedDraws(round.seed, session.index, SALT + f)));
}
