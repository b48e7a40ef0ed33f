// Turns a parsed CSS callback into the domain event it stands for (pure; nothing is ever rejected here).
import { field } from './callbackFields';
import type { CallbackPayload } from './callbackJson';
import type { CallbackEvent, Interpretation, SessionFields } from './callbackEvents';
import { callbackEventId } from './eventId';
import { givenInteger, identifier, integer, text } from './fieldValues';
import {
  EVENT_TYPE_HIGHLIGHTS,
  EVENT_TYPE_MONITORING,
  EVENT_TYPE_QUALITY_ISSUE,
  EVENT_TYPE_QUALITY_SCORE,
  EVENT_TYPE_QUALITY_THRESHOLD,
  EVENT_TYPE_SMART_ERASURE,
  EVENT_TYPE_SUBTITLES,
  EVENT_TYPE_SUMMARY,
  interpretHighlights,
  interpretMonitoring,
  interpretQuality,
  interpretSummary,
  interpretTaskText,
} from './interpretAnalysis';
import { EVENT_TYPE_PUSH_ANOMALIES, interpretPushAnomalies } from './interpretPushAnomalies';
import {
  EVENT_TYPE_RECORDING_EXCEPTION,
  EVENT_TYPE_RECORDING_FILE,
  EVENT_TYPE_RECORDING_STATUS,
  interpretRecordingException,
  interpretRecordingFile,
  interpretRecordingStatus,
} from './interpretRecording';
import { interpretRelay } from './interpretRelay';
import {
  EVENT_TYPE_AUDIO_MODERATION,
  EVENT_TYPE_IMAGE_MODERATION,
  EVENT_TYPE_SCREENSHOT,
  interpretAudioModeration,
  interpretImageModeration,
  interpretScreenshot,
} from './interpretStreamMedia';
import { sessionStream, unrecognizedStream } from './streamNames';

export const EVENT_TYPE_PUSH = '1';
export const EVENT_TYPE_INTERRUPTION = '0';
export const EVENT_TYPE_RELAY = '314';

function sessionFields(payload: CallbackPayload, sequence: string): SessionFields {
  return {
    sequence,
    appId: text(field(payload, 'appid', 'appId')),
    domain: text(payload.app),
    appName: text(payload.appname),
    streamId: text(payload.stream_id),
    channelId: text(payload.channel_id),
    eventTime: givenInteger(payload.event_time),
    node: text(payload.node),
    userIp: text(payload.user_ip),
    streamParam: text(payload.stream_param),
    setId: integer(payload.set_id),
    width: givenInteger(payload.width),
    height: givenInteger(payload.height),
    errcode: integer(payload.errcode),
    subErrcode: integer(payload.sub_errcode),
    errmsg: text(payload.errmsg),
    pushDurationMs: givenInteger(payload.push_duration),
  };
}

function interpretSession(payload: CallbackPayload, eventType: string): Interpretation {
  const sequence = identifier(payload.sequence);
  if (sequence === null) return { unrecognized: `event_type ${eventType} without a usable sequence` };
  const type = eventType === EVENT_TYPE_PUSH ? 'StreamPushed' : 'StreamInterrupted';
  return { type, stream: sessionStream(sequence), fields: sessionFields(payload, sequence) };
}

type Interpreter = (payload: CallbackPayload, id: string, eventType: string) => Interpretation;

/** Every `event_type` this service models, and who reads it. */
const INTERPRETERS: ReadonlyMap<string, Interpreter> = new Map<string, Interpreter>([
  [EVENT_TYPE_PUSH, (payload, _id, eventType) => interpretSession(payload, eventType)],
  [EVENT_TYPE_INTERRUPTION, (payload, _id, eventType) => interpretSession(payload, eventType)],
  [EVENT_TYPE_RELAY, interpretRelay],
  [EVENT_TYPE_PUSH_ANOMALIES, interpretPushAnomalies],
  [EVENT_TYPE_RECORDING_FILE, interpretRecordingFile],
  [EVENT_TYPE_RECORDING_STATUS, interpretRecordingStatus],
  [EVENT_TYPE_RECORDING_EXCEPTION, interpretRecordingException],
  [EVENT_TYPE_SCREENSHOT, interpretScreenshot],
  [EVENT_TYPE_IMAGE_MODERATION, interpretImageModeration],
  [EVENT_TYPE_AUDIO_MODERATION, interpretAudioModeration],
  [EVENT_TYPE_MONITORING, interpretMonitoring],
  [EVENT_TYPE_SUBTITLES, (payload, _id, eventType) => interpretTaskText(payload, eventType)],
  [EVENT_TYPE_SMART_ERASURE, (payload, _id, eventType) => interpretTaskText(payload, eventType)],
  [EVENT_TYPE_QUALITY_ISSUE, interpretQuality],
  [EVENT_TYPE_QUALITY_THRESHOLD, interpretQuality],
  [EVENT_TYPE_QUALITY_SCORE, interpretQuality],
  [EVENT_TYPE_SUMMARY, interpretSummary],
  [EVENT_TYPE_HIGHLIGHTS, interpretHighlights],
]);

/** Decides type and stream of a callback; `raw` is the body exactly as received. */
export function interpretCallback(payload: CallbackPayload, raw: string): CallbackEvent {
  const id = callbackEventId(payload);
  const eventType = text(payload.event_type);
  const interpreter = eventType === null ? undefined : INTERPRETERS.get(eventType);
  const interpretation: Interpretation =
    eventType === null ? { unrecognized: 'no event_type' }
    : interpreter === undefined ? { unrecognized: `event_type ${eventType} is not one this service models` }
    : interpreter(payload, id, eventType);
  if ('unrecognized' in interpretation) {
    return {
      id,
      stream: interpretation.stream ?? unrecognizedStream(id),
      raw,
      type: 'UnrecognizedCallbackReceived',
      fields: { eventType, callbackEvent: text(payload.callback_event), reason: interpretation.unrecognized },
    };
  }
  return { ...interpretation, id, raw };
}
