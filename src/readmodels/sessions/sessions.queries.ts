// Reads of the sessions read model: one session by sequence, and filtered, keyset-paginated listings.
import { keptCounts } from '../../processing/keptCounts';
import { keysetListing, type KeptCountsOf } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { SESSION_COLUMNS, sessionCountsTable, sessionsTable, type SessionRow, type SessionStatus } from './sessions.table';

export interface SessionListFilter {
  streamId?: string;
  domain?: string;
  appName?: string;
  status?: SessionStatus;
  errcode?: number;
  /** Sessions whose errcode is one of these; an empty list matches none. */
  errcodes?: number[];
  /** On sessionAt (ms): from inclusive, to exclusive. */
  pushedFrom?: number;
  pushedTo?: number;
}

export function sessionQueries(db: ReadModelDatabase) {
  const columns = sessionsTable.selectList(db, { only: SESSION_COLUMNS });
  const c = (key: Parameters<typeof sessionsTable.column>[0]) => sessionsTable.column(key);
  const bySequence = db.prepare<[string], SessionRow>(`SELECT ${columns} FROM sessions WHERE sequence = ?`);
  const kept = keptCounts(db, sessionCountsTable);
  // By the filter's domain, app name, status and errcode or errcodes (counts keep their values as text); none in a file of
  // an older version.
  const keptCountsBy: KeptCountsOf<SessionListFilter> | undefined =
    kept === null
      ? undefined
      : {
          by: ['domain', 'appName', 'status', 'errcode', 'errcodes'],
          count: ({ domain, appName, status, errcode, errcodes }) => {
            const withErrcode = (code: number | undefined) => kept.count({ domain, appName, status, errcode: code == null ? null : String(code) });
            if (errcodes === undefined) return withErrcode(errcode);
            // A session has one errcode: those of a list are those of each errcode in it, each list value counted once.
            const codes = [...new Set(errcodes)].filter((code) => errcode === undefined || code === errcode);
            return codes.reduce((sum, code) => sum + withErrcode(code), 0);
          },
        };
  const list = keysetListing<SessionListFilter, SessionRow>(db, {
    listing: 'sessions',
    from: 'sessions',
    columns,
    // Newest first; sequence breaks ties so that the order, and so a cursor, is exact.
    sortKey: [
      { column: c('sessionAt'), kind: 'integer' },
      { column: c('sequence'), kind: 'text' },
    ],
    filters: {
      streamId: { column: c('streamId'), operator: 'equals' },
      domain: { column: c('domain'), operator: 'equals' },
      appName: { column: c('appName'), operator: 'equals' },
      status: { column: c('status'), operator: 'equals' },
      errcode: { column: c('errcode'), operator: 'equals' },
      errcodes: { column: c('errcode'), operator: 'oneOf' },
      pushedFrom: { column: c('sessionAt'), operator: 'from' },
      pushedTo: { column: c('sessionAt'), operator: 'before' },
    },
    // A stream has few sessions, an errcode some, a domain many, a status half of them, an app name nearly all.
    indexedFilters: ['streamId', 'errcode', 'errcodes', ['domain', 'status'], 'domain', 'status', 'appName'],
    // The total of every session, or of a domain's, an app name's, a status's or an errcode's (up to a million rows along
    // an index otherwise, tens of milliseconds of the main thread for a domain's sessions).
    keptCounts: keptCountsBy,
    toRow: (raw) => raw as unknown as SessionRow,
    keyOf: (row) => [row.sessionAt, row.sequence],
  });

  return {
    bySequence(sequence: string): SessionRow | null {
      return bySequence.get(sequence) ?? null;
    },
    /** Newest first (sessionAt, then sequence, descending); `after` is an endCursor of this listing. */
    list(filter: SessionListFilter, first: number, after: string | null): Page<SessionRow> {
      return list(filter, first, after);
    },
  };
}
export type SessionQueries = ReturnType<typeof sessionQueries>;
