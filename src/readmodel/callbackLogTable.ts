// Rows of the callback log read model: every callback the service stored, with its body exactly as received.
import type { ReadModelDatabase } from './readModelDb';

export interface CallbackLogEntry {
  /** Global position in the event log: the log's order and its key. */
  position: bigint;
  /** The event id (the same for a retried callback). */
  eventId: string;
  /** The event type, e.g. StreamPushed. */
  type: string;
  stream: string;
  /** When the service received the callback (ms since the epoch). */
  receivedAt: number;
  /** The callback body exactly as received. */
  raw: string;
}

export function callbackLogTable(db: ReadModelDatabase) {
  const insert = db.prepare<[bigint, string, string, string, number, string]>(
    'INSERT INTO callback_log (position, event_id, type, stream, received_at, raw) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    /** A plain INSERT: the checkpoint commits with it, so a position applied twice is a bug worth failing on. */
    append(entry: CallbackLogEntry): void {
      insert.run(entry.position, entry.eventId, entry.type, entry.stream, entry.receivedAt, entry.raw);
    },
  };
}
export type CallbackLogTable = ReturnType<typeof callbackLogTable>;
