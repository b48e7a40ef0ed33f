// Rows of the quarantine listing: authentic callbacks with an expired signature, kept outside the callback log.
import type { ReadModelDatabase } from './readModelDb';

export interface QuarantineEntry {
  /** The id of the event it would become: the entry's id. */
  eventId: string;
  /** Global position of its CallbackQuarantined event. */
  position: bigint;
  /** The event type and stream it would become. */
  type: string;
  stream: string;
  /** ms since the epoch. */
  receivedAt: number;
  reason: string;
  /** How far in the past `t` was on receipt. */
  lateSeconds: number;
  keyIndex: number | null;
  /** The callback body exactly as received. */
  raw: string;
  /** ms since the epoch; null until promoted. */
  promotedAt: number | null;
}

export function quarantineTable(db: ReadModelDatabase) {
  // An entry is keyed by its event id: its stream holds one CallbackQuarantined event, so a conflict is a foreign event.
  const insert = db.prepare<[string, bigint, string, string, number, string, number, number | null, string]>(
    `INSERT INTO quarantined_callbacks (event_id, position, type, stream, received_at, reason, late_seconds, key_index, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
  );
  const promote = db.prepare<[number, string]>(
    'UPDATE quarantined_callbacks SET promoted_at = ? WHERE event_id = ? AND promoted_at IS NULL',
  );
  return {
    add(entry: Omit<QuarantineEntry, 'promotedAt'>): void {
      const { eventId, position, type, stream, receivedAt, reason, lateSeconds, keyIndex, raw } = entry;
      insert.run(eventId, position, type, stream, receivedAt, reason, lateSeconds, keyIndex, raw);
    },
    markPromoted(eventId: string, promotedAt: number): void {
      promote.run(promotedAt, eventId);
    },
  };
}
export type QuarantineTable = ReturnType<typeof quarantineTable>;
