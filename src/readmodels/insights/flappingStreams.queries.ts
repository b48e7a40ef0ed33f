// Flapping streams: stream names interrupted at least N times within M minutes, found among the interruptions of a time range.
import { keysetListing } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';

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

export function flappingStreamQueries(db: ReadModelDatabase) {
  // The N-th interruption before each one (lag N-1) within M minutes of it closes a burst. The range's interruptions
  // come from insight_interruptions_by_time; a stream is one name on one domain (never '': CSS's empty fields read as
  // absent). Only streams with more than N-1 interruptions in the range can burst: they are found first, so that the
  // window sorts their interruptions alone (most streams are interrupted once a day: sorting all of them was most of it).
  // `+stream_id` keeps the second read along the time index too, rather than a lookup of each stream's own index.
  const bursts = `(
    SELECT stream_id AS streamId, domain, max(CASE WHEN interrupted_at - earlier <= @withinMs THEN interrupted_at END) AS lastBurstAt,
           count(*) AS interruptions, stream_id || ' ' || coalesce(domain, '') AS streamKey
    FROM (
      SELECT stream_id, domain, interrupted_at,
             lag(interrupted_at, @lag) OVER (PARTITION BY stream_id, domain ORDER BY interrupted_at) AS earlier
      FROM insight_sessions
      WHERE interrupted_at >= @from AND interrupted_at < @to AND (+stream_id, coalesce(domain, '')) IN (
        SELECT stream_id, coalesce(domain, '') FROM insight_sessions
        WHERE interrupted_at >= @from AND interrupted_at < @to AND stream_id IS NOT NULL AND (@domain IS NULL OR domain = @domain)
        GROUP BY stream_id, domain HAVING count(*) > @lag
      )
    )
    GROUP BY stream_id, domain
  ) f`;
  const list = keysetListing<Record<string, never>, FlappingStreamRow & { streamKey: string }>(db, {
    listing: 'flappingStreams',
    from: bursts,
    columns: 'f.streamId, f.domain, f.lastBurstAt, f.interruptions, f.streamKey',
    where: 'f.lastBurstAt IS NOT NULL',
    sortKey: [
      { column: 'f.lastBurstAt', kind: 'integer' },
      { column: 'f.streamKey', kind: 'text' },
    ],
    filters: {},
    indexedFilters: [],
    toRow: (raw) => raw as unknown as FlappingStreamRow & { streamKey: string },
    keyOf: (row) => [row.lastBurstAt, row.streamKey],
  });
  return {
    /** Latest burst first; `after` is an endCursor of this listing (for the same arguments). */
    flappingStreams(query: FlappingQuery, first: number, after: string | null): Page<FlappingStreamRow> {
      const { minInterruptions, withinMs, from, to, domain } = query;
      return list({}, first, after, { lag: Math.max(1, minInterruptions - 1), withinMs, from, to, domain });
    },
  };
}
