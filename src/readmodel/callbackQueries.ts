// Reads of the callback log read model for GraphQL: the audit log, exits no task claims, and the events of given streams.
import { keysetListing } from './keysetListing';
import type { CallbackLogEntry } from './callbackLogTable';
import type { Page } from './pagination';
import type { ReadModelDatabase } from './readModelDb';

export type { CallbackLogEntry } from './callbackLogTable';

export interface CallbackListFilter {
  type?: string;
  stream?: string;
}

const CALLBACK_COLUMNS = 'c.position AS position, c.event_id AS eventId, c.type AS type, c.stream AS stream, c.received_at AS receivedAt, c.raw AS raw';

type StoredCallback = Omit<CallbackLogEntry, 'receivedAt'> & { receivedAt: bigint };

/** Statements read integers as bigint for the position; receivedAt (ms) is a plain number. */
const toEntry = (stored: StoredCallback): CallbackLogEntry => ({ ...stored, receivedAt: Number(stored.receivedAt) });

const POSITION_KEY = [{ column: 'c.position', kind: 'position' }] as const;

export function callbackQueries(db: ReadModelDatabase) {
  const ofStreams = db
    .prepare<[string], StoredCallback>(
      `SELECT ${CALLBACK_COLUMNS} FROM callback_log c WHERE c.stream IN (SELECT value FROM json_each(?)) ORDER BY c.position`,
    )
    .safeIntegers(true);
  const pageOfStream = db
    .prepare<[string, bigint, number], StoredCallback>(
      `SELECT ${CALLBACK_COLUMNS} FROM callback_log c WHERE c.stream = ? AND c.position > ? ORDER BY c.position LIMIT ?`,
    )
    .safeIntegers(true);
  const list = keysetListing<CallbackListFilter, CallbackLogEntry>(db, {
    listing: 'callbacks',
    from: 'callback_log c',
    columns: CALLBACK_COLUMNS,
    sortKey: POSITION_KEY,
    filters: {
      type: { column: 'c.type', operator: 'equals' },
      stream: { column: 'c.stream', operator: 'equals' },
    },
    // A stream holds a handful of callbacks, a type thousands.
    indexedFilters: ['stream', 'type'],
    safeIntegers: true,
    toRow: (raw) => toEntry(raw as unknown as StoredCallback),
    keyOf: (entry) => [entry.position],
  });
  // relay_exits_unmatched walks the waiting exits newest first; the log row of each is found by position.
  const unmatchedRelayExits = keysetListing<Record<string, never>, CallbackLogEntry>(db, {
    listing: 'unmatchedRelayExits',
    from: 'relay_exits e JOIN callback_log c ON c.position = e.position',
    columns: CALLBACK_COLUMNS,
    where: 'e.task_id IS NULL',
    sortKey: [{ column: 'e.position', kind: 'position' }],
    filters: {},
    indexedFilters: [],
    safeIntegers: true,
    toRow: (raw) => toEntry(raw as unknown as StoredCallback),
    keyOf: (entry) => [entry.position],
  });

  return {
    /** The raw audit log, newest first; `after` is an endCursor of this listing. */
    list(filter: CallbackListFilter, first: number, after: string | null): Page<CallbackLogEntry> {
      return list(filter, first, after);
    },
    /** TaskExits without task_id that no task claims (yet), newest first. */
    unmatchedRelayExits(first: number, after: string | null): Page<CallbackLogEntry> {
      return unmatchedRelayExits({}, first, after);
    },
    /** Every callback of these streams, oldest first: a session's or a task's events (its matched exits' streams included). */
    ofStreams(streams: string[]): CallbackLogEntry[] {
      return streams.length === 0 ? [] : ofStreams.all(JSON.stringify(streams)).map(toEntry);
    },
    /** At most `limit` callbacks of one stream after a position, oldest first: a long task's, a page at a time. */
    pageOfStream(stream: string, afterPosition: bigint, limit: number): CallbackLogEntry[] {
      return pageOfStream.all(stream, afterPosition, limit).map(toEntry);
    },
  };
}
export type CallbackQueries = ReturnType<typeof callbackQueries>;
