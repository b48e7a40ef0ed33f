// The sessions tables, declared once: their DDL, INSERT, SELECT list and row type all come from here.
import type { InterruptionCategory } from '../../domain/errcodeCatalogue';
import { countsTable } from '../../processing/keptCounts';
import { column, table, type RowOf } from '../../processing/table';

export type SessionStatus = 'LIVE' | 'ENDED';

export const sessionsTable = table(
  'sessions',
  {
    sequence: column.text(),
    appId: column.text().orNull(),
    domain: column.text().orNull(),
    appName: column.text().orNull(),
    streamId: column.text().orNull(),
    channelId: column.text().orNull(),
    status: column.text<SessionStatus>(),
    /** Milliseconds since the epoch: CSS's event_time, or when the callback was received if CSS gave none. */
    pushedAt: column.integer().orNull(),
    interruptedAt: column.integer().orNull(),
    pushDurationMs: column.integer().orNull(),
    errcode: column.integer().orNull(),
    subErrcode: column.integer().orNull(),
    errmsg: column.text().orNull(),
    reason: column.text().orNull(),
    reasonCategory: column.text<InterruptionCategory>().orNull(),
    node: column.text().orNull(),
    userIp: column.text().orNull(),
    streamParam: column.text().orNull(),
    setId: column.integer().orNull(),
    width: column.integer().orNull(),
    height: column.integer().orNull(),
    /** When the session began as far as known: pushedAt, else interruptedAt; the listing order. */
    sessionAt: column.integer(),
    /** The reducer's state (JSON). */
    state: column.text(),
  },
  {
    primaryKey: ['sequence'],
    indexes: [
      { name: 'sessions_by_stream', on: ['streamId', 'sessionAt DESC', 'sequence DESC'], forQueriesOnly: true },
      // The errcode index holds what filters beside it: an errcode's sessions over a time range of a domain, app name or
      // status are counted without a row read each (1.7-2 s of the main thread for a few hundred thousand sessions).
      { name: 'sessions_by_errcode', on: ['errcode', 'sessionAt DESC', 'sequence DESC', 'domain', 'status', 'appName'], forQueriesOnly: true },
      // The status and domain indexes hold the app name last: it filters beside them (a stream is a domain, an app and a
      // stream id) without a row read per session passed over. By domain, and by domain and status: a domain's sessions in
      // order, and its LIVE ones counted (the dashboard's totals for a domain) from the index alone.
      { name: 'sessions_by_status', on: ['status', 'sessionAt DESC', 'sequence DESC', 'appName'], forQueriesOnly: true },
      { name: 'sessions_by_domain', on: ['domain', 'sessionAt DESC', 'sequence DESC', 'appName'], forQueriesOnly: true },
      { name: 'sessions_by_domain_status', on: ['domain', 'status', 'sessionAt DESC', 'sequence DESC', 'appName'], forQueriesOnly: true },
      // Most pushes name the app `live`: this one serves a listing by app name, and finds at once one that no session has.
      { name: 'sessions_by_app', on: ['appName', 'sessionAt DESC', 'sequence DESC'], forQueriesOnly: true },
      { name: 'sessions_by_time', on: ['sessionAt DESC', 'sequence DESC'], forQueriesOnly: true },
    ],
  },
);

/** A session as people query it: every column but the reducer's state. */
export type SessionRow = Omit<RowOf<typeof sessionsTable>, 'state'>;

/**
 * How many sessions are in each status, per domain, app name (a stream's first two names) and errcode, kept as they
 * begin and end: a count of a million, or of a domain's sessions, read in a few rows (domains, app names and errcodes are
 * few), and a domain and an errcode that never come together known at once.
 */
export const sessionCountsTable = countsTable('session_counts', ['domain', 'appName', 'status', 'errcode'], { nullable: true });

/** The columns of a SessionRow. */
export const SESSION_COLUMNS = sessionsTable.keys.filter((key) => key !== 'state');
