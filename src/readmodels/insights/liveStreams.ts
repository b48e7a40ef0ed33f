// Which stream names are live on each domain: those whose newest session is LIVE, counted as sessions come and change.
//
// CSS lets a stream name push once at a time on a domain, a newer push replacing the one before (errcode 21), so a
// session still LIVE behind a newer one missed its interruption: it counts for nothing.
import { bound } from '../../eventstore/sqlite/boundValue';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import type { InsightSessionRow } from './insights.table';

/** A session among its stream's: domain ('' for none), stream name, push time, sequence, and 1 while it is LIVE. */
export type StreamSessionPlace = [domain: string, streamId: string, sessionAt: number, sequence: string, live: 0 | 1];

/** A session's push time, sequence and whether it is LIVE (1): what decides a stream's newest, and whether it is live. */
export interface SessionPoint {
  sessionAt: number;
  sequence: string;
  live: number;
}

/** Later push first, the greater sequence at the same time: the order of the newest-first read. */
const isNewer = (a: SessionPoint, b: SessionPoint) => a.sessionAt > b.sessionAt || (a.sessionAt === b.sessionAt && a.sequence > b.sequence);

/**
 * Whether a stream's newest session is LIVE after one of its sessions changed from `moved` (null: it was not the
 * stream's) to `now` (null: it is no more), given the newest before. Null when only reading its sessions again can tell:
 * the newest itself moved back (its push arrived after its interruption) and another may now be newer.
 */
export function newestIsLiveAfter(before: SessionPoint | undefined, moved: SessionPoint | null, now: SessionPoint | null): boolean | null {
  const wasNewest = before !== undefined && moved !== null && before.sequence === moved.sequence && before.sessionAt === moved.sessionAt;
  if (!wasNewest) return now !== null && (before === undefined || isNewer(now, before)) ? now.live === 1 : before?.live === 1;
  if (now !== null && !isNewer(moved, now)) return now.live === 1;
  return null;
}

/** Where a session stands among its stream's (null: it names no stream). */
export const placeOf = (row: InsightSessionRow | null): StreamSessionPlace | null =>
  row === null || row.streamId === null ? null : [row.domain ?? '', row.streamId, row.sessionAt, row.sequence, row.status === 'LIVE' ? 1 : 0];

const sameStream = (a: StreamSessionPlace, b: StreamSessionPlace) => a[0] === b[0] && a[1] === b[1];
const pointOf = (place: StreamSessionPlace): SessionPoint => ({ sessionAt: place[2], sequence: place[3], live: place[4] });

/**
 * Keeps insight_stream_sessions as sessions change, and tells `counted(domain, ±1)` where a stream's newest turns LIVE or
 * stops being so. One read of the stream's newest and one write a change; a second read only when the newest moved back.
 */
export function liveStreamCounter(db: ReadModelDatabase) {
  const newestOf = db.prepare<[string, string], SessionPoint>(
    `SELECT session_at AS sessionAt, sequence, live FROM insight_stream_sessions WHERE domain = ${bound('?')} AND stream_id = ${bound('?')} ORDER BY session_at DESC, sequence DESC LIMIT 1`,
  );
  const add = db.prepare<StreamSessionPlace>('INSERT OR REPLACE INTO insight_stream_sessions (domain, stream_id, session_at, sequence, live) VALUES (?, ?, ?, ?, ?)');
  const drop = db.prepare<[string, string, number, string]>('DELETE FROM insight_stream_sessions WHERE domain = ? AND stream_id = ? AND session_at = ? AND sequence = ?');
  const setLive = db.prepare<[number, string, string, number, string]>(
    'UPDATE insight_stream_sessions SET live = ? WHERE domain = ? AND stream_id = ? AND session_at = ? AND sequence = ?',
  );
  /** A session's row before and after a batch. */
  return (earlier: InsightSessionRow | null, row: InsightSessionRow | null, counted: (domain: string, by: 1 | -1) => void): void => {
    const from = placeOf(earlier);
    const to = placeOf(row);
    if (from !== null && to !== null && from.every((value, i) => value === to[i])) return;
    const streams = [from, to].filter((place) => place !== null);
    if (streams.length === 2 && sameStream(streams[0]!, streams[1]!)) streams.pop();
    const before = streams.map(([domain, streamId]) => newestOf.get(domain, streamId));
    if (from !== null && to !== null && sameStream(from, to) && from[2] === to[2] && from[3] === to[3]) setLive.run(to[4], from[0], from[1], from[2], from[3]);
    else {
      if (from !== null) drop.run(from[0], from[1], from[2], from[3]);
      if (to !== null) add.run(...to);
    }
    streams.forEach((stream, i) => {
      const moved = from !== null && sameStream(from, stream) ? pointOf(from) : null;
      const now = to !== null && sameStream(to, stream) ? pointOf(to) : null;
      const live = newestIsLiveAfter(before[i], moved, now) ?? newestOf.get(stream[0], stream[1])?.live === 1;
      if (live !== (before[i]?.live === 1)) counted(stream[0], live ? 1 : -1);
    });
  };
}
