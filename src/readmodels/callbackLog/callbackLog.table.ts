// The callback log's tables, declared once: every callback the service stored, with its body exactly as received, and how many of each type.
import { countsTable } from '../../processing/keptCounts';
import { column, table, type RowOf } from '../../processing/table';

export const callbackLogTable = table(
  'callback_log',
  {
    /** Global position in the event log: the log's order and its key. */
    position: column.position(),
    /** The event id (the same for a retried callback). */
    eventId: column.text(),
    /** The event type as stored, e.g. StreamPushed. */
    type: column.text(),
    stream: column.text(),
    /** When the service received the callback (ms since the epoch). */
    receivedAt: column.integer(),
    /** The callback body exactly as received. */
    raw: column.text(),
  },
  {
    primaryKey: ['position'],
    indexes: [
      { name: 'callback_log_by_type', on: ['type', 'position DESC'], forQueriesOnly: true },
      { name: 'callback_log_by_stream', on: ['stream', 'position DESC'], forQueriesOnly: true },
      // Callbacks of a type per minute of receipt (the dashboard's activity chart): a range of this index, no table read.
      { name: 'callback_log_by_type_time', on: ['type', 'receivedAt'], forQueriesOnly: true },
    ],
  },
);

export type CallbackLogEntry = RowOf<typeof callbackLogTable>;

/** How many callbacks of each type the log holds, kept as they are appended: a count of millions read in a few rows. */
export const callbackCountsTable = countsTable('callback_counts', ['type']);
