// What the media read models' queries share: their listings' order and a session's facts, along the indexes their tables declare.
import { bound } from '../eventstore/sqlite/boundValue';
import type { SortColumn } from '../processing/keysetListing';
import type { ReadModelDatabase } from '../processing/projectionDefinition';
import type { Columns, RowOf, Table } from '../processing/table';

/** Newest first by listedAt; the event id breaks ties, so that the order, and so a cursor, is exact. */
export const LISTED_NEWEST_FIRST: readonly SortColumn[] = [
  { column: 'listed_at', kind: 'integer' },
  { column: 'event_id', kind: 'text' },
];

/** The rows of a table of tied facts (with listedAt and eventId) that belong to one session, oldest first (its `*_by_session` index). */
export function factsOfSession<C extends Columns>(db: ReadModelDatabase, table: Table<C>): (sequence: string) => Array<RowOf<Table<C>>> {
  return table.reader(db.prepare<[string]>(`SELECT ${table.selectList(db)} FROM ${table.name} WHERE sequence = ${bound('?')} ORDER BY listed_at, event_id`));
}
