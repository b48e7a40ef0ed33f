// Flapping streams: stream names interrupted at least N times within M minutes, found among the interruptions of a time range.
import { limitBy } from '../../eventstore/sqlite/boundLimit';
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

/** A stream interrupted within the last M minutes of the walk: the times of those interruptions. */
interface Walked {
  streamId: string;
  domain: string | null;
  /** Times of its latest interruptions, oldest first from `first`: those within M minutes of the last one. */
  recent: number[];
  first: number;
}

/** A stream found to burst, before its interruptions in the range are counted (for the rows of a page alone). */
type Burst = Omit<FlappingStreamRow, 'interruptions'>;

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
  const inOrder = db.prepare<[Record<string, unknown>], Interruption>(`${COLUMNS} WHERE ${IN_RANGE} ORDER BY interrupted_at ${limitBy('@limit')}`).raw();
  const atInstant = db.prepare<[Record<string, unknown>], Interruption>(`${COLUMNS} WHERE interrupted_at = @at AND stream_id IS NOT NULL AND (@domain IS NULL OR domain = @domain)`).raw();
  // One stream's interruptions in the range, along insight_interruptions_by_stream: never along the index by time or by
  // domain, which hold every interruption of the range (SQLite, without statistics, took one of them: 0.9 s a stream).
  const streamCount = db
    .prepare<[Record<string, unknown>], number>(
      'SELECT count(*) FROM insight_sessions WHERE stream_id = @streamId AND domain IS @domain AND interrupted_at IS NOT NULL AND +interrupted_at >= @from AND +interrupted_at < @to',
    )
    .pluck();

  /**
   * The streams that burst, latest burst first: the range's interruptions walked in time order, a slice a step, each
   * stream keeping the times of its last M minutes; an interruption with N-1 others of its stream within M minutes before
   * it closes a burst. A stream not interrupted for M minutes is let go (what it held can be in no later burst), so that
   * the walk holds the streams of the busiest M minutes and those found, not every stream of the range.
   */
  function* bursts({ minInterruptions, withinMs, from, to, domain }: FlappingQuery): Steps<Burst[]> {
    const walking = new Map<string, Walked>();
    const found = new Map<string, Burst>();
    const needed = Math.max(2, minInterruptions);
    // The interruptions walked (their times and streams), oldest first from `oldest`: those of the last M minutes at most.
    const [walkedAt, walkedStreams]: [number[], string[]] = [[], []];
    let oldest = 0;
    /** Lets go the streams whose last interruption is more than M minutes before `now`: they can burst again only anew. */
    const letGo = (now: number) => {
      for (; oldest < walkedAt.length && walkedAt[oldest]! < now - withinMs; oldest++) {
        // A stream with several interruptions here is let go at the first whose turn finds its last one old too.
        const [key, stream] = [walkedStreams[oldest]!, walking.get(walkedStreams[oldest]!)];
        if (stream !== undefined && stream.recent.at(-1)! < now - withinMs) walking.delete(key);
      }
      if (oldest > 1_024 && oldest * 2 > walkedAt.length) {
        for (const queue of [walkedAt, walkedStreams]) queue.splice(0, oldest);
        oldest = 0;
      }
    };
    const walk = ([interruptedAt, streamId, streamDomain]: Interruption) => {
      letGo(interruptedAt);
      const key = streamKeyOf(streamId, streamDomain);
      let stream = walking.get(key);
      if (stream === undefined) walking.set(key, (stream = { streamId, domain: streamDomain, recent: [], first: 0 }));
      walkedAt.push(interruptedAt);
      walkedStreams.push(key);
      stream.recent.push(interruptedAt);
      while (stream.recent[stream.first]! < interruptedAt - withinMs) stream.first += 1;
      if (stream.first > 32 && stream.first * 2 > stream.recent.length) [stream.recent, stream.first] = [stream.recent.slice(stream.first), 0];
      if (stream.recent.length - stream.first >= needed) found.set(key, { streamId, domain: streamDomain, lastBurstAt: interruptedAt });
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
    return [...found.values()].sort((a, b) => b.lastBurstAt - a.lastBurstAt || (streamKeyOf(b.streamId, b.domain) < streamKeyOf(a.streamId, a.domain) ? -1 : 1));
  }

  /** A page of the streams found, its rows' interruptions in the range counted in the same read. */
  function* pageInSteps(query: FlappingQuery, first: number, after: string | null): Steps<Page<FlappingStreamRow>> {
    const page = pageOf(yield* bursts(query), first, after);
    const edges = page.edges.map(({ cursor, row }) => ({ cursor, row: { ...row, interruptions: streamCount.get({ ...row, from: query.from, to: query.to })! } }));
    return { ...page, edges };
  }

  /** A page of them, after the row a cursor of this listing stands for. */
  function pageOf(found: Burst[], first: number, after: string | null): Page<Burst> {
    const keyOf = (row: Burst): [number, string] => [row.lastBurstAt, streamKeyOf(row.streamId, row.domain)];
    const cursorOf = (row: Burst) => encodeCursor(LISTING, keyOf(row));
    let start = 0;
    if (after !== null) {
      const [afterAt, afterKey] = decodeCursor(LISTING, after, ['integer', 'text']) as [number, string];
      const isAfter = (row: Burst) => {
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
      return db.transaction(() => toTheEnd(pageInSteps(query, first, after)))();
    },
    /**
     * flappingStreams a slice of interruptions per turn of the event loop (`turns`), in one read transaction: over a day
     * of a busy platform (~850,000 interruptions) it took the event loop, and CSS's callbacks, 5.5 s at once.
     */
    flappingStreamsInTurns(query: FlappingQuery, first: number, after: string | null, turns: Turns): Promise<Page<FlappingStreamRow>> {
      // A cursor that is not this listing's is refused at once (thrown, not a rejection), before anything is read.
      if (after !== null) decodeCursor(LISTING, after, ['integer', 'text']);
      return readInTurns(() => pageInSteps(query, first, after), turns);
    },
  };
}
