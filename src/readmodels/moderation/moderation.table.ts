// The moderation hits table, declared once: one row per image (317) or audio (315) hit, tied to its push session when one matches.
import { column, table, type RowOf } from '../../processing/table';
import { tiedFactColumns } from '../sessionIntervals';

export type ModerationKindValue = 'IMAGE' | 'AUDIO';
export type ModerationSuggestionValue = 'BLOCK' | 'REVIEW' | 'PASS';

export const moderationHitsTable = table(
  'moderation_hits',
  {
    eventId: column.text(),
    /** Where the callback is in the log (its first delivery's): how its callback is found. */
    position: column.position(),
    kind: column.text<ModerationKindValue>(),
    ...tiedFactColumns,
    /** When the moderated picture or sound was taken (Unix ms), else when CSS sent it. */
    at: column.integer().orNull(),
    /** Null when CSS sent none, or one the documents do not define. */
    suggestion: column.text<ModerationSuggestionValue>().orNull(),
    label: column.text().orNull(),
    subLabel: column.text().orNull(),
    score: column.real().orNull(),
    imageUrl: column.text().orNull(),
    /** The transcribed speech, or the text read from the picture. */
    text: column.text().orNull(),
    /** The listing's order: `at`, else when it was received. */
    listedAt: column.integer(),
  },
  {
    primaryKey: ['eventId'],
    indexes: [
      // The projection's own lookups: the hits a session's interval may concern.
      { name: 'moderation_hits_by_stream_time', on: ['streamId', 'tieTo'] },
      { name: 'moderation_hits_by_session', on: ['sequence', 'listedAt DESC', 'eventId DESC'] },
      { name: 'moderation_hits_by_stream', on: ['streamId', 'listedAt DESC', 'eventId DESC'], forQueriesOnly: true },
      { name: 'moderation_hits_by_domain', on: ['domain', 'listedAt DESC', 'eventId DESC'], forQueriesOnly: true },
      { name: 'moderation_hits_by_suggestion', on: ['suggestion', 'listedAt DESC', 'eventId DESC'], forQueriesOnly: true },
      { name: 'moderation_hits_by_kind', on: ['kind', 'listedAt DESC', 'eventId DESC'], forQueriesOnly: true },
      { name: 'moderation_hits_by_time', on: ['listedAt DESC', 'eventId DESC'], forQueriesOnly: true },
    ],
  },
);

export type ModerationHitRow = RowOf<typeof moderationHitsTable>;
