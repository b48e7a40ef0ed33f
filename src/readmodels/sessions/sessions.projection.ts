// The sessions projection: each push and interruption folded into its session's row, written once per batch.
import { CallbackEventType } from '../../domain/callbackEvents';
import { parseStreamName, StreamCategory } from '../../domain/streamNames';
import { defineProjection } from '../../processing/projectionDefinition';
import { toProjectedEvent } from '../projectedEvent';
import { emptySession, reduceSession, sessionRow, type SessionRow, type SessionState } from './session.reducer';
import { sessionsTable } from './sessions.table';

export const sessionsProjection = defineProjection<SessionRow>({
  name: 'sessions',
  // 2: indexes by domain, and by domain and status. 3: by app name.
  version: 3,
  // Unrecognized callbacks too: one stored before its type was modelled may be a push or an interruption today.
  canHandle: [CallbackEventType.StreamPushed, CallbackEventType.StreamInterrupted, CallbackEventType.UnrecognizedCallbackReceived],
  tables: [sessionsTable],
  open(db) {
    const load = db.prepare<[string], string>('SELECT state FROM sessions WHERE sequence = ?').pluck();
    const save = sessionsTable.inserter(db, 'replace');
    const stateOf = (sequence: string): SessionState | undefined => {
      const state = load.get(sequence);
      return state === undefined ? undefined : (JSON.parse(state) as SessionState);
    };
    return {
      apply(events) {
        // Rows are written once per batch (nothing else in the batch reads them), but every state a session passes
        // through is announced: a subscriber hears of a push and its interruption even when one batch holds both.
        const changed = new Map<string, SessionState>();
        const announced: SessionRow[] = [];
        for (const recorded of events) {
          const event = toProjectedEvent(recorded);
          if (event === null || (event.type !== CallbackEventType.StreamPushed && event.type !== CallbackEventType.StreamInterrupted)) continue;
          const stream = parseStreamName(event.interpretedStream ?? event.stream);
          if (stream === null || stream.category !== StreamCategory.session) continue;
          const before = changed.get(stream.id) ?? stateOf(stream.id) ?? emptySession(stream.id);
          const after = reduceSession(before, event);
          if (after === before) continue;
          changed.set(stream.id, after);
          announced.push(sessionRow(after));
        }
        for (const state of changed.values()) save({ ...sessionRow(state), state: JSON.stringify(state) });
        return announced;
      },
    };
  },
});
