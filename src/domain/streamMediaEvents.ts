// Fields of what CSS takes from a live stream's picture and sound: screenshots (200), image (317) and audio (315) moderation hits.
import type { StreamPlace } from './callbackFields';

/** A screenshot was stored (`event_type=200`). */
export interface ScreenshotFields extends StreamPlace {
  streamId: string;
  channelId: string | null;
  /** `create_time`, Unix milliseconds. */
  takenAt: number | null;
  /** `pic_full_url`: where to download it. */
  url: string | null;
  /** `pic_url`: its path in the bucket. */
  path: string | null;
  width: number | null;
  height: number | null;
  fileSizeBytes: number | null;
  /** The screenshot task; its screenshots share a stream. */
  taskId: string | null;
  streamParam: string | null;
}

/** `Block`, `Review` or `Pass`, capitalized as the documents write them; another value is kept as sent. */
export type ModerationSuggestion = string;
export const ModerationSuggestions = ['Block', 'Review', 'Pass'] as const;

/** What image and audio moderation hits have in common. */
export interface ModerationHitFields extends StreamPlace {
  streamId: string;
  channelId: string | null;
  suggestion: ModerationSuggestion | null;
  /** The negative label of highest priority, e.g. `Porn`, `Ad`. */
  label: string | null;
  subLabel: string | null;
  /** 0-100: the highest score of the hit. */
  score: number | null;
  /** When the moderated picture or sound was taken, Unix milliseconds. */
  at: number | null;
}

/** Image moderation found a suspicious frame (`event_type=317`; camelCase fields; CSS sends only suspicious frames). */
export interface ImageModerationFields extends ModerationHitFields {
  /** `img`: the moderated picture. */
  imageUrl: string | null;
  /** `type[]`: the categories of the highest-priority labels. */
  types: number[];
  /** `score[]` (the documented example spells it `socre`): the scores of `types`. */
  scores: number[];
  /** `ocrMsg`: text read from the picture. */
  ocrText: string | null;
  /** `sendTime`, Unix milliseconds. */
  sentAt: number | null;
  streamParam: string | null;
}

/** Audio moderation found suspicious sound (`event_type=315`). */
export interface AudioModerationFields extends ModerationHitFields {
  /** `HitFlag`: whether the moderation model was triggered. */
  hit: boolean | null;
  /** `asr_text`: the transcribed speech. */
  text: string | null;
  /** `duration`: seconds of speech recognized. */
  durationSeconds: number | null;
  /** The audio moderation task, as text (sent as a number). */
  taskId: string | null;
  /** `seq`: the audio sequence, all its digits. */
  seq: string | null;
  requestId: string | null;
}
