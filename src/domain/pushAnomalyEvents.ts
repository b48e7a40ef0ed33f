// Fields of a push anomaly report (`event_type=321`): what went wrong with a push during one reporting interval.
import type { StreamPlace } from './callbackFields';

export interface PushAnomalyOccurrence {
  description: string | null;
  /** `occur_time`, Unix milliseconds (the documents say a Unix timestamp; the examples send milliseconds). */
  at: number | null;
}

/** One entry of `abnormal_event[]`. */
export interface PushAnomaly {
  /** 1-16: see pushAnomalyCatalogue. */
  type: number | null;
  /** How often it happened within the reporting interval. */
  count: number | null;
  /** `type_desc_en` as sent. */
  description: string | null;
  occurrences: PushAnomalyOccurrence[];
}

export interface PushAnomalyReportFields extends StreamPlace {
  /** The push session (same `sequence` as its push and interruption), all its digits. */
  sequence: string;
  userIp: string | null;
  streamParam: string | null;
  /** `data_time`, Unix milliseconds. */
  reportedAt: number | null;
  reportIntervalMs: number | null;
  /** `abnormal_event[]`, decoded from a JSON string when sent as one. */
  anomalies: PushAnomaly[];
}
