// Reads of the screenshots read model: a session's latest screenshot, and its screenshots newest first, keyset-paginated.
import { bound } from '../../eventstore/sqlite/boundValue';
import { keysetListing } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { LISTED_NEWEST_FIRST } from '../tiedFactQueries';
import { screenshotsTable, type ScreenshotRow } from './screenshots.table';

export function screenshotQueries(db: ReadModelDatabase) {
  const columns = screenshotsTable.selectList(db);
  const c = (key: Parameters<typeof screenshotsTable.column>[0]) => screenshotsTable.column(key);
  const latest = screenshotsTable.reader(
    db.prepare<[string]>(`SELECT ${columns} FROM screenshots WHERE sequence = ${bound('?')} ORDER BY listed_at DESC, event_id DESC LIMIT 1`),
  );
  const list = keysetListing<{ sequence: string }, ScreenshotRow>(db, {
    listing: 'screenshots',
    from: 'screenshots',
    columns,
    sortKey: LISTED_NEWEST_FIRST,
    filters: { sequence: { column: c('sequence'), operator: 'equals' } },
    // screenshots_by_session
    indexedFilters: ['sequence'],
    toRow: (raw) => screenshotsTable.fromStored(raw),
    keyOf: (row) => [row.listedAt, row.eventId],
  });

  return {
    /** The last screenshot taken of a push session; null when none is tied to it. */
    latestOfSession(sequence: string): ScreenshotRow | null {
      return latest(sequence)[0] ?? null;
    },
    /** A session's screenshots, newest first; `after` is an endCursor of this listing. */
    ofSession(sequence: string, first: number, after: string | null): Page<ScreenshotRow> {
      return list({ sequence }, first, after);
    },
  };
}
export type ScreenshotQueries = ReturnType<typeof screenshotQueries>;
