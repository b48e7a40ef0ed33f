// The push anomalies table, declared once: one row per abnormal_event entry of a push anomaly report.
import { column, table, type RowOf } from '../../processing/table';

export const pushAnomaliesTable = table(
  'push_anomalies',
  {
    /** The report's event id and the entry's place in its abnormal_event list: a report repeated in the log is held once. */
    eventId: column.text(),
    entry: column.integer(),
    /** Where the report first is in the log. */
    position: column.position(),
    /** The push session the report names. */
    sequence: column.text(),
    /** 1-16 (pushAnomalyCatalogue); 0 when the report gave none. */
    type: column.integer(),
    /** What the type means, from the catalogue, else as CSS described it. */
    description: column.text(),
    /** How often it happened within the report's interval. */
    count: column.integer().orNull(),
    /** Its first occurrence (ms), else the report's time, else when it was received. */
    at: column.integer(),
  },
  {
    primaryKey: ['eventId', 'entry'],
    indexes: [{ name: 'push_anomalies_by_session', on: ['sequence', 'at', 'position', 'entry'], forQueriesOnly: true }],
  },
);

export type PushAnomalyRow = RowOf<typeof pushAnomaliesTable>;
