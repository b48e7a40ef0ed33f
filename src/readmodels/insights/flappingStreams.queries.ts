// Flapping streams: stream names interrupted at least N times within M minutes, found among the interruptions of a time range.
import { decodeCursor, encodeCursor } from '../../processing/keysetCursor';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { toTheEnd, type Steps, type Turns } from '../../processing/slicedReads';
import { instantSlice } from './instantSlices';

export interface FlappingStreamRow {
  streamId: string;
  domain: string | null;
  /** The last interruption that closed a burst of at least N within M minutes (ms). */
  lastBurstAt: number;
  /** Interruptions of the stream in the range. */
  interruptions: number;
}

export interface FlappingQuery {
  minInterruptions: number;
  withinMs: number;
  /** Interruptions in [from, to) (ms) are looked at. */
  from: number;
  to: number;
  domain: string | null;
}

const LISTING = 'flappingStreams';
/** Interruptions read in a step (tens of milliseconds): a day of a busy platform holds about a million. */
export const FLAPPING_INTERRUPTIONS_PER_STEP = 10_000;

type Interruption = [interruptedAt: number, streamId: string, domain: string | null];

/** A stream as the range's interruptions are walked in time order: how many, and those of the last M minutes. */
interface Walked {
  streamId: string;
  domain: string | null;
  interruptions: number;
  /** Times of its latest interruptions, oldest first from `first`: those within M minutes of the last one. */
  recent: number[];
  first: number;
  lastBurstAt: number | null;
}

/** A stream is one name on one domain (never '': CSS's empty fields read as absent); also the listing's tie-breaker. */
const streamKeyOf = (streamId: string, domain: string | null) => `${streamId} ${domain ?? ''}`;

export function flappingStreamQueries(
  db: ReadModelDatabase,
  readInTurns: <T>(steps: () => Steps<T>, turns: Turns) => Promise<T>,
  interruptionsPerStep = FLAPPING_INTERRUPTIONS_PER_STEP,
) {
  // Along insight_interruptions_by_time alone: it holds the stream name and the domain of every interruption.
  const COLUMNS = 'SELECT interrupted_at, stream_id, domain FROM insight_sessions';
  const IN_RANGE = 'interrupted_at >= @from AND interrupted_at < @to AND stream_id IS NOT NULL AND (@domain IS NULL OR domain = @domain)';
  const inOrder = db.prepare<[Record<string, unknown>], Interruption>(`${COLUMNS} WHERE ${IN_RANGE} ORDER BY interrupted_at LIMIT @limit`).raw();
  const atInstant = db.prepare<[Record<string, unknown>], Interruption>(`${COLUMNS} WHERE interrupted_at = @at AND stream_id IS NOT NULL AND (@domain IS NULL OR domain = @domain)`).raw();

  /**
   * The streams that burst, latest burst first: the range's interruptions walked in time order, a slice a step, each
   * stream keeping the times of its last M minutes; an interruption with N-1 others of its stream within M minutes before
   * it closes a burst.
   */
  function* bursts({ minInterruptions, withinMs, from, to, domain }: FlappingQuery): Steps<FlappingStreamRow[]> {
    const streams = new Map<string, Walked>();
    const needed = Math.max(2, minInterruptions);
    const walk = ([interruptedAt, streamId, streamDomain]: Interruption) => {
      const key = streamKeyOf(streamId, streamDomain);
      let stream = streams.get(key);
      if (stream === undefined) streams.set(key, (stream = { streamId, domain: streamDomain, interruptions: 0, recent: [], first: 0, lastBurstAt: null }));
      stream.interruptions += 1;
      stream.recent.push(interruptedAt);
      while (stream.recent[stream.first]! < interruptedAt - withinMs) stream.first += 1;
      if (stream.first > 32 && stream.first * 2 > stream.recent.length) [stream.recent, stream.first] = [stream.recent.slice(stream.first), 0];
      if (stream.recent.length - stream.first >= needed) stream.lastBurstAt = interruptedAt;
    };
    for (let next: number | null = from; next !== null; ) {
      const slice: { rows: Interruption[]; next: number | null } = instantSlice(
        next,
        to,
        interruptionsPerStep,
        (start, limit) => inOrder.all({ from: start, to, domain, limit }),
        (instant) => atInstant.all({ at: instant, domain }),
      );
      slice.rows.forEach(walk);
      next = slice.next;
      if (next !== null) yield;
    }
    const found: FlappingStreamRow[] = [];
    for (const { streamId, domain: streamDomain, interruptions, lastBurstAt } of streams.values()) {
      if (lastBurstAt !== null) found.push({ streamId, domain: streamDomain, lastBurstAt, interruptions });
    }
    return found.sort((a, b) => b.lastBurstAt - a.lastBurstAt || (streamKeyOf(b.streamId, b.domain) < streamKeyOf(a.streamId, a.domain) ? -1 : 1));
  }

  /** A page of them, after the row a cursor of this listing stands for. */
  function pageOf(found: FlappingStreamRow[], first: number, after: string | null): Page<FlappingStreamRow> {
    const keyOf = (row: FlappingStreamRow): [number, string] => [row.lastBurstAt, streamKeyOf(row.streamId, row.domain)];
    const cursorOf = (row: FlappingStreamRow) => encodeCursor(LISTING, keyOf(row));
    let start = 0;
    if (after !== null) {
      const [afterAt, afterKey] = decodeCursor(LISTING, after, ['integer', 'text']) as [number, string];
      const isAfter = (row: FlappingStreamRow) => {
        const [burstAt, key] = keyOf(row);
        return burstAt < afterAt || (burstAt === afterAt && key < afterKey);
      };
      start = found.findIndex(isAfter);
      if (start === -1) start = found.length;
    }
    const rows = found.slice(start, start + first);
    const edges = rows.map((row) => ({ cursor: cursorOf(row), row }));
    return {
      edges,
      hasNextPage: start + first < found.length,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage: () => start > 0,
      totalCount: () => found.length,
    };
  }

  return {
    /** Latest burst first; `after` is an endCursor of this listing (for the same arguments). Read at once. */
    flappingStreams(query: FlappingQuery, first: number, after: string | null): Page<FlappingStreamRow> {
      return pageOf(db.transaction(() => toTheEnd(bursts(query)))(), first, after);
    },
    /**
     * flappingStreams a slice of interruptions per turn of the event loop (`turns`), in one read transaction: over a day
     * of a busy platform (~850,000 interruptions) it took the event loop, and CSS's callbacks, 5.5 s at once.
     */
    flappingStreamsInTurns(query: FlappingQuery, first: number, after: string | null, turns: Turns): Promise<Page<FlappingStreamRow>> {
      // A cursor that is not this listing's is refused at once (thrown, not a rejection), before anything is read.
      if (after !== null) decodeCursor(LISTING, after, ['integer', 'text']);
      return readInTurns(() => bursts(query), turns).then((found) => pageOf(found, first, after));
    },
  };
}
