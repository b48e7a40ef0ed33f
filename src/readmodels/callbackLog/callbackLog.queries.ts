// Reads of the callback log read model: the audit log, the events of given streams, and the activity counts.
import { limitBy } from '../../eventstore/sqlite/boundLimit';
import { bound } from '../../eventstore/sqlite/boundValue';
import { keptCounts } from '../../processing/keptCounts';
import { keysetListing } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { activityQueries } from './callbackActivity.queries';
import { callbackCountsTable, callbackLogTable, type CallbackLogEntry } from './callbackLog.table';

export type { CallbackLogEntry } from './callbackLog.table';

export interface CallbackListFilter {
  type?: string;
  stream?: string;
}

export function callbackLogQueries(db: ReadModelDatabase) {
  const columns = callbackLogTable.selectList(db, { alias: 'c' });
  const read = <P extends unknown[]>(sql: string) => callbackLogTable.reader(db.prepare<P>(`SELECT ${columns} FROM callback_log c ${sql}`));
  const ofStreams = read<[string]>('WHERE c.stream IN (SELECT value FROM json_each(?)) ORDER BY c.position');
  const atPosition = read<[bigint]>('WHERE c.position = ?');
  const pageOfStream = read<[string, bigint, number]>(`WHERE c.stream = ${bound('?')} AND c.position > ? ORDER BY c.position ${limitBy('?')}`);
  const kept = keptCounts(db, callbackCountsTable);
  const list = keysetListing<CallbackListFilter, CallbackLogEntry>(db, {
    listing: 'callbacks',
    from: 'callback_log c',
    columns,
    sortKey: [{ column: 'c.position', kind: 'position' }],
    filters: {
      type: { column: 'c.type', operator: 'equals' },
      stream: { column: 'c.stream', operator: 'equals' },
    },
    // A stream holds a handful of callbacks, a type thousands.
    indexedFilters: ['stream', 'type'],
    // Without a stream, the counts kept by type answer: millions of rows along an index otherwise.
    keptCounts: kept === null ? undefined : { by: ['type'], count: ({ type }) => kept.count({ type }) },
    safeIntegers: true,
    toRow: (raw) => callbackLogTable.fromStored(raw),
    keyOf: (entry) => [entry.position],
  });

  return {
    /** The raw audit log, newest first; `after` is an endCursor of this listing. */
    list(filter: CallbackListFilter, first: number, after: string | null): Page<CallbackLogEntry> {
      return list(filter, first, after);
    },
    /** Every callback of these streams, oldest first: a session's or a task's events (its matched exits' streams included). */
    ofStreams(streams: string[]): CallbackLogEntry[] {
      return streams.length === 0 ? [] : ofStreams(JSON.stringify(streams));
    },
    /** The callback at a position of the log; null when the log has none there (yet). */
    atPosition(position: bigint): CallbackLogEntry | null {
      return atPosition(position)[0] ?? null;
    },
    /** At most `limit` callbacks of one stream after a position, oldest first: a long task's, a page at a time. */
    pageOfStream(stream: string, afterPosition: bigint, limit: number): CallbackLogEntry[] {
      return pageOfStream(stream, afterPosition, limit);
    },
    ...activityQueries(db),
  };
}
export type CallbackLogQueries = ReturnType<typeof callbackLogQueries>;
