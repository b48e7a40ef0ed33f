// Stream names, EventStoreDB style: `category-id`, the category before the first dash.

export const StreamCategory = {
  session: 'session',
  relayTask: 'relaytask',
  /** A TaskExit without `task_id`: one stream per exit, until the projector matches it to a task. */
  relayExit: 'relayexit',
  /** A callback of no known shape: one stream per callback, so that streams stay short. */
  unrecognized: 'unrecognized',
  /** An authentic callback whose signature had expired: kept aside, one stream per callback, until an operator promotes it. */
  quarantine: 'quarantine',
  /** One recording task (`session_id`): its status changes, exceptions, and the files that name it. */
  recording: 'recording',
  /** A recording file that names no recording task: one stream per file. */
  recordingFile: 'recordingfile',
  /** The screenshots of one screenshot task (`task_id`), in order. */
  screenshotTask: 'screenshottask',
  /** A screenshot that names no task: one stream per screenshot. */
  screenshot: 'screenshot',
  /** One image or audio moderation hit per stream: each is a verdict on its own. */
  moderation: 'moderation',
  /** The subtitle callbacks of one subtitle task (`task_id`), in order. */
  subtitles: 'subtitles',
  /** The smart erasure callbacks of one erasure task (`task_id`), in order. */
  erasure: 'erasure',
  /** One quality control or evaluation report per stream. */
  quality: 'quality',
  /** One live summary per stream. */
  summary: 'summary',
  /** One set of highlight clips per stream. */
  highlights: 'highlights',
  /** One monitoring report per stream. */
  monitoring: 'monitoring',
} as const;
export type StreamCategory = (typeof StreamCategory)[keyof typeof StreamCategory];

export const ALL_STREAM_CATEGORIES: readonly StreamCategory[] = Object.values(StreamCategory);

/** `category-id`. */
export const streamOf = (category: StreamCategory, id: string): string => `${category}-${id}`;

export const sessionStream = (sequence: string): string => `${StreamCategory.session}-${sequence}`;
export const relayTaskStream = (taskId: string): string => `${StreamCategory.relayTask}-${taskId}`;
export const relayExitStream = (eventId: string): string => `${StreamCategory.relayExit}-${eventId}`;
export const unrecognizedStream = (eventId: string): string => `${StreamCategory.unrecognized}-${eventId}`;
export const quarantineStream = (eventId: string): string => `${StreamCategory.quarantine}-${eventId}`;
export const isQuarantineStream = (stream: string): boolean => stream.startsWith(`${StreamCategory.quarantine}-`);

/** Splits `session-123` into its category and id; null when the name has no dash. */
export function parseStreamName(stream: string): { category: string; id: string } | null {
  const dash = stream.indexOf('-');
  if (dash <= 0) return null;
  return { category: stream.slice(0, dash), id: stream.slice(dash + 1) };
}
