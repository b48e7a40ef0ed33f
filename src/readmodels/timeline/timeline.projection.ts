// The timeline projection: every event about a stream, tied to its session whatever order pushes and facts arrive in.
import { CallbackEventType } from '../../domain/callbackEvents';
import { SESSION_TIE_TOLERANCE_MS, tieToSession, type SessionInterval } from '../../domain/sessionTie';
import { defineProjection, type ReadModelDatabase } from '../../processing/projectionDefinition';
import { toProjectedEvent } from '../projectedEvent';
import { decodeIntervalState, EMPTY_INTERVAL_STATE, encodeIntervalState, foldInterval, intervalOfState, type IntervalState } from '../sessionIntervals';
import { timelineFact, timelineInterval } from './timelineFact';
import { timelineEntriesTable, timelineSessionsTable, type TimelineEntryRow } from './timeline.table';

/** Read models that hold events about a stream; relay tasks are about their own task. */
const RELAY_TYPES = new Set<string>([
  CallbackEventType.RelayTaskStarted,
  CallbackEventType.RelayVodFileStarted,
  CallbackEventType.RelayVodFileFinished,
  CallbackEventType.RelayTaskExited,
  CallbackEventType.RelayTaskAlarmRaised,
  CallbackEventType.RelayTaskReconfigured,
]);

/** Later than any push: the end of a live session. */
const OPEN_END = Number.MAX_SAFE_INTEGER;

type StreamTimeEntry = Pick<TimelineEntryRow, 'eventId' | 'streamId' | 'ownDomain' | 'appName' | 'tieFrom' | 'tieTo' | 'sequence' | 'domain'>;

const intervalAt = (sequence: string, state: IntervalState): SessionInterval => timelineInterval(intervalOfState(sequence, state));

function sessionStore(db: ReadModelDatabase) {
  const load = db.prepare<[string], string>('SELECT state FROM timeline_sessions WHERE sequence = ?').pluck();
  const save = timelineSessionsTable.inserter(db, 'replace');
  const columns = timelineSessionsTable.selectList(db, { only: ['sequence', 'streamId', 'domain', 'appName', 'pushedAt', 'interruptedAt'] });
  // Sessions of a stream whose interval, widened by the tolerance, meets [from, to].
  const near = db.prepare<[string, number, number], SessionInterval>(
    `SELECT ${columns} FROM timeline_sessions WHERE stream_id = ? AND pushed_at <= ? AND coalesce(interrupted_at, ${OPEN_END}) >= ?`,
  );
  return {
    stateOf: (sequence: string): IntervalState | null => {
      const state = load.get(sequence);
      return state === undefined ? null : decodeIntervalState(state);
    },
    save(state: IntervalState, interval: SessionInterval): void {
      save({ ...interval, state: encodeIntervalState(state) });
    },
    near: (streamId: string, from: number, to: number): SessionInterval[] =>
      near.all(streamId, to + SESSION_TIE_TOLERANCE_MS, from - SESSION_TIE_TOLERANCE_MS),
  };
}

function entryStore(db: ReadModelDatabase) {
  const insert = timelineEntriesTable.inserter(db, 'ignore');
  const columns = timelineEntriesTable.selectList(db, { only: ['eventId', 'streamId', 'ownDomain', 'appName', 'tieFrom', 'tieTo', 'sequence', 'domain'] });
  const inWindow = db.prepare<[string, number, number], StreamTimeEntry>(
    `SELECT ${columns} FROM timeline_entries WHERE tie = 'streamTime' AND stream_id = ? AND tie_to >= ? AND tie_from <= ?`,
  );
  const tiedTo = db.prepare<[string], StreamTimeEntry>(`SELECT ${columns} FROM timeline_entries WHERE tie = 'streamTime' AND sequence = ?`);
  const retie = db.prepare<[string | null, string | null, string]>('UPDATE timeline_entries SET sequence = ?, domain = ? WHERE event_id = ?');
  // Entries a session's own callbacks brought before its push named the stream: they take its place.
  const placeStatement = db.prepare<[string | null, string | null, string | null, string]>(
    `UPDATE timeline_entries SET stream_id = coalesce(stream_id, ?), domain = coalesce(own_domain, ?), app_name = coalesce(app_name, ?)
     WHERE sequence = ? AND tie = 'sequence'`,
  );
  // Positional: binding named parameters from an object costs about as much as the update.
  const placeOfSession = (session: SessionInterval) => placeStatement.run(session.streamId, session.domain, session.appName, session.sequence);
  // Whether any entry is tied by stream and time (the partial index answers): until one is, a push or an interruption has
  // nothing to tie again. Entries are never deleted.
  const tiedByStreamTime = db.prepare<[], number>("SELECT EXISTS (SELECT 1 FROM timeline_entries WHERE tie = 'streamTime')").pluck().get() === 1;
  return { insert, inWindow, tiedTo, retie, placeOfSession, tiedByStreamTime };
}

export const timelineProjection = defineProjection<TimelineEntryRow>({
  name: 'timeline',
  // 2: a session's interval state keeps only what its fold reads.
  version: 2,
  // Unrecognized callbacks too: one stored before its type was modelled is read as the event it stands for.
  canHandle: Object.values(CallbackEventType).filter((type) => !RELAY_TYPES.has(type)),
  tables: [timelineEntriesTable, timelineSessionsTable],
  open(db) {
    const sessions = sessionStore(db);
    const entries = entryStore(db);

    const tieAgain = (entry: StreamTimeEntry): void => {
      if (entry.streamId === null || entry.tieFrom === null || entry.tieTo === null) return;
      const { streamId, ownDomain: domain, appName, tieFrom: from, tieTo: to } = entry;
      const session = tieToSession({ by: 'streamTime', streamId, domain, appName, from, to }, sessions.near(streamId, from, to));
      const sequence = session?.sequence ?? null;
      const effectiveDomain = entry.ownDomain ?? session?.domain ?? null;
      if (sequence !== entry.sequence || effectiveDomain !== entry.domain) entries.retie.run(sequence, effectiveDomain, entry.eventId);
    };

    /** A session's interval changed: the facts it held, and those near its old or new interval, are tied again. */
    let tiedByStreamTime = entries.tiedByStreamTime;
    const intervalChanged = (before: SessionInterval | null, after: SessionInterval): void => {
      // The entries of the session's own callbacks took its place when it last changed, or when they came after that.
      const placed = before !== null && before.streamId === after.streamId && before.domain === after.domain && before.appName === after.appName;
      if (!placed) entries.placeOfSession(after);
      if (!tiedByStreamTime) return;
      const candidates = new Map<string, StreamTimeEntry>();
      // Only a session the timeline knew before can hold entries tied by stream and time.
      if (before !== null) for (const entry of entries.tiedTo.all(after.sequence)) candidates.set(entry.eventId, entry);
      for (const interval of before === null ? [after] : [before, after]) {
        if (interval.streamId === null || interval.pushedAt === null) continue;
        const from = interval.pushedAt - SESSION_TIE_TOLERANCE_MS;
        const to = interval.interruptedAt === null ? OPEN_END : interval.interruptedAt + SESSION_TIE_TOLERANCE_MS;
        for (const entry of entries.inWindow.all(interval.streamId, from, to)) candidates.set(entry.eventId, entry);
      }
      for (const entry of candidates.values()) tieAgain(entry);
    };

    return {
      apply(events) {
        const added: TimelineEntryRow[] = [];
        for (const recorded of events) {
          // Only what the callback log lists: an entry's callback is always there to show.
          if (typeof recorded.data.raw !== 'string') continue;
          const event = toProjectedEvent(recorded);
          if (event === null) continue;
          const fact = timelineFact(event, event.receivedAt);
          if (fact === null) continue;

          // The session a push or an interruption folded into: its own entry is tied by sequence to it.
          let folded: SessionInterval | null = null;
          if (event.type === CallbackEventType.StreamPushed || event.type === CallbackEventType.StreamInterrupted) {
            const { sequence } = event.fields;
            const stored = sessions.stateOf(sequence);
            const state = stored ?? EMPTY_INTERVAL_STATE;
            const next = foldInterval(state, event);
            folded = intervalAt(sequence, next);
            if (stored === null || next !== state) {
              sessions.save(next, folded);
              intervalChanged(stored === null ? null : intervalAt(sequence, stored), folded);
            }
          }

          const { tie } = fact;
          let row: TimelineEntryRow;
          if (tie.by === 'sequence') {
            let session = folded?.sequence === tie.sequence ? folded : null;
            if (session === null) {
              const state = sessions.stateOf(tie.sequence);
              session = state === null ? null : intervalAt(tie.sequence, state);
            }
            row = {
              ...fact,
              eventId: event.id,
              position: event.position,
              streamId: fact.streamId ?? session?.streamId ?? null,
              domain: fact.ownDomain ?? session?.domain ?? null,
              appName: fact.appName ?? session?.appName ?? null,
              tie: 'sequence',
              tieFrom: null,
              tieTo: null,
              sequence: tie.sequence,
            };
          } else {
            const from = Math.min(tie.from, tie.to);
            const to = Math.max(tie.from, tie.to);
            const session = tieToSession(tie, sessions.near(tie.streamId, from, to));
            row = {
              ...fact,
              eventId: event.id,
              position: event.position,
              domain: fact.ownDomain ?? session?.domain ?? null,
              tie: 'streamTime',
              tieFrom: from,
              tieTo: to,
              sequence: session?.sequence ?? null,
            };
          }
          entries.insert(row);
          if (row.tie === 'streamTime') tiedByStreamTime = true;
          added.push(row);
        }
        return added;
      },
    };
  },
});
