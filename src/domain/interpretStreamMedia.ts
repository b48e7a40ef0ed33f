// Screenshot (200) and moderation (317 image, 315 audio) callbacks: tied to a push session by stream and time only, so in streams of their own.
import { field, placeOfStream } from './callbackFields';
import type { CallbackPayload } from './callbackJson';
import type { Interpretation } from './callbackEvents';
import { decimal, decimalList, embeddedObject, flag, givenInteger, identifier, largest, objectList, smallest, text } from './fieldValues';
import { StreamCategory, streamOf } from './streamNames';
import { ModerationSuggestions, type ModerationSuggestion } from './streamMediaEvents';
import { unixMillis } from './timeValues';

export const EVENT_TYPE_SCREENSHOT = '200';
export const EVENT_TYPE_IMAGE_MODERATION = '317';
export const EVENT_TYPE_AUDIO_MODERATION = '315';

/** `block` or `BLOCK` read as `Block`; a value the documents do not list is kept as sent. */
function suggestion(value: string | null): ModerationSuggestion | null {
  if (value === null) return null;
  return ModerationSuggestions.find((known) => known.toLowerCase() === value.toLowerCase()) ?? value;
}

/** `event_type=200`: the screenshots of one task share a stream; one without a task has its own. */
export function interpretScreenshot(payload: CallbackPayload, id: string): Interpretation {
  const place = placeOfStream(payload, EVENT_TYPE_SCREENSHOT);
  if ('unrecognized' in place) return place;
  const taskId = identifier(payload.task_id);
  const fields = {
    ...place,
    channelId: text(payload.channel_id),
    takenAt: unixMillis(payload.create_time),
    url: text(payload.pic_full_url),
    path: text(payload.pic_url),
    width: givenInteger(payload.width),
    height: givenInteger(payload.height),
    fileSizeBytes: decimal(payload.file_size),
    taskId,
    streamParam: text(payload.stream_param),
  };
  const stream = taskId === null ? streamOf(StreamCategory.screenshot, id) : streamOf(StreamCategory.screenshotTask, taskId);
  return { type: 'ScreenshotTaken', stream, fields };
}

/** `event_type=317` (camelCase fields). */
export function interpretImageModeration(payload: CallbackPayload, id: string): Interpretation {
  const place = placeOfStream(payload, EVENT_TYPE_IMAGE_MODERATION, 'streamId');
  if ('unrecognized' in place) return place;
  const scores = decimalList(field(payload, 'score', 'socre'));
  const fields = {
    ...place,
    channelId: text(field(payload, 'channelId', 'channel_id')),
    suggestion: suggestion(text(payload.suggestion)),
    label: text(payload.label),
    subLabel: text(field(payload, 'subLabel', 'sub_label')),
    score: largest(scores),
    at: unixMillis(payload.screenshotTime),
    imageUrl: text(payload.img),
    types: decimalList(payload.type).filter(Number.isSafeInteger),
    scores,
    ocrText: text(payload.ocrMsg),
    sentAt: unixMillis(payload.sendTime),
    streamParam: text(payload.stream_param),
  };
  return { type: 'ImageModerationFlagged', stream: streamOf(StreamCategory.moderation, id), fields };
}

/** When the moderated sound was heard: `event_time` if sent, else the earliest `create_time` of the recognition results. */
function audioTime(payload: CallbackPayload): number | null {
  const sent = unixMillis(payload.event_time);
  if (sent !== null) return sent;
  const results = objectList(embeddedObject(payload.data)?.asr_tmp_full_results);
  return smallest(results.map((result) => unixMillis(result.create_time)));
}

/** `event_type=315`. */
export function interpretAudioModeration(payload: CallbackPayload, id: string): Interpretation {
  const place = placeOfStream(payload, EVENT_TYPE_AUDIO_MODERATION);
  if ('unrecognized' in place) return place;
  const fields = {
    ...place,
    channelId: text(payload.channel_id),
    suggestion: suggestion(text(payload.suggestion)),
    label: text(payload.label),
    subLabel: text(field(payload, 'sub_label', 'SubTag')),
    score: decimal(payload.Score),
    at: audioTime(payload),
    hit: flag(payload.HitFlag),
    text: text(payload.asr_text),
    durationSeconds: decimal(payload.duration),
    taskId: text(payload.task_id),
    seq: text(payload.seq),
    requestId: text(payload.request_id),
  };
  return { type: 'AudioModerationFlagged', stream: streamOf(StreamCategory.moderation, id), fields };
}
