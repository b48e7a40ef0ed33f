// The moderation projection: each image and audio hit as a row, tied to the push session it was taken from, whichever arrives first.
import { CallbackEventType } from '../../domain/callbackEvents';
import { defineProjection } from '../../processing/projectionDefinition';
import { toProjectedEvent, type ProjectedEvent } from '../projectedEvent';
import { SESSION_EVENT_TYPES, sessionIntervalsTable, tiedFactOf } from '../sessionIntervals';
import { openTiedFacts, tiedFacts, type TiedFactAdded } from '../tiedFacts';
import { moderationHitsTable, type ModerationHitRow, type ModerationSuggestionValue } from './moderation.table';

/** A hit that became known: what `moderationHitRaised` announces, once. */
export type ModerationChange = TiedFactAdded;

type ModerationEvent = ProjectedEvent & { type: 'ImageModerationFlagged' | 'AudioModerationFlagged' };

const SUGGESTIONS: Record<string, ModerationSuggestionValue> = { Block: 'BLOCK', Review: 'REVIEW', Pass: 'PASS' };

/** The hit's row; its `sequence` is left to the session tie. */
export function moderationHitRow(event: ModerationEvent): Omit<ModerationHitRow, 'sequence'> {
  const f = event.fields;
  const image = event.type === CallbackEventType.ImageModerationFlagged ? event.fields : null;
  const at = image === null ? f.at : (image.at ?? image.sentAt);
  return {
    eventId: event.id,
    position: event.position,
    kind: image === null ? 'AUDIO' : 'IMAGE',
    ...tiedFactOf(event, { domain: f.domain, appName: f.appName, streamId: f.streamId }),
    at,
    suggestion: f.suggestion === null ? null : (SUGGESTIONS[f.suggestion] ?? null),
    label: f.label,
    subLabel: f.subLabel,
    score: f.score,
    imageUrl: image?.imageUrl ?? null,
    text: image === null ? (event.type === CallbackEventType.AudioModerationFlagged ? event.fields.text : null) : image.ocrText,
    listedAt: at ?? event.receivedAt,
  };
}

/** The sessions this read model ties its facts to, kept by itself. */
const intervalsTable = sessionIntervalsTable('moderation');

export const moderationProjection = defineProjection<ModerationChange>({
  name: 'moderation',
  // 2: a session's interval state keeps only what its fold reads.
  version: 2,
  // Unrecognized callbacks too: one stored before its type was modelled may be a hit or a push today.
  canHandle: [
    ...SESSION_EVENT_TYPES,
    CallbackEventType.ImageModerationFlagged,
    CallbackEventType.AudioModerationFlagged,
    CallbackEventType.UnrecognizedCallbackReceived,
  ],
  tables: [intervalsTable, moderationHitsTable],
  open: (db) =>
    openTiedFacts(db, intervalsTable, [
      tiedFacts<ModerationHitRow>({
        table: moderationHitsTable,
        factOf: (event) =>
          event.type === CallbackEventType.ImageModerationFlagged || event.type === CallbackEventType.AudioModerationFlagged ? moderationHitRow(event) : null,
      }),
    ]),
});
