// Where the log stands when a follower starts: its last position, and which log it is (its first event, and where).
import type { EventStore, RecordedEvent } from './eventStore';

/**
 * Two logs are the same log when they begin with the same event at the same position. Anything kept from a log (read
 * models, forwarding's checkpoints, both positions in it) records that, so that another environment's events.db copied
 * in, or the same callbacks imported into another store (EventStoreDB's positions are not the embedded log's; event
 * ids, made from the content, are the same), is told apart from a backup of this one: positions alone cannot say.
 */
export interface LogAtStart {
  /** The position of the last event (0: empty). */
  head: bigint;
  /** The first event, as `firstEventOf` writes it; null while the log is empty. */
  firstEvent: string | null;
}

/** `<event id>@<position>`: what a follower records of the log it follows. */
export const firstEventOf = (event: Pick<RecordedEvent, 'id' | 'position'>): string => `${event.id}@${event.position}`;

export async function readLogAtStart(store: Pick<EventStore, 'headPosition' | 'readAll'>): Promise<LogAtStart> {
  const [head, first] = await Promise.all([store.headPosition(), store.readAll({ maxCount: 1, typesWithData: new Set() })]);
  return { head, firstEvent: first[0] === undefined ? null : firstEventOf(first[0]) };
}
