// Pushes and interruptions per minute of receipt, counted from the callback log: the dashboard's activity chart.
import { CallbackEventType } from '../../domain/callbackEvents';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';

export const MINUTE_MS = 60_000;
/** The longest window one query may count: a day of minutes. */
export const MAX_ACTIVITY_MINUTES = 1440;

export interface ActivityMinuteRow {
  /** Start of the minute, ms since the epoch (UTC minutes). */
  minuteStart: number;
  pushes: number;
  interruptions: number;
}

export interface CallbackActivity {
  /** Oldest first, one per minute of the window, zeros included; the last is the current minute. */
  minutes: ActivityMinuteRow[];
  /** The last log position the counts include: a live client counts only callbacks after it. */
  throughPosition: bigint;
}

export interface MinuteCount {
  /** Minutes since the epoch. */
  minute: number;
  type: string;
  count: number;
}

/** Every minute of the `minutes`-long window ending with `lastMinute` (minutes since the epoch), filled from `counts`. */
export function activityWindow(counts: MinuteCount[], lastMinute: number, minutes: number): ActivityMinuteRow[] {
  const firstMinute = lastMinute - minutes + 1;
  const window = Array.from({ length: minutes }, (_, i) => ({ minuteStart: (firstMinute + i) * MINUTE_MS, pushes: 0, interruptions: 0 }));
  for (const { minute, type, count } of counts) {
    const bucket = window[minute - firstMinute];
    if (bucket === undefined) continue;
    if (type === CallbackEventType.StreamPushed) bucket.pushes += count;
    else if (type === CallbackEventType.StreamInterrupted) bucket.interruptions += count;
  }
  return window;
}

export function activityQueries(db: ReadModelDatabase) {
  // Receipt time, not CSS's event_time: it is what a live client sees arrive, so its counts continue these exactly.
  // Each stored callback counts once (a retry is the same event). A range of callback_log_by_type_time per type.
  const perMinute = db.prepare<[string, string, number], MinuteCount>(`
    SELECT received_at / ${MINUTE_MS} AS minute, type, count(*) AS count
    FROM callback_log
    WHERE type IN (?, ?) AND received_at >= ?
    GROUP BY type, minute`);
  // callback_log's rowid is the position: its max is one step down the B-tree.
  const lastPosition = db.prepare<[], bigint | null>('SELECT max(position) FROM callback_log').pluck().safeIntegers(true);
  const read = db.transaction((minutes: number, nowMs: number): CallbackActivity => {
    const lastMinute = Math.floor(nowMs / MINUTE_MS);
    const since = (lastMinute - minutes + 1) * MINUTE_MS;
    const counts = perMinute.all(CallbackEventType.StreamPushed, CallbackEventType.StreamInterrupted, since);
    return { minutes: activityWindow(counts, lastMinute, minutes), throughPosition: lastPosition.get() ?? 0n };
  });
  return {
    /** The last `minutes` minutes up to `nowMs`, counts and the position they stand at read in one transaction. */
    perMinute(minutes: number, nowMs: number = Date.now()): CallbackActivity {
      return read(minutes, nowMs);
    },
  };
}
export type ActivityQueries = ReturnType<typeof activityQueries>;
