// One line of plain English per event, for timelines: "recording file of 3,600 s ready (HLS)".
import type { CallbackEventBody, SessionFields } from './callbackEvents';
import { describeInterruption } from './errcodeCatalogue';
import { smallest } from './fieldValues';
import { describePushAnomaly } from './pushAnomalyCatalogue';
import type { PushAnomaly } from './pushAnomalyEvents';
import { describeRecordingException } from './recordingExceptionCatalogue';
import type { RecordingStatusFields } from './recordingEvents';
import type { ModerationHitFields } from './streamMediaEvents';
import { UnreachableCaseError } from './callbackEvents';

/** 3600 → "3,600", without depending on the process's locale. */
export function grouped(n: number): string {
  const [whole = '', fraction] = String(Math.abs(n)).split('.');
  const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${digits}${fraction === undefined ? '' : `.${fraction}`}`;
}

const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places;
const size = (width: number | null, height: number | null): string | null => (width !== null && height !== null ? `${width}×${height}` : null);
const joined = (...parts: (string | null | undefined)[]): string => parts.filter((p): p is string => p !== null && p !== undefined && p !== '').join(', ');
const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);
/** Long free text cut for one line. */
const quoted = (text: string | null, max = 60): string | null =>
  text === null ? null : `“${[...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text}”`;

function interruption(fields: SessionFields): string {
  const { errcode, subErrcode, errmsg, pushDurationMs } = fields;
  const after = pushDurationMs === null ? '' : ` after ${grouped(Math.round(pushDurationMs / 1000))} s`;
  if (errcode === null) return joined(`interrupted${after}`, errmsg);
  const codes = subErrcode === null || subErrcode === 0 ? `errcode ${errcode}` : `errcode ${errcode}/${subErrcode}`;
  const cause = describeInterruption(errcode, subErrcode);
  return `interrupted${after}: ${joined(codes, cause === null ? errmsg : lowerFirst(cause.reason))}`;
}

const RECORDING_STATUS: Readonly<Record<string, string>> = {
  record_start_succeeded: 'recording started',
  record_start_failed: 'recording failed to start',
  record_paused: 'recording paused',
  record_resumed: 'recording resumed',
  record_error: 'recording error',
  record_ended: 'recording ended',
};

function recordingStatus({ status, detail }: RecordingStatusFields): string {
  const said = Object.hasOwn(RECORDING_STATUS, status) ? RECORDING_STATUS[status]! : `recording status ${status}`;
  const how = joined(detail?.fileFormat, detail?.source === 'relay' ? 'relay recording' : null);
  return how === '' ? said : `${said} (${how})`;
}

/** `label` lower-cased; the older image moderation callbacks have only `type[]` numbers in its place. */
function moderation(kind: string, fields: ModerationHitFields, types: number[] = []): string {
  const label = fields.label?.toLowerCase() ?? (types.length === 0 ? null : `type ${types.join('/')}`);
  const what = joined(label, fields.score === null ? null : `score ${round(fields.score, 1)}`);
  return `${kind}: ${fields.suggestion ?? 'hit'}${what === '' ? '' : ` (${what})`}`;
}

/** "3 × frame rate too low, 2 × audio codec changed": counts summed per type, in the order they first appear. */
function anomalies(list: PushAnomaly[]): string {
  const counts = new Map<string, number>();
  for (const anomaly of list) {
    const meaning = describePushAnomaly(anomaly.type) ?? anomaly.description ?? (anomaly.type === null ? 'anomaly' : `type ${anomaly.type}`);
    counts.set(meaning, (counts.get(meaning) ?? 0) + (anomaly.count ?? Math.max(1, anomaly.occurrences.length)));
  }
  return counts.size === 0 ? 'push anomaly report: nothing listed' : `push anomaly report: ${[...counts].map(([m, n]) => `${grouped(n)} × ${m}`).join(', ')}`;
}

const count = (n: number, one: string, many: string): string => `${grouped(n)} ${n === 1 ? one : many}`;

/** A one-line human summary of any event this service stores. */
export function summarize(event: CallbackEventBody): string {
  switch (event.type) {
    case 'StreamPushed':
      return joined(`pushed ${event.fields.streamId ?? ''}`.trim(), size(event.fields.width, event.fields.height));
    case 'StreamInterrupted':
      return interruption(event.fields);
    case 'RelayTaskStarted':
      return 'relay task started';
    case 'RelayVodFileStarted':
    case 'RelayVodFileFinished': {
      const { index, durationSeconds } = event.fields.file;
      const which = `relay file${index === null ? '' : ` ${index}`} ${event.type === 'RelayVodFileStarted' ? 'started' : 'finished'}`;
      return durationSeconds === null ? which : `${which} (${grouped(durationSeconds)} s)`;
    }
    case 'RelayTaskExited':
      return `relay task exited${event.fields.exitCode === null ? '' : `: ${joined(`code ${event.fields.exitCode}`, event.fields.exitMessage)}`}`;
    case 'RelayTaskAlarmRaised':
      return `relay alarm: ${joined(event.fields.alarmType ?? 'unknown', event.fields.alarmMessage)}`;
    case 'RelayTaskReconfigured':
      return 'relay task reconfigured';
    case 'PushAnomaliesReported':
      return anomalies(event.fields.anomalies);
    case 'RecordingFileGenerated': {
      const { durationSeconds, format } = event.fields;
      const of = durationSeconds === null ? '' : ` of ${grouped(durationSeconds)} s`;
      return `recording file${of} ready${format === null ? '' : ` (${format.toUpperCase()})`}`;
    }
    case 'RecordingStatusChanged':
      return recordingStatus(event.fields);
    case 'RecordingExceptionReported': {
      const { level, exceptionType, occurrences, description } = event.fields;
      const what = describeRecordingException(exceptionType) ?? description ?? (exceptionType === null ? 'unknown' : `type ${exceptionType}`);
      return `recording exception${level === null ? '' : ` (${level})`}: ${what}${occurrences === null ? '' : ` × ${grouped(occurrences)}`}`;
    }
    case 'ScreenshotTaken':
      return joined(`screenshot ${size(event.fields.width, event.fields.height) ?? ''}`.trim());
    case 'ImageModerationFlagged':
      return moderation('moderation', event.fields, event.fields.types);
    case 'AudioModerationFlagged':
      return moderation('audio moderation', event.fields);
    case 'StreamMonitoringReported':
      return 'monitoring report';
    case 'SubtitlesGenerated':
      return joined(`subtitles: ${count(event.fields.lines.length, 'line', 'lines')}`, quoted(event.fields.lines[0]?.text ?? null));
    case 'SmartErasureApplied': {
      const words = event.fields.spans.flatMap((s) => s.keywords);
      return `smart erasure: ${count(words.length, 'keyword', 'keywords')} silenced`;
    }
    case 'QualityIssueDetected':
      return `quality issue: ${event.fields.kind ?? 'unknown'}${event.fields.score === null ? '' : ` (score ${round(event.fields.score, 1)})`}`;
    case 'QualityThresholdBreached': {
      const lowest = smallest(event.fields.frames.map((f) => f.score));
      const frames = count(event.fields.frames.length, 'frame', 'frames');
      return `quality below threshold: ${joined(event.fields.kind, frames, lowest === null ? null : `lowest ${round(lowest, 2)}`)}`;
    }
    case 'QualityScoreReported': {
      const { kind, averageScore, minScore, maxScore } = event.fields;
      const range = minScore === null || maxScore === null ? '' : ` (${round(minScore, 2)}–${round(maxScore, 2)})`;
      return `quality evaluation: ${kind ?? 'score'}${averageScore === null ? '' : ` average ${round(averageScore, 2)}`}${range}`;
    }
    case 'StreamSummaryGenerated':
      return `summary: ${event.fields.title ?? quoted(event.fields.summary) ?? 'untitled'}`;
    case 'HighlightsGenerated':
      return joined(`highlights: ${count(event.fields.clips.length, 'clip', 'clips')}`, quoted(event.fields.clips[0]?.title ?? null));
    case 'UnrecognizedCallbackReceived':
      return `unrecognized callback: ${event.fields.reason}`;
    default:
      throw new UnreachableCaseError(event);
  }
}
