// What forwarding reads of the log for a replay, and how a replay's time range becomes a range of positions.
import type { RecordedEvent } from '../eventstore/eventStore';

/** The part of the event store a replay needs (EventStore satisfies it). */
export interface LogReader {
  readAll(options: { after?: bigint; maxCount?: number }): Promise<RecordedEvent[]>;
}

/** Positions are inclusive; a time range takes the events the ledger stored from `from` (inclusive) to `to` (exclusive). */
export type ReplayRange = { fromPosition: bigint; toPosition: bigint } | { from: Date; to: Date };

export interface ReplayBounds {
  /** Read the log after this position (exclusive); undefined from its start. */
  after: bigint | undefined;
  /** True for the first event beyond the range: the replay ends there. */
  isBeyond(event: RecordedEvent): boolean;
}

/**
 * A time range is found by bisecting positions on the time each event was stored (`recordedAt`,
 * which grows with the position), about log2(head) reads of one event each, whatever the log's size
 * and whether its positions are dense (SQLite) or not (EventStoreDB).
 */
export async function replayBounds(reader: LogReader, range: ReplayRange, head: bigint): Promise<ReplayBounds> {
  if ('fromPosition' in range) {
    const { fromPosition, toPosition } = range;
    return { after: fromPosition > 0n ? fromPosition - 1n : undefined, isBeyond: (event) => event.position > toPosition };
  }
  const to = range.to.getTime();
  const after = await lastPositionBefore(reader, range.from.getTime(), head);
  return { after, isBeyond: (event) => event.recordedAt.getTime() >= to };
}

/** The position of the last event stored before `time` (undefined when none is): a replay reads after it. */
async function lastPositionBefore(reader: LogReader, time: number, head: bigint): Promise<bigint | undefined> {
  // Invariant: every event at or before `low` was stored before `time`; the first event after `high` was not (or there is none).
  let low = -1n;
  let high = head;
  while (low < high) {
    const mid = low + (high - low) / 2n;
    const [event] = await reader.readAll(mid < 0n ? { maxCount: 1 } : { after: mid, maxCount: 1 });
    if (event === undefined || event.recordedAt.getTime() >= time) high = mid;
    else low = event.position;
  }
  return low < 0n ? undefined : low;
}
