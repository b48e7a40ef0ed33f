// Reads of the sessions read model for GraphQL: one session by sequence, and filtered, keyset-paginated listings.
import type { SessionRow, SessionStatus } from '../projections/session.reducer';
import { keysetListing } from './keysetListing';
import type { Page } from './pagination';
import type { ReadModelDatabase } from './readModelDb';

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

/** The columns of a SessionRow, under its field names. */
const SESSION_COLUMNS = `
  sequence, app_id AS appId, domain, app_name AS appName, stream_id AS streamId, channel_id AS channelId,
  status, pushed_at AS pushedAt, interrupted_at AS interruptedAt, push_duration_ms AS pushDurationMs,
  errcode, sub_errcode AS subErrcode, errmsg, reason, reason_category AS reasonCategory, node,
  user_ip AS userIp, stream_param AS streamParam, set_id AS setId, width, height, session_at AS sessionAt`;

export function sessionQueries(db: ReadModelDatabase) {
  const bySequence = db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE sequence = ?`);
  const list = keysetListing<SessionListFilter, SessionRow>(db, {
    listing: 'sessions',
    from: 'sessions',
    columns: SESSION_COLUMNS,
    // Newest first; sequence breaks ties so that the order, and so a cursor, is exact.
    sortKey: [
      { column: 'session_at', kind: 'integer' },
      { column: 'sequence', kind: 'text' },
    ],
    filters: {
      streamId: { column: 'stream_id', operator: 'equals' },
      domain: { column: 'domain', operator: 'equals' },
      appName: { column: 'app_name', operator: 'equals' },
      status: { column: 'status', operator: 'equals' },
      errcode: { column: 'errcode', operator: 'equals' },
      errcodes: { column: 'errcode', operator: 'oneOf' },
      pushedFrom: { column: 'session_at', operator: 'from' },
      pushedTo: { column: 'session_at', operator: 'before' },
    },
    // sessions_by_stream, sessions_by_errcode, sessions_by_status: a stream has few sessions, a status half of them.
    indexedFilters: ['streamId', 'errcode', 'errcodes', 'status'],
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
