// Push sessions as each media read model keeps them for itself: their intervals, folded from pushes and interruptions, and the tie of a fact to one.
import { CallbackEventType, type SessionFields } from '../domain/callbackEvents';
import { SESSION_TIE_TOLERANCE_MS, sessionTieOf, tieToSession, type SessionInterval, type SessionTie } from '../domain/sessionTie';
import type { ReadModelDatabase } from '../processing/projectionDefinition';
import { column, table } from '../processing/table';
import type { ProjectedEvent } from './projectedEvent';
import { foldSessionFact, type SessionState } from './sessions/session.reducer';

/**
 * The push and interruption of each session, folded as the sessions read model folds them, in a table of the read
 * model's own (named after it: table names stay unique across read models).
 */
export function sessionIntervalsTable(owner: string) {
  return table(
    `${owner}_session_intervals`,
    {
      sequence: column.text(),
      domain: column.text().orNull(),
      appName: column.text().orNull(),
      streamId: column.text().orNull(),
      pushedAt: column.integer().orNull(),
      interruptedAt: column.integer().orNull(),
      /** The fold's state: what it keeps of the push and the interruption (see encodeIntervalState). */
      state: column.text(),
    },
    // By end: a fact looks at the sessions of its stream still live or ended since it happened, not at all the stream ever had.
    { primaryKey: ['sequence'], indexes: [{ name: `${owner}_session_intervals_by_stream_end`, on: ['streamId', 'interruptedAt'] }] },
  );
}
export type SessionIntervalsTable = ReturnType<typeof sessionIntervalsTable>;

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

/** What the interval fold keeps of a push or an interruption: its order among its kind, its instant, its place and push_duration. */
export interface IntervalFact {
  id: string;
  receivedAt: number;
  fields: { eventTime: number | null; domain: string | null; appName: string | null; streamId: string | null; pushDurationMs: number | null };
}

/** A session as its interval is folded: the sessions reducer's state without the fields no interval reads. */
export interface IntervalState {
  push: IntervalFact | null;
  interruption: IntervalFact | null;
}

export const EMPTY_INTERVAL_STATE: IntervalState = { push: null, interruption: null };

/** The part of an event's session fields an interval reads. */
export const intervalFactOf = (fact: { id: string; receivedAt: number; fields: SessionFields }): IntervalFact => {
  const { eventTime, domain, appName, streamId, pushDurationMs } = fact.fields;
  return { id: fact.id, receivedAt: fact.receivedAt, fields: { eventTime, domain, appName, streamId, pushDurationMs } };
};

/** Folds a push or an interruption into the interval state: the same state when it changes nothing; others leave it as it is. */
export function foldInterval(state: IntervalState, event: ProjectedEvent): IntervalState {
  if (event.type !== CallbackEventType.StreamPushed && event.type !== CallbackEventType.StreamInterrupted) return state;
  return foldSessionFact(state, event.type, intervalFactOf({ id: event.id, receivedAt: event.receivedAt, fields: event.fields }));
}

type StoredFact = [id: string, eventTime: number | null, receivedAt: number, domain: string | null, appName: string | null, streamId: string | null, pushDurationMs: number | null];
const storedFact = (fact: IntervalFact | null): StoredFact | null =>
  fact === null ? null : [fact.id, fact.fields.eventTime, fact.receivedAt, fact.fields.domain, fact.fields.appName, fact.fields.streamId, fact.fields.pushDurationMs];
const factOfStored = (stored: StoredFact | null): IntervalFact | null =>
  stored === null ? null : { id: stored[0], receivedAt: stored[2], fields: { eventTime: stored[1], domain: stored[3], appName: stored[4], streamId: stored[5], pushDurationMs: stored[6] } };

/** The state as stored: a JSON pair of tuples, a few dozen bytes where the whole session's state takes about ten times more. */
export const encodeIntervalState = (state: IntervalState): string => JSON.stringify([storedFact(state.push), storedFact(state.interruption)]);
export function decodeIntervalState(stored: string): IntervalState {
  const [push, interruption] = JSON.parse(stored) as [StoredFact | null, StoredFact | null];
  return { push: factOfStored(push), interruption: factOfStored(interruption) };
}

const instantOf = (fact: IntervalFact | null): number | null =>
  fact === null ? null : fact.fields.eventTime !== null ? fact.fields.eventTime * 1000 : fact.receivedAt;

/**
 * The interval of a folded session, its place and times as the sessions read model's row gives them. Without its push,
 * the start is derived from the interruption and its push_duration, so that an interrupted session whose push never
 * arrived still ties what happened in it.
 */
export function intervalOfState(sequence: string, state: IntervalState): SessionInterval {
  const { push, interruption } = state;
  const shared = (key: 'domain' | 'appName' | 'streamId'): string | null => push?.fields[key] ?? interruption?.fields[key] ?? null;
  const interruptedAt = instantOf(interruption);
  const pushDurationMs = interruption?.fields.pushDurationMs ?? null;
  const derived = interruptedAt !== null && pushDurationMs !== null ? interruptedAt - pushDurationMs : null;
  const pushedAt = push !== null ? instantOf(push) : derived;
  return { sequence, domain: shared('domain'), appName: shared('appName'), streamId: shared('streamId'), pushedAt, interruptedAt };
}

/** The interval of a session as the sessions reducer folds it. */
export const intervalOf = (state: SessionState): SessionInterval =>
  intervalOfState(state.sequence, {
    push: state.push === null ? null : intervalFactOf(state.push),
    interruption: state.interruption === null ? null : intervalFactOf(state.interruption),
  });

const sameInterval = (a: SessionInterval, b: SessionInterval): boolean =>
  a.domain === b.domain && a.appName === b.appName && a.streamId === b.streamId && a.pushedAt === b.pushedAt && a.interruptedAt === b.interruptedAt;

/** Where and when an event happened, as a tied fact stores it; its session is found by `SessionTies.sessionOf`. */
export function tiedFactOf(event: ProjectedEvent, place: { domain: string | null; appName: string | null; streamId: string }): Omit<TiedFact, 'sequence'> {
  const tie = sessionTieOf(event, event.receivedAt);
  const timed = tie !== null && tie.by === 'streamTime';
  return { ...place, tieFrom: timed ? Math.min(tie.from, tie.to) : null, tieTo: timed ? Math.max(tie.from, tie.to) : null };
}

/** A session's interval that appeared or changed, and the range of fact times it may now win or lose (Unix ms). */
export interface IntervalChange {
  sequence: string;
  streamId: string | null;
  from: number;
  to: number;
}

const INTERVAL_COLUMNS = 'sequence, domain, app_name AS appName, stream_id AS streamId, pushed_at AS pushedAt, interrupted_at AS interruptedAt';

/** This file's session intervals: folded from pushes and interruptions, and the session a fact belongs to by them. */
export function sessionIntervals(db: ReadModelDatabase, intervalsTable: SessionIntervalsTable) {
  const { name } = intervalsTable;
  const loadState = db.prepare<[string], string>(`SELECT state FROM ${name} WHERE sequence = ?`).pluck();
  // In place: a REPLACE would delete the row and insert it again under a new rowid, at the table's end. Positional
  // parameters: binding named ones from an object costs about as much as the write.
  const saveStatement = db.prepare<[string, string | null, string | null, string | null, number | null, number | null, string]>(
    `INSERT INTO ${name} (sequence, domain, app_name, stream_id, pushed_at, interrupted_at, state) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (sequence) DO UPDATE SET domain = excluded.domain, app_name = excluded.app_name, stream_id = excluded.stream_id,
       pushed_at = excluded.pushed_at, interrupted_at = excluded.interrupted_at, state = excluded.state`,
  );
  const saveInterval = (interval: SessionInterval, state: string) =>
    saveStatement.run(interval.sequence, interval.domain, interval.appName, interval.streamId, interval.pushedAt, interval.interruptedAt, state);
  const candidates = db.prepare<[{ streamId: string; from: number; to: number }], SessionInterval>(
    `SELECT ${INTERVAL_COLUMNS} FROM ${name} WHERE stream_id = @streamId AND interrupted_at IS NULL AND pushed_at <= @to
     UNION ALL SELECT ${INTERVAL_COLUMNS} FROM ${name} WHERE stream_id = @streamId AND interrupted_at >= @from AND pushed_at <= @to`,
  );
  return {
    /** The session a fact belongs to now, by the intervals known so far; null when it has no time or none matches. */
    sessionOf(fact: Omit<TiedFact, 'sequence'>): string | null {
      if (fact.tieFrom === null || fact.tieTo === null) return null;
      const tie: SessionTie = { by: 'streamTime', domain: fact.domain, appName: fact.appName, streamId: fact.streamId, from: fact.tieFrom, to: fact.tieTo };
      const near = candidates.all({ streamId: fact.streamId, from: fact.tieFrom - SESSION_TIE_TOLERANCE_MS, to: fact.tieTo + SESSION_TIE_TOLERANCE_MS });
      return tieToSession(tie, near)?.sequence ?? null;
    },
    /** Folds a push or an interruption into its session's interval; the change when the interval appeared or moved, else null. */
    apply(event: ProjectedEvent): IntervalChange | null {
      if (event.type !== CallbackEventType.StreamPushed && event.type !== CallbackEventType.StreamInterrupted) return null;
      const { sequence } = event.fields;
      const stored = loadState.get(sequence);
      const before = stored === undefined ? EMPTY_INTERVAL_STATE : decodeIntervalState(stored);
      const after = foldInterval(before, event);
      // A fact that loses to the one kept (a retried callback, a later push) changes nothing.
      if (after === before) return null;
      const interval = intervalOfState(sequence, after);
      saveInterval(interval, encodeIntervalState(after));
      if (stored !== undefined && sameInterval(intervalOfState(sequence, before), interval)) return null;
      // An interval of unknown start ties nothing: only the facts tied to it before are looked at again (an empty range).
      if (interval.pushedAt === null) return { sequence, streamId: interval.streamId, from: 1, to: 0 };
      const to = interval.interruptedAt === null ? Number.MAX_SAFE_INTEGER : interval.interruptedAt + SESSION_TIE_TOLERANCE_MS;
      return { sequence, streamId: interval.streamId, from: interval.pushedAt - SESSION_TIE_TOLERANCE_MS, to };
    },
  };
}
export type SessionIntervals = ReturnType<typeof sessionIntervals>;
