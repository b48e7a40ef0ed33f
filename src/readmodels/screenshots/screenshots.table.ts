// The screenshots table, declared once: one row per screenshot stored (event_type 200), tied to its push session when one matches.
import { column, table, type RowOf } from '../../processing/table';
import { tiedFactColumns } from '../sessionIntervals';

export const screenshotsTable = table(
  'screenshots',
  {
    eventId: column.text(),
    ...tiedFactColumns,
    takenAt: column.integer().orNull(),
    url: column.text().orNull(),
    width: column.integer().orNull(),
    height: column.integer().orNull(),
    fileSizeBytes: column.real().orNull(),
    /** The listing's order: takenAt, else when it was received. */
    listedAt: column.integer(),
  },
  {
    primaryKey: ['eventId'],
    indexes: [
      // The projection's own lookup, and a session's screenshots newest first (its latest one is the first).
      { name: 'screenshots_by_stream_time', on: ['streamId', 'tieTo'] },
      { name: 'screenshots_by_session', on: ['sequence', 'listedAt DESC', 'eventId DESC'] },
    ],
  },
);

export type ScreenshotRow = RowOf<typeof screenshotsTable>;
