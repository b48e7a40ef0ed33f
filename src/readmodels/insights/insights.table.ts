// The insights tables, declared once: sessions as the anomaly views and statistics read them, signs of life, relay exits, tallies.
import type { InterruptionSide } from '../../domain/errcodeCatalogue';
import { countsTable } from '../../processing/keptCounts';
import { column, table, type RowOf } from '../../processing/table';
import type { SessionStatus } from '../sessions/sessions.table';
import type { RollupDimension, RollupPeriod } from './interruptionRollups';

/** One row per push activity (`sequence`): what statistics group by, and the reducer's state in a compact form. */
export const insightSessionsTable = table(
  'insight_sessions',
  {
    sequence: column.text(),
    streamId: column.text().orNull(),
    domain: column.text().orNull(),
    node: column.text().orNull(),
    status: column.text<SessionStatus>(),
    /** Milliseconds since the epoch, as in the sessions read model. */
    sessionAt: column.integer(),
    pushedAt: column.integer().orNull(),
    interruptedAt: column.integer().orNull(),
    pushDurationMs: column.integer().orNull(),
    errcode: column.integer().orNull(),
    subErrcode: column.integer().orNull(),
    side: column.text<InterruptionSide>().orNull(),
    /** The reducer's state (JSON), with only the fields this read model uses. */
    state: column.text(),
  },
  {
    primaryKey: ['sequence'],
    indexes: [
      // Statistics and flapping streams over a time range read this index alone: every column they group by or measure is in it.
      {
        name: 'insight_interruptions_by_time',
        on: ['interruptedAt', 'errcode', 'subErrcode', 'domain', 'node', 'pushDurationMs', 'streamId'],
        where: 'interrupted_at IS NOT NULL',
        forQueriesOnly: true,
      },
      { name: 'insight_interruptions_listed', on: ['interruptedAt DESC', 'sequence DESC'], where: 'interrupted_at IS NOT NULL', forQueriesOnly: true },
      { name: 'insight_interruptions_by_side', on: ['side', 'interruptedAt DESC', 'sequence DESC'], where: 'interrupted_at IS NOT NULL', forQueriesOnly: true },
      // Also covering for statistics within one domain over the partial days of a range (see interruptionRollups.ts), and
      // for a domain's interruptions by side over a time range, counted without a row read each.
      {
        name: 'insight_interruptions_by_domain',
        on: ['domain', 'interruptedAt DESC', 'sequence DESC', 'errcode', 'subErrcode', 'node', 'pushDurationMs', 'side'],
        where: 'interrupted_at IS NOT NULL',
        forQueriesOnly: true,
      },
      // A node's interruptions over a time range: the nodes a statistic by node ranks first are counted here (busiestNodes.ts).
      { name: 'insight_interruptions_by_node', on: ['node', 'interruptedAt', 'domain', 'pushDurationMs'], where: 'interrupted_at IS NOT NULL', forQueriesOnly: true },
      // A stream's first newer push, among the ended sessions (the stale view).
      { name: 'insight_interruptions_by_stream', on: ['streamId', 'domain', 'sessionAt', 'interruptedAt'], where: 'interrupted_at IS NOT NULL', forQueriesOnly: true },
      // LIVE sessions are few beside the ended ones: the stale view and the streams-live gauge read them alone. By domain,
      // the stale view's count reads push times here too; by stream name, it finds the sessions of a stream lately seen.
      { name: 'insight_live_sessions', on: ['sessionAt DESC', 'sequence DESC'], where: "status = 'LIVE'", forQueriesOnly: true },
      { name: 'insight_live_streams', on: ['domain', 'streamId', 'sessionAt'], where: "status = 'LIVE'", forQueriesOnly: true },
      { name: 'insight_live_by_stream', on: ['streamId'], where: "status = 'LIVE'", forQueriesOnly: true },
    ],
  },
);

/**
 * Interruptions counted by UTC five minutes, hour and day (and by week from Monday, in the files of versions 4 to 6), each with a histogram of their push durations (see durationHistogram.ts):
 * what statistics over whole hours read instead of the interruptions themselves. A cell is one period's interruptions of one
 * scope (every domain: '', else the domain) sharing one key of a dimension (see interruptionRollups.ts).
 */
export const interruptionRollupsTable = table(
  'insight_interruption_rollups',
  {
    period: column.text<RollupPeriod>(),
    dimension: column.text<RollupDimension>(),
    scope: column.text(),
    /** Milliseconds since the epoch: the period's start. */
    start: column.integer(),
    key: column.text(),
    count: column.integer(),
    /** The push-duration percentiles its histogram answers (null for no durations): a bucket of this one cell needs no decode. */
    p50Ms: column.integer().orNull(),
    p90Ms: column.integer().orNull(),
    histogram: column.blob(),
  },
  {
    // A rowid table: a day's histogram runs to kilobytes, too large for rows of a WITHOUT ROWID one (measured: reads take half as long).
    primaryKey: ['period', 'dimension', 'scope', 'start', 'key'],
    // Each hour's and day's cells by node, by count: the lists a statistic by node ranks its nodes from (busiestNodes.ts).
    indexes: [{ name: 'insight_node_cells_by_count', on: ['period', 'scope', 'start', 'count', 'key'], where: "dimension = 'NODE'", forQueriesOnly: true }],
  },
);

/**
 * Per UTC hour, how many batches have changed its cells by node over every domain: a reader that keeps an hour's node
 * counts in memory (nodeHourCounts.ts) reads them again only when this has moved since. How the file was written, not
 * what the log holds (a rebuild in larger batches counts fewer): not in the digest.
 */
export const nodeHourChangesTable = table(
  'insight_node_hour_changes',
  { start: column.integer(), changes: column.integer() },
  { primaryKey: ['start'], withoutRowid: true, digested: false },
);

/**
 * Which cells by node over every domain each of an hour's latest changes wrote, their keys as a JSON list
 * (NODE_CELL_CHANGES_KEPT changes, in the last hours written to): a reader that keeps the hour from an earlier change
 * reads those cells alone, not the hour's every cell. How the file was written: not in the digest.
 */
export const nodeCellChangesTable = table(
  'insight_node_cell_changes',
  { start: column.integer(), changes: column.integer(), keys: column.json<string[]>() },
  { primaryKey: ['start', 'changes'], withoutRowid: true, digested: false },
);

/**
 * The count and percentiles of each hour and day cell of every interruption (dimension ALL, over every domain or within
 * one), without its histogram: statistics grouped by hour or by day read a bucket per cell, 2,160 over 90 days by hour,
 * here in order instead of a rollup row each.
 */
export const rollupSummariesTable = table(
  'insight_rollup_summaries',
  {
    period: column.text<RollupPeriod>(),
    scope: column.text(),
    start: column.integer(),
    count: column.integer(),
    p50Ms: column.integer().orNull(),
    p90Ms: column.integer().orNull(),
  },
  { primaryKey: ['period', 'scope', 'start'], withoutRowid: true },
);

/**
 * Per scope, dimension and key, every interruption before a UTC day from `start` (see runningTotals.ts), stored for each day
 * the key has interruptions: any number of whole days is the total before its end less the total before its start.
 */
export const interruptionTotalsTable = table(
  'insight_interruption_totals',
  {
    dimension: column.text<RollupDimension>(),
    scope: column.text(),
    key: column.text(),
    /** Milliseconds since the epoch: the start of the day the total is before. */
    start: column.integer(),
    count: column.integer(),
    histogram: column.blob(),
  },
  // Keyed by key before day: a key's latest total before a day is one step along the index.
  { primaryKey: ['dimension', 'scope', 'key', 'start'] },
);

/**
 * The last sign of life of each stream (a name on a domain): a screenshot, a push anomaly report, a recording status or
 * exception. A sign that names no domain is kept under '' and counts for the stream name on every domain.
 */
export const streamSignsTable = table(
  'insight_stream_signs',
  { streamId: column.text(), domain: column.text(), lastSignAt: column.integer() },
  // By time: the stale view's count looks only at the streams seen since its threshold.
  { primaryKey: ['streamId', 'domain'], withoutRowid: true, indexes: [{ name: 'insight_stream_signs_by_time', on: ['lastSignAt'], forQueriesOnly: true }] },
);

/** Every TaskExit once (with or without task_id), by when it happened: exit statistics over a time range. */
export const insightRelayExitsTable = table(
  'insight_relay_exits',
  { eventId: column.text(), exitCode: column.integer().orNull(), exitedAt: column.integer() },
  { primaryKey: ['eventId'], indexes: [{ name: 'insight_relay_exits_by_time', on: ['exitedAt', 'exitCode'], forQueriesOnly: true }] },
);

/** Relay exits counted per UTC five minutes, hour and day, by exit code ('' for none): see relayExitRollups.ts. */
export const relayExitRollupsTable = table(
  'insight_relay_exit_rollups',
  { period: column.text<RollupPeriod>(), start: column.integer(), code: column.text(), count: column.integer() },
  { primaryKey: ['period', 'start', 'code'], withoutRowid: true },
);

/** Events counted once each (moderation hits, recordings ready): a repeat in the log is not counted again. */
export const countedEventsTable = table('insight_counted_events', { eventId: column.text() }, { primaryKey: ['eventId'], withoutRowid: true });

/** Running totals by kind (a TallyKind) and key (bounded label values): what the business metrics read at scrape time. */
export const talliesTable = countsTable('insight_tallies', ['kind', 'key']);

/** How many interruptions there are per domain and side of their cause: `interruptions { totalCount }` without a time range. */
export const interruptionCountsTable = countsTable('insight_interruption_counts', ['domain', 'side'], { nullable: true });

/**
 * Each session of each stream name on each domain ('' for a session that names none) by push time, and whether it is
 * LIVE. The newest decides whether the stream is live: CSS lets a stream name push once at a time on a domain, a newer
 * push replacing the one before, so a LIVE session behind a newer one missed its interruption. Where a stream's newest
 * turns LIVE or stops being so, the `liveStreams` tally of its domain moves.
 */
export const streamSessionsTable = table(
  'insight_stream_sessions',
  { domain: column.text(), streamId: column.text(), sessionAt: column.integer(), sequence: column.text(), live: column.integer() },
  { primaryKey: ['domain', 'streamId', 'sessionAt', 'sequence'], withoutRowid: true },
);

/** `liveStreams`: stream names whose newest session is LIVE, by domain ('' for none); the others count what has happened. */
export type TallyKind = 'sessionsPerDay' | 'interruptions' | 'relayExits' | 'moderationHits' | 'recordingsReady' | 'liveStreams';

export type InsightSessionRow = RowOf<typeof insightSessionsTable>;
