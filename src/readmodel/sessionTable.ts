// Rows of the sessions read model: the derived columns people query, plus the reducer state.
import type { SessionRow, SessionState } from '../projections/session.reducer';
import type { ReadModelDatabase } from './readModelDb';

export function sessionTable(db: ReadModelDatabase) {
  const load = db.prepare<[string], string>('SELECT state FROM sessions WHERE sequence = ?').pluck();
  // Positional parameters: binding 23 named ones from a spread object costs more than the upsert itself.
  const save = db.prepare(`
    INSERT OR REPLACE INTO sessions (
      sequence, app_id, domain, app_name, stream_id, channel_id, status, pushed_at, interrupted_at,
      push_duration_ms, errcode, sub_errcode, errmsg, reason, reason_category, node, user_ip, stream_param,
      set_id, width, height, session_at, state
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  return {
    load(sequence: string): SessionState | undefined {
      const state = load.get(sequence);
      return state === undefined ? undefined : (JSON.parse(state) as SessionState);
    },
    save(state: SessionState, row: SessionRow): void {
      save.run(
        row.sequence, row.appId, row.domain, row.appName, row.streamId, row.channelId, row.status, row.pushedAt,
        row.interruptedAt, row.pushDurationMs, row.errcode, row.subErrcode, row.errmsg, row.reason, row.reasonCategory,
        row.node, row.userIp, row.streamParam, row.setId, row.width, row.height, row.sessionAt, JSON.stringify(state),
      );
    },
  };
}
export type SessionTable = ReturnType<typeof sessionTable>;
