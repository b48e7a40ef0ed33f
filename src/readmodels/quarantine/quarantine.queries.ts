// Reads of the quarantine listing: for GraphQL, for the quarantine's cap, and for `promote --all`.
import { keysetListing } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { quarantineTable, type QuarantineEntry } from './quarantine.table';

export type { QuarantineEntry } from './quarantine.table';

export function quarantineQueries(db: ReadModelDatabase) {
  const list = keysetListing<Record<string, never>, QuarantineEntry>(db, {
    listing: 'quarantinedCallbacks',
    from: 'quarantined_callbacks q',
    columns: quarantineTable.selectList(db, { alias: 'q' }),
    sortKey: [{ column: 'q.position', kind: 'position' }],
    filters: {},
    indexedFilters: [],
    safeIntegers: true,
    toRow: (raw) => quarantineTable.fromStored(raw),
    keyOf: (entry) => [entry.position],
  });
  const unpromoted = db.prepare<[], number>('SELECT count(*) FROM quarantined_callbacks WHERE promoted_at IS NULL').pluck();
  const unpromotedIds = db.prepare<[], string>('SELECT event_id FROM quarantined_callbacks WHERE promoted_at IS NULL ORDER BY position').pluck();
  return {
    /** Every entry, promoted or not, newest first. */
    list(first: number, after: string | null): Page<QuarantineEntry> {
      return list({}, first, after);
    },
    unpromotedCount: (): number => unpromoted.get() ?? 0,
    /** Entries not yet promoted, oldest first. */
    unpromotedIds: (): string[] => unpromotedIds.all(),
  };
}
export type QuarantineQueries = ReturnType<typeof quarantineQueries>;
