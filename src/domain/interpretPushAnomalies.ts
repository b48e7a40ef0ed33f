// Push anomaly reports (`event_type=321`): they carry the push's `sequence`, so they join its session stream.
import { lacking, streamPlace } from './callbackFields';
import type { CallbackPayload, JsonValue } from './callbackJson';
import type { Interpretation } from './callbackEvents';
import { givenInteger, identifier, integer, objectList, text } from './fieldValues';
import type { PushAnomaly } from './pushAnomalyEvents';
import { sessionStream } from './streamNames';
import { unixMillis } from './timeValues';

export const EVENT_TYPE_PUSH_ANOMALIES = '321';

function anomaly(entry: { [key: string]: JsonValue }): PushAnomaly {
  return {
    type: integer(entry.type),
    count: integer(entry.count),
    description: text(entry.type_desc_en),
    occurrences: objectList(entry.detail).map((detail) => ({ description: text(detail.desc), at: unixMillis(detail.occur_time) })),
  };
}

export function interpretPushAnomalies(payload: CallbackPayload): Interpretation {
  const sequence = identifier(payload.sequence);
  if (sequence === null) return { unrecognized: lacking(EVENT_TYPE_PUSH_ANOMALIES, 'a usable sequence') };
  const fields = {
    ...streamPlace(payload),
    sequence,
    userIp: text(payload.user_ip),
    streamParam: text(payload.stream_param),
    reportedAt: unixMillis(payload.data_time),
    reportIntervalMs: givenInteger(payload.report_interval),
    anomalies: objectList(payload.abnormal_event).map(anomaly),
  };
  return { type: 'PushAnomaliesReported', stream: sessionStream(sequence), fields };
}
