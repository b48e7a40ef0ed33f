// A media read model's projection: its facts (recording files, screenshots, moderation hits...) tied to push sessions, whatever the order.
import type { OpenProjection, ReadModelDatabase } from '../processing/projectionDefinition';
import type { ConflictRule } from '../processing/table';
import { toProjectedEvent, type ProjectedEvent } from './projectedEvent';
import { sessionIntervals, type IntervalChange, type SessionIntervals, type SessionIntervalsTable, type TiedFact } from './sessionIntervals';

/** A table of tied facts keyed by event id (declared with tiedFactColumns), and which events make its rows. */
export interface TiedFacts<Row extends TiedFact & { eventId: string }> {
  table: {
    readonly name: string;
    column(key: 'eventId'): string;
    inserter(db: ReadModelDatabase, onConflict?: ConflictRule): (row: Row) => void;
  };
  /** The row an event makes, its `sequence` left to the tie; null for the events this table does not keep. */
  factOf(event: ProjectedEvent): Omit<Row, 'sequence'> | null;
}

/** A fact that became known, in the table it went to. A fact tied again later is not announced twice. */
export interface TiedFactAdded<Row = TiedFact & { eventId: string }> {
  table: string;
  row: Row;
}

/** A table's facts as openTiedFacts takes them, whatever the table's own row type. */
export const tiedFacts = <Row extends TiedFact & { eventId: string }>(facts: TiedFacts<Row>): TiedFacts<TiedFact & { eventId: string }> =>
  facts as unknown as TiedFacts<TiedFact & { eventId: string }>;

/** The row of a fact added to `table`, or null when it went to another table. */
export const addedTo = <Row>(table: { readonly name: string }, change: TiedFactAdded): Row | null =>
  change.table === table.name ? (change.row as Row) : null;

interface TiedRow extends TiedFact {
  key: string;
}

/** One table's facts: stored once, tied when they arrive, and tied again when an interval of their stream changes. */
function factTable<Row extends TiedFact & { eventId: string }>(db: ReadModelDatabase, facts: TiedFacts<Row>, intervals: SessionIntervals) {
  const { name } = facts.table;
  const key = facts.table.column('eventId');
  const known = db.prepare<[string], number>(`SELECT 1 FROM ${name} WHERE ${key} = ?`).pluck();
  const save = facts.table.inserter(db);
  const columns = `${key} AS key, domain, app_name AS appName, stream_id AS streamId, tie_from AS tieFrom, tie_to AS tieTo, sequence`;
  // The facts the interval held, and those of its stream whose time falls within its reach: a range of *_by_stream_time
  // from the interval's start, so a live session's push reads the facts since it began, not the stream's whole history.
  const affected = db.prepare<[IntervalChange], TiedRow>(
    `SELECT ${columns} FROM ${name} WHERE sequence = @sequence
     UNION ALL SELECT ${columns} FROM ${name} WHERE stream_id = @streamId AND tie_to >= @from AND tie_from <= @to`,
  );
  const retie = db.prepare<[string | null, string]>(`UPDATE ${name} SET sequence = ? WHERE ${key} = ?`);
  // A table that has never held a fact (a service whose CSS sends no screenshots, say) has none to tie again: pushes and
  // interruptions then cost it no query. Facts are never deleted, so once it holds one it always may.
  let holdsFacts = db.prepare<[], number>(`SELECT EXISTS (SELECT 1 FROM ${name})`).pluck().get() === 1;
  return {
    /** The new row, or null when the event is not one of this table's or is known already (a callback CSS retried). */
    add(event: ProjectedEvent): Row | null {
      const fact = facts.factOf(event);
      if (fact === null || known.get(event.id) !== undefined) return null;
      const row = { ...fact, sequence: intervals.sessionOf(fact) } as Row;
      save(row);
      holdsFacts = true;
      return row;
    },
    retie(change: IntervalChange): void {
      if (!holdsFacts) return;
      // UNION ALL, as a UNION's de-duplication costs a temporary B-tree per call: a fact in both halves is seen once here.
      const seen = new Set<string>();
      for (const row of affected.all(change)) {
        if (seen.has(row.key)) continue;
        seen.add(row.key);
        const now = intervals.sessionOf(row);
        if (now !== row.sequence) retie.run(now, row.key);
      }
    },
  };
}

/**
 * Pushes and interruptions kept as session intervals, and each table's facts tied to them. A fact is tied when it
 * arrives; when a session's interval appears or changes, the facts of its stream that it may win or lose are tied
 * again, so the outcome never depends on the order of arrival. Returns the facts that became known.
 */
export function openTiedFacts(
  db: ReadModelDatabase,
  intervalsTable: SessionIntervalsTable,
  kinds: ReadonlyArray<TiedFacts<TiedFact & { eventId: string }>>,
): OpenProjection<TiedFactAdded> {
  const intervals = sessionIntervals(db, intervalsTable);
  const tables = kinds.map((kind) => factTable(db, kind, intervals));
  return {
    apply(events) {
      const added: TiedFactAdded[] = [];
      for (const recorded of events) {
        const event = toProjectedEvent(recorded);
        if (event === null) continue;
        const change = intervals.apply(event);
        if (change !== null) for (const table of tables) table.retie(change);
        tables.forEach((table, i) => {
          const row = table.add(event);
          if (row !== null) added.push({ table: kinds[i]!.table.name, row });
        });
      }
      return added;
    },
  };
}
