// Where the log stands when a follower starts: its last position, and which log it is (the id of its first event).
import type { EventStore } from './eventStore';

/**
 * Two logs are the same log when they begin with the same event. Anything kept from a log (read models, forwarding's
 * checkpoints) records that id, so that another environment's events.db copied in is told apart from a backup of
 * this one: positions alone cannot say.
 */
export interface LogAtStart {
  /** The position of the last event (0: empty). */
  head: bigint;
  /** The id of the first event; null while the log is empty. */
  firstEventId: string | null;
}

export async function readLogAtStart(store: Pick<EventStore, 'headPosition' | 'readAll'>): Promise<LogAtStart> {
  const [head, first] = await Promise.all([store.headPosition(), store.readAll({ maxCount: 1, typesWithData: new Set() })]);
  return { head, firstEventId: first[0]?.id ?? null };
}
