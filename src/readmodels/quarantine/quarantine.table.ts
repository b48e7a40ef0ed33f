// The quarantine listing's table, declared once: authentic callbacks with an expired signature, kept outside the callback log.
import { column, table, type RowOf } from '../../processing/table';

export const quarantineTable = table(
  'quarantined_callbacks',
  {
    /** The id of the event it would become: the entry's id. */
    eventId: column.text(),
    /** Global position of its CallbackQuarantined event: the listing's order. */
    position: column.position().isUnique(),
    /** The event type and stream it would become. */
    type: column.text(),
    stream: column.text(),
    /** ms since the epoch. */
    receivedAt: column.integer(),
    reason: column.text(),
    /** How far in the past `t` was on receipt. */
    lateSeconds: column.integer(),
    keyIndex: column.integer().orNull(),
    /** The callback body exactly as received. */
    raw: column.text(),
    /** ms since the epoch; null until promoted. */
    promotedAt: column.integer().orNull(),
  },
  {
    primaryKey: ['eventId'],
    // What the quarantine's cap counts, and what promote --all takes.
    indexes: [{ name: 'quarantined_callbacks_unpromoted', on: ['position'], where: 'promoted_at IS NULL' }],
  },
);

export type QuarantineEntry = RowOf<typeof quarantineTable>;
