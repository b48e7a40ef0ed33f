// Reads of the moderation read model: hits filtered over all streams, keyset-paginated, and the hits of one session.
import { keysetListing } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { factsOfSession, LISTED_NEWEST_FIRST } from '../tiedFactQueries';
import { moderationHitsTable, type ModerationHitRow, type ModerationKindValue, type ModerationSuggestionValue } from './moderation.table';

export interface ModerationListFilter {
  streamId?: string;
  domain?: string;
  suggestion?: ModerationSuggestionValue;
  kind?: ModerationKindValue;
  /** On listedAt (ms): from inclusive, to exclusive. */
  from?: number;
  to?: number;
}

export function moderationQueries(db: ReadModelDatabase) {
  const columns = moderationHitsTable.selectList(db);
  const c = (key: Parameters<typeof moderationHitsTable.column>[0]) => moderationHitsTable.column(key);
  const ofSession = factsOfSession(db, moderationHitsTable);
  const list = keysetListing<ModerationListFilter, ModerationHitRow>(db, {
    listing: 'moderationHits',
    from: 'moderation_hits',
    columns,
    sortKey: LISTED_NEWEST_FIRST,
    filters: {
      streamId: { column: c('streamId'), operator: 'equals' },
      domain: { column: c('domain'), operator: 'equals' },
      suggestion: { column: c('suggestion'), operator: 'equals' },
      kind: { column: c('kind'), operator: 'equals' },
      from: { column: c('listedAt'), operator: 'from' },
      to: { column: c('listedAt'), operator: 'before' },
    },
    // moderation_hits_by_stream, _by_domain, _by_suggestion, _by_kind, most selective first.
    indexedFilters: ['streamId', 'domain', 'suggestion', 'kind'],
    // Positions may exceed 2^53.
    safeIntegers: true,
    toRow: (raw) => moderationHitsTable.fromStored(raw),
    keyOf: (row) => [row.listedAt, row.eventId],
  });

  return {
    /** Newest first (listedAt, then event id, descending); `after` is an endCursor of this listing. */
    list(filter: ModerationListFilter, first: number, after: string | null): Page<ModerationHitRow> {
      return list(filter, first, after);
    },
    /** The hits of one push session, oldest first. */
    ofSession(sequence: string): ModerationHitRow[] {
      return ofSession(sequence);
    },
  };
}
export type ModerationQueries = ReturnType<typeof moderationQueries>;
