// Screenshot (200) and moderation (317 image, 315 audio) callbacks: tied to a push session by stream and time only, so in streams of their own.
import { field, lacking, streamPlace } from './callbackFields';
import type { CallbackPayload } from './callbackJson';
import type { Interpretation } from './callbackEvents';
import { decimal, decimalList, embeddedObject, flag, givenInteger, identifier, objectList, text } from './fieldValues';
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

// reduce, not Math.max(...list): a list as long as a body allows would overflow the call's arguments.
const highest = (scores: number[]): number | null => scores.reduce<number | null>((max, s) => (max === null || s > max ? s : max), null);
const lowest = (values: number[]): number | null => values.reduce<number | null>((min, v) => (min === null || v < min ? v : min), null);

/** `event_type=200`: the screenshots of one task share a stream; one without a task has its own. */
export function interpretScreenshot(payload: CallbackPayload, id: string): Interpretation {
  const place = streamPlace(payload);
  const { streamId } = place;
  if (streamId === null) return { unrecognized: lacking(EVENT_TYPE_SCREENSHOT, 'stream_id') };
  const taskId = identifier(payload.task_id);
  const fields = {
    ...place,
    streamId,
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
  const place = streamPlace(payload);
  const { streamId } = place;
  if (streamId === null) return { unrecognized: lacking(EVENT_TYPE_IMAGE_MODERATION, 'streamId') };
  const scores = decimalList(field(payload, 'score', 'socre'));
  const fields = {
    ...place,
    streamId,
    channelId: text(field(payload, 'channelId', 'channel_id')),
    suggestion: suggestion(text(payload.suggestion)),
    label: text(payload.label),
    subLabel: text(field(payload, 'subLabel', 'sub_label')),
    score: highest(scores),
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
  const times = results.map((result) => unixMillis(result.create_time)).filter((at): at is number => at !== null);
  return lowest(times);
}

/** `event_type=315`. */
export function interpretAudioModeration(payload: CallbackPayload, id: string): Interpretation {
  const place = streamPlace(payload);
  const { streamId } = place;
  if (streamId === null) return { unrecognized: lacking(EVENT_TYPE_AUDIO_MODERATION, 'stream_id') };
  const fields = {
    ...place,
    streamId,
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
