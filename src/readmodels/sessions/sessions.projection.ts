// The sessions projection: each push and interruption folded into its session's row, written once per batch.
import { CallbackEventType } from '../../domain/callbackEvents';
import { parseStreamName, StreamCategory } from '../../domain/streamNames';
import { countWriter } from '../../processing/keptCounts';
import { defineProjection } from '../../processing/projectionDefinition';
import { toProjectedEvent } from '../projectedEvent';
import { emptySession, reduceSession, sessionCountedAs, sessionRow, type SessionRow, type SessionState } from './session.reducer';
import { sessionCountsTable, sessionsTable } from './sessions.table';

export const sessionsProjection = defineProjection<SessionRow>({
  name: 'sessions',
  // 2: indexes by domain, and by domain and status. 3: by app name. 4: how many sessions in each status. 5: the status and
  // domain indexes hold the app name. 6: the counts by status per domain and app name. 7: and per errcode. 8: the errcode
  // index holds the domain, status and app name.
  version: 8,
  // Unrecognized callbacks too: one stored before its type was modelled may be a push or an interruption today.
  canHandle: [CallbackEventType.StreamPushed, CallbackEventType.StreamInterrupted, CallbackEventType.UnrecognizedCallbackReceived],
  tables: [sessionsTable, sessionCountsTable],
  open(db) {
    const load = db.prepare<[string], string>('SELECT state FROM sessions WHERE sequence = ?').pluck();
    const save = sessionsTable.writer(db);
    const countChanges = countWriter(db, sessionCountsTable);
    return {
      apply(events) {
        // Rows are written once per batch (nothing else in the batch reads them), but every state a session passes
        // through is announced: a subscriber hears of a push and its interruption even when one batch holds both.
        const changed = new Map<string, SessionState>();
        // Each changed session as stored before the batch (null: a new one): its row, derived from its state as it was when
        // written, so that only the columns that change are written again; and how it was counted.
        const storedBefore = new Map<string, { row: SessionRow & { state: string }; counted: ReturnType<typeof sessionCountedAs> } | null>();
        const announced: SessionRow[] = [];
        for (const recorded of events) {
          const event = toProjectedEvent(recorded);
          if (event === null || (event.type !== CallbackEventType.StreamPushed && event.type !== CallbackEventType.StreamInterrupted)) continue;
          const stream = parseStreamName(event.interpretedStream ?? event.stream);
          if (stream === null || stream.category !== StreamCategory.session) continue;
          let before = changed.get(stream.id);
          if (before === undefined) {
            const json = load.get(stream.id);
            const stored = json === undefined ? undefined : (JSON.parse(json) as SessionState);
            before = stored ?? emptySession(stream.id);
            if (!storedBefore.has(stream.id)) {
              storedBefore.set(stream.id, stored === undefined ? null : { row: { ...sessionRow(stored), state: json! }, counted: sessionCountedAs(stored) });
            }
          }
          const after = reduceSession(before, event);
          if (after === before) continue;
          changed.set(stream.id, after);
          announced.push(sessionRow(after));
        }
        const counted = countChanges();
        for (const [sequence, state] of changed) {
          const stored = storedBefore.get(sequence) ?? null;
          save({ ...sessionRow(state), state: JSON.stringify(state) }, stored?.row ?? null);
          if (stored !== null) counted.add(stored.counted, -1);
          counted.add(sessionCountedAs(state), 1);
        }
        counted.write();
        return announced;
      },
    };
  },
});
