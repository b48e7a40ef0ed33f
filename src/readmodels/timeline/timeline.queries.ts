// Reads of the timeline: a session's entries and a stream's, oldest first, a page at a time.
import { bound } from '../../eventstore/sqlite/boundValue';
import { keysetListing } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { timelineEntriesTable, type TimelineEntryRow } from './timeline.table';

export type { TimelineEntryRow } from './timeline.table';

export interface TimelineListFilter {
  sequence?: string;
  streamId?: string;
  /** Lower-cased; entries of every domain when absent. */
  domain?: string;
}

export function timelineQueries(db: ReadModelDatabase) {
  const columns = timelineEntriesTable.selectList(db);
  const c = (key: Parameters<typeof timelineEntriesTable.column>[0]) => timelineEntriesTable.column(key);
  const list = keysetListing<TimelineListFilter, TimelineEntryRow>(db, {
    listing: 'timeline',
    from: 'timeline_entries',
    columns,
    order: 'oldest first',
    // Position breaks ties of time: the order, and so a cursor, is exact.
    sortKey: [
      { column: c('at'), kind: 'integer' },
      { column: c('position'), kind: 'position' },
    ],
    filters: {
      sequence: { column: c('sequence'), operator: 'equals' },
      streamId: { column: c('streamId'), operator: 'equals' },
      domain: { column: c('domain'), operator: 'equals' },
    },
    // timeline_by_session, timeline_by_stream: a session has fewer entries than its stream.
    indexedFilters: ['sequence', 'streamId'],
    safeIntegers: true,
    toRow: (raw) => timelineEntriesTable.fromStored(raw),
    keyOf: (row) => [row.at, row.position],
  });
  const domainOf = db
    .prepare<[string], string | null>(`SELECT domain FROM timeline_entries WHERE stream_id = ${bound('?')} ORDER BY at DESC, position DESC LIMIT 1`)
    .pluck();
  const anyOf = db.prepare<[string, string | null, string | null], number>(
    'SELECT 1 FROM timeline_entries WHERE stream_id = ? AND (? IS NULL OR domain = ?) LIMIT 1',
  );

  return {
    /** Oldest first (at, then log position); `after` is a cursor of this listing. */
    list(filter: TimelineListFilter, first: number, after: string | null): Page<TimelineEntryRow> {
      return list(filter, first, after);
    },
    /** Whether anything is known of this stream (on this domain, lower-cased, when given). */
    knows(streamId: string, domain: string | null): boolean {
      return anyOf.get(streamId, domain, domain) !== undefined;
    },
    /** The domain of the newest entry about this stream; undefined when none is known. */
    latestDomainOf(streamId: string): string | null | undefined {
      return domainOf.get(streamId);
    },
  };
}
export type TimelineQueries = ReturnType<typeof timelineQueries>;
