// Fields of what CSS's analysis features report on a live stream: monitoring (328), subtitles (338),
// quality control and evaluation (343-345), smart erasure (347), summary (348) and highlights (349).
import type { StreamPlace } from './callbackFields';

/** `event_type=328`; its documents name no fields beyond where the stream is: the rest stays in raw. */
export interface StreamMonitoringFields extends StreamPlace {
  /** `event_time`, Unix milliseconds. */
  at: number | null;
}

/** Where a piece of text sits in the stream: audio timestamps (ms) and wall-clock instants (Unix ms). */
export interface StreamTextSpan {
  text: string | null;
  startPts: number | null;
  endPts: number | null;
  startedAt: number | null;
  endedAt: number | null;
}

export interface SubtitleLine extends StreamTextSpan {
  /** `dst_txt`: the translation, when one is configured. */
  translation: string | null;
  /** `steady_state`: the line will not be revised any more. */
  steady: boolean | null;
}

/** Live subtitles (`event_type=338`). */
export interface SubtitlesFields extends StreamPlace {
  channelId: string | null;
  /** The subtitle task: its callbacks share a stream. */
  taskId: string;
  lines: SubtitleLine[];
}

export interface ErasedKeyword {
  word: string | null;
  /** Audio timestamps, ms. */
  beginPts: number | null;
  endPts: number | null;
}

export interface ErasedSpan extends StreamTextSpan {
  keywords: ErasedKeyword[];
}

/** Smart erasure silenced keywords (`event_type=347`). */
export interface SmartErasureFields extends StreamPlace {
  channelId: string | null;
  taskId: string;
  spans: ErasedSpan[];
}

/** What quality control (343) and evaluation (344, 345) callbacks share. */
export interface QualityFields extends StreamPlace {
  streamId: string;
  /** `event_time`, Unix milliseconds. */
  at: number | null;
  transcodeTemplateId: number | null;
  watermarkTemplateId: number | null;
  /** `function`: `QualityControl` or `Assessment`. */
  function: string | null;
  /** `class`: the quality control finding (`Blur`, `Mosaic`, ...) or the evaluation metric (`PSNR`, `SSIM`, `VMAF`, ...). */
  kind: string | null;
}

/** Quality control found a problem (`event_type=343`). */
export interface QualityIssueFields extends QualityFields {
  score: number | null;
}

export interface QualityFrame {
  score: number | null;
  /** Unix milliseconds. */
  at: number | null;
}

/** Frames scored under the evaluation threshold (`event_type=344`). */
export interface QualityThresholdFields extends QualityFields {
  frames: QualityFrame[];
}

/** The scores of an evaluation period (`event_type=345`). */
export interface QualityScoreFields extends QualityThresholdFields {
  averageScore: number | null;
  maxScore: number | null;
  minScore: number | null;
}

/** A summary of part of a live stream (`event_type=348`). */
export interface StreamSummaryFields extends StreamPlace {
  streamId: string;
  /** `begin_time` and `end_time`, Unix milliseconds. */
  beganAt: number | null;
  endedAt: number | null;
  title: string | null;
  summary: string | null;
  keywords: string[];
  keyPoints: string[];
}

export interface HighlightClip {
  beganAt: number | null;
  endedAt: number | null;
  title: string | null;
  summary: string | null;
  videoUrl: string | null;
  coverUrl: string | null;
  keywords: string[];
}

/** Highlight clips cut from a live stream (`event_type=349`). */
export interface HighlightsFields extends StreamPlace {
  streamId: string;
  clips: HighlightClip[];
}
