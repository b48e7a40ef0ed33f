// Reads of the quarantine listing: for GraphQL, for the quarantine's cap, and for `promote --all`.
import { keysetListing } from './keysetListing';
import type { Page } from './pagination';
import type { ReadModelDatabase } from './readModelDb';
import type { QuarantineEntry } from './quarantineTable';

export type { QuarantineEntry } from './quarantineTable';

const COLUMNS =
  'q.event_id AS eventId, q.position AS position, q.type AS type, q.stream AS stream, q.received_at AS receivedAt, ' +
  'q.reason AS reason, q.late_seconds AS lateSeconds, q.key_index AS keyIndex, q.raw AS raw, q.promoted_at AS promotedAt';

type StoredEntry = Record<keyof QuarantineEntry, unknown>;

/** Statements read integers as bigint for the position; the others are plain numbers. */
const toEntry = (stored: StoredEntry): QuarantineEntry => ({
  eventId: stored.eventId as string,
  position: stored.position as bigint,
  type: stored.type as string,
  stream: stored.stream as string,
  receivedAt: Number(stored.receivedAt),
  reason: stored.reason as string,
  lateSeconds: Number(stored.lateSeconds),
  keyIndex: stored.keyIndex === null ? null : Number(stored.keyIndex),
  raw: stored.raw as string,
  promotedAt: stored.promotedAt === null ? null : Number(stored.promotedAt),
});

export function quarantineQueries(db: ReadModelDatabase) {
  const list = keysetListing<Record<string, never>, QuarantineEntry>(db, {
    listing: 'quarantinedCallbacks',
    from: 'quarantined_callbacks q',
    columns: COLUMNS,
    sortKey: [{ column: 'q.position', kind: 'position' }],
    filters: {},
    indexedFilters: [],
    safeIntegers: true,
    toRow: (raw) => toEntry(raw as StoredEntry),
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
