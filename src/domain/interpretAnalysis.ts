// Analysis callbacks: monitoring (328), subtitles (338), quality (343-345), smart erasure (347), summary (348), highlights (349).
import { field, lacking, placeOfStream, streamPlace } from './callbackFields';
import type { CallbackPayload, JsonValue } from './callbackJson';
import type { Interpretation } from './callbackEvents';
import type { ErasedSpan, QualityFields, QualityFrame, StreamTextSpan, SubtitleLine } from './analysisEvents';
import { decimal, embeddedObject, flag, givenInteger, identifier, objectList, text, textList } from './fieldValues';
import { StreamCategory, streamOf } from './streamNames';
import { unixMillis } from './timeValues';

export const EVENT_TYPE_MONITORING = '328';
export const EVENT_TYPE_SUBTITLES = '338';
export const EVENT_TYPE_QUALITY_ISSUE = '343';
export const EVENT_TYPE_QUALITY_THRESHOLD = '344';
export const EVENT_TYPE_QUALITY_SCORE = '345';
export const EVENT_TYPE_SMART_ERASURE = '347';
export const EVENT_TYPE_SUMMARY = '348';
export const EVENT_TYPE_HIGHLIGHTS = '349';

type Entry = { [key: string]: JsonValue };

/** The entries of `data.subtitle_tmp_res[]`, `data` possibly JSON inside a string. */
const textResults = (payload: CallbackPayload): Entry[] => objectList(embeddedObject(payload.data)?.subtitle_tmp_res);

function span(entry: Entry): StreamTextSpan {
  return {
    text: text(entry.src_txt),
    startPts: decimal(entry.start_pts),
    endPts: decimal(entry.end_pts),
    startedAt: unixMillis(entry.start_unix_time),
    endedAt: unixMillis(entry.end_unix_time),
  };
}

const subtitleLine = (entry: Entry): SubtitleLine => ({
  ...span(entry),
  translation: text(entry.dst_txt),
  // The documented example spells it `stead_state`.
  steady: flag(field(entry, 'steady_state', 'stead_state')),
});

const erasedSpan = (entry: Entry): ErasedSpan => ({
  ...span(entry),
  keywords: objectList(entry.keywords_info).map((k) => ({ word: text(k.word), beginPts: decimal(k.begin_time), endPts: decimal(k.end_time) })),
});

const frame = (entry: Entry): QualityFrame => ({ score: decimal(entry.score), at: unixMillis(entry.time) });

/** `event_type=328`: its documents name nothing beyond the stream; one stream per report. */
export function interpretMonitoring(payload: CallbackPayload, id: string): Interpretation {
  const fields = { ...streamPlace(payload), at: unixMillis(payload.event_time) };
  return { type: 'StreamMonitoringReported', stream: streamOf(StreamCategory.monitoring, id), fields };
}

/** `event_type=338` and `347`: the callbacks of one task, in order, share the task's stream. */
export function interpretTaskText(payload: CallbackPayload, eventType: string): Interpretation {
  const taskId = identifier(payload.task_id);
  if (taskId === null) return { unrecognized: lacking(eventType, 'task_id') };
  const common = { ...streamPlace(payload), channelId: text(payload.channel_id), taskId };
  if (eventType === EVENT_TYPE_SUBTITLES) {
    const fields = { ...common, lines: textResults(payload).map(subtitleLine) };
    return { type: 'SubtitlesGenerated', stream: streamOf(StreamCategory.subtitles, taskId), fields };
  }
  const fields = { ...common, spans: textResults(payload).map(erasedSpan) };
  return { type: 'SmartErasureApplied', stream: streamOf(StreamCategory.erasure, taskId), fields };
}

/** `event_type=343`, `344` and `345`: one stream per report. */
export function interpretQuality(payload: CallbackPayload, id: string, eventType: string): Interpretation {
  const place = placeOfStream(payload, eventType);
  if ('unrecognized' in place) return place;
  const common: QualityFields = {
    ...place,
    at: unixMillis(payload.event_time),
    transcodeTemplateId: givenInteger(payload.transcode_template_id),
    watermarkTemplateId: givenInteger(payload.watermark_template_id),
    function: text(payload.function),
    kind: text(payload.class),
  };
  const stream = streamOf(StreamCategory.quality, id);
  if (eventType === EVENT_TYPE_QUALITY_ISSUE) return { type: 'QualityIssueDetected', stream, fields: { ...common, score: decimal(payload.score) } };
  const frames = objectList(payload.frames).map(frame);
  if (eventType === EVENT_TYPE_QUALITY_THRESHOLD) return { type: 'QualityThresholdBreached', stream, fields: { ...common, frames } };
  const scores = { averageScore: decimal(payload.average_score), maxScore: decimal(payload.max_score), minScore: decimal(payload.min_score) };
  return { type: 'QualityScoreReported', stream, fields: { ...common, frames, ...scores } };
}

/** `event_type=348`: one stream per summary. */
export function interpretSummary(payload: CallbackPayload, id: string): Interpretation {
  const place = placeOfStream(payload, EVENT_TYPE_SUMMARY);
  if ('unrecognized' in place) return place;
  const fields = {
    ...place,
    beganAt: unixMillis(payload.begin_time),
    endedAt: unixMillis(payload.end_time),
    title: text(payload.title),
    summary: text(payload.summary),
    keywords: textList(payload.key_words),
    keyPoints: textList(payload.key_points),
  };
  return { type: 'StreamSummaryGenerated', stream: streamOf(StreamCategory.summary, id), fields };
}

/** `event_type=349`: one stream per set of clips. */
export function interpretHighlights(payload: CallbackPayload, id: string): Interpretation {
  const place = placeOfStream(payload, EVENT_TYPE_HIGHLIGHTS);
  if ('unrecognized' in place) return place;
  const clips = objectList(payload.items).map((item) => ({
    beganAt: unixMillis(item.begin_time),
    endedAt: unixMillis(item.end_time),
    title: text(item.title),
    summary: text(item.summary),
    videoUrl: text(item.video_store_url),
    coverUrl: text(item.cov_img_store_url),
    keywords: textList(item.key_words),
  }));
  return { type: 'HighlightsGenerated', stream: streamOf(StreamCategory.highlights, id), fields: { ...place, clips } };
}
