// The sessions projection: each push and interruption folded into its session's row, written once per batch.
import { CallbackEventType } from '../../domain/callbackEvents';
import { parseStreamName, StreamCategory } from '../../domain/streamNames';
import { countAdder } from '../../processing/keptCounts';
import { defineProjection } from '../../processing/projectionDefinition';
import { toProjectedEvent } from '../projectedEvent';
import { emptySession, reduceSession, sessionRow, sessionStatus, type SessionRow, type SessionState } from './session.reducer';
import { sessionCountsTable, sessionsTable, type SessionStatus } from './sessions.table';

export const sessionsProjection = defineProjection<SessionRow>({
  name: 'sessions',
  // 2: indexes by domain, and by domain and status. 3: by app name. 4: how many sessions in each status. 5: the status and
  // domain indexes hold the app name.
  version: 5,
  // Unrecognized callbacks too: one stored before its type was modelled may be a push or an interruption today.
  canHandle: [CallbackEventType.StreamPushed, CallbackEventType.StreamInterrupted, CallbackEventType.UnrecognizedCallbackReceived],
  tables: [sessionsTable, sessionCountsTable],
  open(db) {
    const load = db.prepare<[string], string>('SELECT state FROM sessions WHERE sequence = ?').pluck();
    const save = sessionsTable.inserter(db, 'replace');
    const count = countAdder(db, sessionCountsTable, 'status');
    const stateOf = (sequence: string): SessionState | undefined => {
      const state = load.get(sequence);
      return state === undefined ? undefined : (JSON.parse(state) as SessionState);
    };
    return {
      apply(events) {
        // Rows are written once per batch (nothing else in the batch reads them), but every state a session passes
        // through is announced: a subscriber hears of a push and its interruption even when one batch holds both.
        const changed = new Map<string, SessionState>();
        // Each changed session's status before the batch (null: a new one), for the counts by status.
        const statusBefore = new Map<string, SessionStatus | null>();
        const announced: SessionRow[] = [];
        for (const recorded of events) {
          const event = toProjectedEvent(recorded);
          if (event === null || (event.type !== CallbackEventType.StreamPushed && event.type !== CallbackEventType.StreamInterrupted)) continue;
          const stream = parseStreamName(event.interpretedStream ?? event.stream);
          if (stream === null || stream.category !== StreamCategory.session) continue;
          let before = changed.get(stream.id);
          if (before === undefined) {
            const stored = stateOf(stream.id);
            before = stored ?? emptySession(stream.id);
            if (!statusBefore.has(stream.id)) statusBefore.set(stream.id, stored === undefined ? null : sessionStatus(stored));
          }
          const after = reduceSession(before, event);
          if (after === before) continue;
          changed.set(stream.id, after);
          announced.push(sessionRow(after));
        }
        const counted = new Map<SessionStatus, number>();
        for (const [sequence, state] of changed) {
          const row = sessionRow(state);
          save({ ...row, state: JSON.stringify(state) });
          const was = statusBefore.get(sequence) ?? null;
          if (was === row.status) continue;
          if (was !== null) counted.set(was, (counted.get(was) ?? 0) - 1);
          counted.set(row.status, (counted.get(row.status) ?? 0) + 1);
        }
        for (const [status, n] of counted) count(status, n);
        return announced;
      },
    };
  },
});
