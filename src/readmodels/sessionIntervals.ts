// Push sessions as each media read model keeps them for itself: their intervals, and its facts tied to them in any order.
import { CallbackEventType } from '../domain/callbackEvents';
import { SESSION_TIE_TOLERANCE_MS, sessionTieOf, tieToSession, type SessionInterval, type SessionTie } from '../domain/sessionTie';
import type { OpenProjection, ReadModelDatabase } from '../processing/projectionDefinition';
import { column, table, type ConflictRule } from '../processing/table';
import { toProjectedEvent, type ProjectedEvent } from './projectedEvent';
import { emptySession, reduceSession, sessionRow, type SessionState } from './sessions/session.reducer';

/** The push and interruption of each session, folded as the sessions read model folds them, in a table of the read model's own. */
export const sessionIntervalsTable = table(
  'session_intervals',
  {
    sequence: column.text(),
    domain: column.text().orNull(),
    appName: column.text().orNull(),
    streamId: column.text().orNull(),
    pushedAt: column.integer().orNull(),
    interruptedAt: column.integer().orNull(),
    /** The fold's state (JSON). */
    state: column.text(),
  },
  { primaryKey: ['sequence'], indexes: [{ name: 'session_intervals_by_stream', on: ['streamId', 'pushedAt'] }] },
);

/** The columns a table of tied facts declares (spread into its own): where and when a fact happened, and its session. */
export const tiedFactColumns = {
  domain: column.text().orNull(),
  appName: column.text().orNull(),
  streamId: column.text(),
  /** The fact's time by its own clock (Unix ms); null when it has none, and then it is tied to no session. */
  tieFrom: column.integer().orNull(),
  tieTo: column.integer().orNull(),
  /** The push session it belongs to (`sequence`), null while none matches. */
  sequence: column.text().orNull(),
};

/** What a tied fact stores of its tie. */
export interface TiedFact {
  domain: string | null;
  appName: string | null;
  streamId: string;
  tieFrom: number | null;
  tieTo: number | null;
  sequence: string | null;
}

/** Events that change a session's interval. */
export const SESSION_EVENT_TYPES = [CallbackEventType.StreamPushed, CallbackEventType.StreamInterrupted] as const;

/**
 * The interval of a folded session. Without its push, the start is derived from the interruption and its
 * push_duration, so that an interrupted session whose push never arrived still ties what happened in it.
 */
export function intervalOf(state: SessionState): SessionInterval {
  const row = sessionRow(state);
  const derived = row.interruptedAt !== null && row.pushDurationMs !== null ? row.interruptedAt - row.pushDurationMs : null;
  const pushedAt = state.push !== null ? row.pushedAt : derived;
  return { sequence: row.sequence, domain: row.domain, appName: row.appName, streamId: row.streamId, pushedAt, interruptedAt: row.interruptedAt };
}

const sameInterval = (a: SessionInterval, b: SessionInterval): boolean =>
  a.domain === b.domain && a.appName === b.appName && a.streamId === b.streamId && a.pushedAt === b.pushedAt && a.interruptedAt === b.interruptedAt;

/** Where and when an event happened, as a tied fact stores it; its session is found by `SessionTies.sessionOf`. */
export function tiedFactOf(event: ProjectedEvent, place: { domain: string | null; appName: string | null; streamId: string }): Omit<TiedFact, 'sequence'> {
  const tie = sessionTieOf(event, event.receivedAt);
  const timed = tie !== null && tie.by === 'streamTime';
  return { ...place, tieFrom: timed ? Math.min(tie.from, tie.to) : null, tieTo: timed ? Math.max(tie.from, tie.to) : null };
}

interface TiedRow extends TiedFact {
  key: string;
}

/**
 * Ties the facts of one table (`factsTable`, keyed by `keyColumn`, declared with tiedFactColumns) to the sessions of
 * this file's session_intervals. A fact is tied when it arrives; when a session's interval appears or changes, the facts
 * of its stream that it may win or lose are tied again, so the outcome never depends on the order of arrival.
 */
export function sessionTies(db: ReadModelDatabase, factsTable: string, keyColumn: string) {
  const loadState = db.prepare<[string], string>('SELECT state FROM session_intervals WHERE sequence = ?').pluck();
  const saveInterval = sessionIntervalsTable.inserter(db, 'replace');
  const candidates = db.prepare<[{ streamId: string; from: number; to: number }], SessionInterval>(
    `SELECT sequence, domain, app_name AS appName, stream_id AS streamId, pushed_at AS pushedAt, interrupted_at AS interruptedAt
     FROM session_intervals WHERE stream_id = @streamId AND pushed_at <= @to AND (interrupted_at IS NULL OR interrupted_at >= @from)`,
  );
  const columns = `${keyColumn} AS key, domain, app_name AS appName, stream_id AS streamId, tie_from AS tieFrom, tie_to AS tieTo, sequence`;
  const affected = db.prepare<[{ sequence: string; streamId: string | null; from: number; to: number }], TiedRow>(
    `SELECT ${columns} FROM ${factsTable} WHERE sequence = @sequence
     UNION SELECT ${columns} FROM ${factsTable} WHERE stream_id = @streamId AND tie_from <= @to AND tie_to >= @from`,
  );
  const retie = db.prepare<[string | null, string]>(`UPDATE ${factsTable} SET sequence = ? WHERE ${keyColumn} = ?`);

  const sessionOf = (fact: Omit<TiedFact, 'sequence'>): string | null => {
    if (fact.tieFrom === null || fact.tieTo === null) return null;
    const tie: SessionTie = { by: 'streamTime', domain: fact.domain, appName: fact.appName, streamId: fact.streamId, from: fact.tieFrom, to: fact.tieTo };
    const near = candidates.all({ streamId: fact.streamId, from: fact.tieFrom - SESSION_TIE_TOLERANCE_MS, to: fact.tieTo + SESSION_TIE_TOLERANCE_MS });
    return tieToSession(tie, near)?.sequence ?? null;
  };

  return {
    /** The session a fact belongs to now, by the intervals known so far. */
    sessionOf,
    /**
     * Folds a push or an interruption into its session's interval; when the interval changed, ties again the facts
     * it may concern and returns the keys of those whose session changed.
     */
    applySessionEvent(event: ProjectedEvent): string[] {
      if (event.type !== CallbackEventType.StreamPushed && event.type !== CallbackEventType.StreamInterrupted) return [];
      const { sequence } = event.fields;
      const stored = loadState.get(sequence);
      const before = stored === undefined ? emptySession(sequence) : (JSON.parse(stored) as SessionState);
      const after = reduceSession(before, event);
      if (after === before) return [];
      const interval = intervalOf(after);
      saveInterval({ ...interval, state: JSON.stringify(after) });
      if (stored !== undefined && sameInterval(intervalOf(before), interval)) return [];
      // An interval of unknown start ties nothing: only the facts tied to it before are looked at again (an empty range).
      const from = interval.pushedAt === null ? 1 : interval.pushedAt - SESSION_TIE_TOLERANCE_MS;
      const to = interval.pushedAt === null ? 0 : interval.interruptedAt === null ? Number.MAX_SAFE_INTEGER : interval.interruptedAt + SESSION_TIE_TOLERANCE_MS;
      const changed: string[] = [];
      for (const row of affected.all({ sequence, streamId: interval.streamId, from, to })) {
        const now = sessionOf(row);
        if (now === row.sequence) continue;
        retie.run(now, row.key);
        changed.push(row.key);
      }
      return changed;
    },
  };
}
export type SessionTies = ReturnType<typeof sessionTies>;

/** A table of tied facts keyed by event id, as openTiedFacts needs it. */
interface TiedFactsTable<Row> {
  readonly name: string;
  column(key: 'eventId'): string;
  inserter(db: ReadModelDatabase, onConflict?: ConflictRule): (row: Row) => void;
}

/**
 * A media read model's projection: pushes and interruptions kept as session intervals, and each fact `factOf` makes
 * a row of (null for the events it does not keep) stored once, tied to its session. Returns the new rows: a fact
 * tied again later is not announced twice.
 */
export function openTiedFacts<Row extends TiedFact & { eventId: string }>(
  db: ReadModelDatabase,
  facts: TiedFactsTable<Row>,
  factOf: (event: ProjectedEvent) => Omit<Row, 'sequence'> | null,
): OpenProjection<Row> {
  const ties = sessionTies(db, facts.name, facts.column('eventId'));
  const known = db.prepare<[string], number>(`SELECT 1 FROM ${facts.name} WHERE ${facts.column('eventId')} = ?`).pluck();
  const save = facts.inserter(db);
  return {
    apply(events) {
      const added: Row[] = [];
      for (const recorded of events) {
        const event = toProjectedEvent(recorded);
        if (event === null) continue;
        const fact = factOf(event);
        if (fact === null) {
          ties.applySessionEvent(event);
          continue;
        }
        if (known.get(event.id) !== undefined) continue; // a callback CSS retried is the same event: the first one stands
        const row = { ...fact, sequence: ties.sessionOf(fact) } as Row;
        save(row);
        added.push(row);
      }
      return added;
    },
  };
}
