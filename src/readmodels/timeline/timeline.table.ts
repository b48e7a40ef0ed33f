// The timeline's tables, declared once: every event about a stream, and the push intervals it ties them by.
import { column, table, type RowOf } from '../../processing/table';

/** How an entry is tied to its session: by the `sequence` it carries, by stream and time, or not at all (yet). */
export type TimelineTie = 'sequence' | 'streamTime';

export const timelineEntriesTable = table(
  'timeline_entries',
  {
    /** The event id: a callback repeated in the log is one entry. */
    eventId: column.text(),
    /** Where the event first is in the log: it breaks ties of `at`, and finds the callback in the callback log. */
    position: column.position(),
    /** The event type, e.g. RecordingFileGenerated. */
    kind: column.text(),
    /** When it happened by CSS's clock (ms), or when it was received if CSS gave no time. */
    at: column.integer(),
    summary: column.text(),
    /** The stream it is about; for an event tied by `sequence` that names none, its session's. */
    streamId: column.text().orNull(),
    /** The push domain, lower-cased: its own, else its session's. */
    domain: column.text().orNull(),
    /** The domain the event itself gave (lower-cased), which its session's never overrides. */
    ownDomain: column.text().orNull(),
    appName: column.text().orNull(),
    tie: column.text<TimelineTie>(),
    /** Stream-and-time ties: the span of the fact by its own clock (ms). */
    tieFrom: column.integer().orNull(),
    tieTo: column.integer().orNull(),
    /** The session (push `sequence`) it belongs to; null while none matches. */
    sequence: column.text().orNull(),
  },
  {
    primaryKey: ['eventId'],
    indexes: [
      // A session's timeline, and what its push or interruption may tie again: kept while the model is built.
      { name: 'timeline_by_session', on: ['sequence', 'at', 'position'] },
      { name: 'timeline_by_stream', on: ['streamId', 'at', 'position'], forQueriesOnly: true },
      // The facts of a stream near a push interval that changed.
      { name: 'timeline_ties_by_stream', on: ['streamId', 'tieTo'], where: "tie = 'streamTime'" },
    ],
  },
);

export type TimelineEntryRow = RowOf<typeof timelineEntriesTable>;

/** The push sessions as far as the timeline knows them: folded from pushes and interruptions, never read from the sessions model. */
export const timelineSessionsTable = table(
  'timeline_sessions',
  {
    sequence: column.text(),
    streamId: column.text().orNull(),
    /** Lower-cased. */
    domain: column.text().orNull(),
    appName: column.text().orNull(),
    /** The push interval (ms); pushedAt null when neither the push nor the interruption's push_duration gives it. */
    pushedAt: column.integer().orNull(),
    interruptedAt: column.integer().orNull(),
    /** What the interval's fold keeps of the push and the interruption (see encodeIntervalState). */
    state: column.text(),
  },
  {
    primaryKey: ['sequence'],
    indexes: [{ name: 'timeline_sessions_by_stream', on: ['streamId', 'pushedAt'] }],
  },
);

export type TimelineSessionRow = RowOf<typeof timelineSessionsTable>;
