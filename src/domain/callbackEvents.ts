// The domain events a CSS callback becomes, with their normalized fields.
import type {
  HighlightsFields,
  QualityIssueFields,
  QualityScoreFields,
  QualityThresholdFields,
  SmartErasureFields,
  StreamMonitoringFields,
  StreamSummaryFields,
  SubtitlesFields,
} from './analysisEvents';
import type { JsonValue } from './callbackJson';
import type { PushAnomalyReportFields } from './pushAnomalyEvents';
import type { RecordingExceptionFields, RecordingFileFields, RecordingStatusFields } from './recordingEvents';
import type { AudioModerationFields, ImageModerationFields, ScreenshotFields } from './streamMediaEvents';

export const CallbackEventType = {
  StreamPushed: 'StreamPushed',
  StreamInterrupted: 'StreamInterrupted',
  RelayTaskStarted: 'RelayTaskStarted',
  RelayVodFileStarted: 'RelayVodFileStarted',
  RelayVodFileFinished: 'RelayVodFileFinished',
  RelayTaskExited: 'RelayTaskExited',
  RelayTaskAlarmRaised: 'RelayTaskAlarmRaised',
  RelayTaskReconfigured: 'RelayTaskReconfigured',
  PushAnomaliesReported: 'PushAnomaliesReported',
  RecordingFileGenerated: 'RecordingFileGenerated',
  RecordingStatusChanged: 'RecordingStatusChanged',
  RecordingExceptionReported: 'RecordingExceptionReported',
  ScreenshotTaken: 'ScreenshotTaken',
  ImageModerationFlagged: 'ImageModerationFlagged',
  AudioModerationFlagged: 'AudioModerationFlagged',
  StreamMonitoringReported: 'StreamMonitoringReported',
  SubtitlesGenerated: 'SubtitlesGenerated',
  QualityIssueDetected: 'QualityIssueDetected',
  QualityThresholdBreached: 'QualityThresholdBreached',
  QualityScoreReported: 'QualityScoreReported',
  SmartErasureApplied: 'SmartErasureApplied',
  StreamSummaryGenerated: 'StreamSummaryGenerated',
  HighlightsGenerated: 'HighlightsGenerated',
  UnrecognizedCallbackReceived: 'UnrecognizedCallbackReceived',
} as const;
export type CallbackEventType = (typeof CallbackEventType)[keyof typeof CallbackEventType];

/** Push (`event_type=1`) and interruption (`event_type=0`) of one push activity. */
export interface SessionFields {
  sequence: string;
  appId: string | null;
  /** `app`: the push domain. */
  domain: string | null;
  appName: string | null;
  streamId: string | null;
  channelId: string | null;
  /** Unix seconds; null when 0 or absent. */
  eventTime: number | null;
  node: string | null;
  userIp: string | null;
  streamParam: string | null;
  setId: number | null;
  width: number | null;
  height: number | null;
  errcode: number | null;
  /** Sent by newer CSS versions beside errcode (errcode 18 has many). */
  subErrcode: number | null;
  errmsg: string | null;
  /** Interruption only: how long the push lasted, in milliseconds. */
  pushDurationMs: number | null;
}

/** Fields every relay (`event_type=314`) callback carries. */
export interface RelayFields {
  /** Absent in the documented TaskExit example. */
  taskId: string | null;
  appId: string | null;
  callbackEvent: string | null;
  streamId: string | null;
  sourceUrls: string[];
  toUrl: string | null;
  /** Unix seconds; null when 0 or absent. */
  eventTime: number | null;
  /** `msg` parsed; null when it is missing or not JSON. */
  msg: { [key: string]: JsonValue } | null;
}

export interface RelayTaskStartedFields extends RelayFields {
  /** Milliseconds; null when 0 or absent. */
  taskStartTime: number | null;
}

export interface RelayVodFile {
  url: string | null;
  index: number | null;
  durationSeconds: number | null;
}

export interface RelayVodFileFields extends RelayFields {
  file: RelayVodFile;
}

export interface RelayTaskExitedFields extends RelayFields {
  exitCode: number | null;
  exitMessage: string | null;
  /** Milliseconds; null when 0 or absent. */
  taskExitTime: number | null;
}

export const RelayAlarmTypes = [
  'PullFileUnstable',
  'PushStreamUnstable',
  'PullFileFailed',
  'PushStreamFailed',
  'FileEndEarly',
] as const;

export interface RelayTaskAlarmFields extends RelayFields {
  /** One of RelayAlarmTypes as CSS documents them; kept as sent when CSS adds another. */
  alarmType: string | null;
  alarmMessage: string | null;
}

export interface UnrecognizedFields {
  eventType: string | null;
  callbackEvent: string | null;
  /** Why the callback did not match a known shape. */
  reason: string;
}

interface EventOf<T extends CallbackEventType, F> {
  type: T;
  fields: F;
}

export type CallbackEventBody =
  | EventOf<'StreamPushed', SessionFields>
  | EventOf<'StreamInterrupted', SessionFields>
  | EventOf<'RelayTaskStarted', RelayTaskStartedFields>
  | EventOf<'RelayVodFileStarted', RelayVodFileFields>
  | EventOf<'RelayVodFileFinished', RelayVodFileFields>
  | EventOf<'RelayTaskExited', RelayTaskExitedFields>
  | EventOf<'RelayTaskAlarmRaised', RelayTaskAlarmFields>
  | EventOf<'RelayTaskReconfigured', RelayFields>
  | EventOf<'PushAnomaliesReported', PushAnomalyReportFields>
  | EventOf<'RecordingFileGenerated', RecordingFileFields>
  | EventOf<'RecordingStatusChanged', RecordingStatusFields>
  | EventOf<'RecordingExceptionReported', RecordingExceptionFields>
  | EventOf<'ScreenshotTaken', ScreenshotFields>
  | EventOf<'ImageModerationFlagged', ImageModerationFields>
  | EventOf<'AudioModerationFlagged', AudioModerationFields>
  | EventOf<'StreamMonitoringReported', StreamMonitoringFields>
  | EventOf<'SubtitlesGenerated', SubtitlesFields>
  | EventOf<'QualityIssueDetected', QualityIssueFields>
  | EventOf<'QualityThresholdBreached', QualityThresholdFields>
  | EventOf<'QualityScoreReported', QualityScoreFields>
  | EventOf<'SmartErasureApplied', SmartErasureFields>
  | EventOf<'StreamSummaryGenerated', StreamSummaryFields>
  | EventOf<'HighlightsGenerated', HighlightsFields>
  | EventOf<'UnrecognizedCallbackReceived', UnrecognizedFields>;

/** What is stored as an event's data: the normalized fields and the body exactly as received. */
export interface CallbackEventData<F = CallbackEventBody['fields']> {
  fields: F;
  raw: string;
}

/** A callback turned into an event, ready to append. */
export type CallbackEvent = CallbackEventBody & { id: string; stream: string; raw: string };

/** What an interpreter of one family of callbacks decides: the event and its stream, or why it stays unrecognized (and where). */
export type Interpretation = (CallbackEventBody & { stream: string }) | { unrecognized: string; stream?: string };

/**
 * How a callback proved where it came from; `import`: read from a file by `import`, which checks no
 * signature (an operator with the file is trusted, and old `t` values have expired).
 */
export type AuthenticatedBy = 'signature' | 'token' | 'none' | 'import';

export interface CallbackEventMetadata {
  receivedAt: string;
  /** The sender's address; absent for an imported callback. */
  clientAddress?: string;
  authenticatedBy: AuthenticatedBy;
  /** Which configured key verified the signature (its position in CSS_CALLBACK_KEYS), for key rotation. */
  keyIndex?: number;
  requestId?: string;
  /** The Content-Type the callback came with (forwarded `raw` as it came); absent when it had none. */
  contentType?: string;
  /** When `import` stored it (receivedAt is when the service, or the webhook before it, received it). */
  importedAt?: string;
  /** A promoted callback: the quarantine stream it came from, when it was promoted, how late its `t` was on receipt. */
  promotedFrom?: string;
  promotedAt?: string;
  lateSeconds?: number;
}

/** Thrown by exhaustive switches over event types. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`unreachable case: ${JSON.stringify(value)}`);
  }
}
