// Reads of the insights read model: interruptions by side, stale live sessions, statistics over time ranges, and tallies.
import type { InterruptionSide } from '../../domain/errcodeCatalogue';
import { limitBy } from '../../eventstore/sqlite/boundLimit';
import { bound } from '../../eventstore/sqlite/boundValue';
import { keptCounts } from '../../processing/keptCounts';
import { keysetListing } from '../../processing/keysetListing';
import { once, type Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { readMeta } from '../../processing/readModelFile';
import { inTurns, slicedReads, toTheEnd, type Turns } from '../../processing/slicedReads';
import { FLAPPING_INTERRUPTIONS_PER_STEP, flappingStreamQueries } from './flappingStreams.queries';
import { dayOf } from './insightSession';
import {
  insightSessionsTable,
  interruptionCountsTable,
  interruptionRollupsTable,
  interruptionTotalsTable,
  rollupSummariesTable,
  streamSignsTable,
  type InsightSessionRow,
  type TallyKind,
} from './insights.table';
import { CELLS_PER_SLICE, EVERY_DOMAIN, FIVE_MINUTE_CELLS_SINCE, PERIODS, rollupReader, WEEK_CELLS_SINCE, WEEK_CELLS_UNTIL, type RollupCells } from './interruptionRollups';
import { servedPeriods, statsPlan } from './statsPlan';
import { fewerRowsRead, takeBackPartials, type PartialsPlan, type RowsIn } from './partialPeriods';
import { RUNNING_SPAN_DAYS, RUNNING_TOTALS_SINCE, runningCountReader, TOTAL_KEYS_PER_SLICE } from './runningTotals';
import { instantSlice } from './instantSlices';
import { relayExitReader, type RelayExitBucketRow } from './relayExitRollups';
import { ABSENT_KEY, DAY_MS, InterruptionTally, type InterruptionBucketRow, type InterruptionFacts, type InterruptionGrouping } from './interruptionStats';
import { busiestNodes, NODES_RANKED_SINCE, RANKED_DAYS, rankedCellsOf, type NodeRankingReads } from './busiestNodes';
import { nodeHourCounts } from './nodeHourCounts';

export type InsightSession = Omit<InsightSessionRow, 'state'>;

/** Interruptions read per turn of the event loop for statistics: tens of milliseconds each. */
const INTERRUPTIONS_PER_SLICE = 20_000;

export interface InterruptionListFilter {
  side?: InterruptionSide;
  domain?: string;
  /** On interruptedAt (ms): from inclusive, to exclusive. */
  from?: number;
  to?: number;
}

export interface StaleListFilter {
  domain?: string;
  /** Pushed before this instant (ms). */
  pushedBefore?: number;
  /** No sign of life (nor the push itself) at or after this instant (ms). */
  silentBefore?: number;
}

const SESSION_COLUMNS = insightSessionsTable.keys.filter((key) => key !== 'state');

/**
 * Interruptions of a time range the listing's total counts along an index (a few milliseconds of SQLite); a range holding
 * more is counted from the rollups, as its statistics are (a million along the index took 40 ms).
 */
const COUNTED_ALONG_INDEX = 50_000;

/**
 * `totalKeysPerSlice`: keys whose running totals a step of a sliced statistic reads (see bucketsInTurns); `cellsPerSlice`:
 * rollup cells it reads; `flappingPerStep`: interruptions a step of flappingStreamsInTurns reads; `countedAlongIndex`: see
 * COUNTED_ALONG_INDEX.
 */
export function insightQueries(
  db: ReadModelDatabase,
  {
    totalKeysPerSlice = TOTAL_KEYS_PER_SLICE,
    cellsPerSlice = CELLS_PER_SLICE,
    flappingPerStep = FLAPPING_INTERRUPTIONS_PER_STEP,
    countedAlongIndex = COUNTED_ALONG_INDEX,
  } = {},
) {
  const c = (key: Parameters<typeof insightSessionsTable.column>[0]) => `s.${insightSessionsTable.column(key)}`;
  const columns = insightSessionsTable.selectList(db, { alias: 's', only: SESSION_COLUMNS });
  const toRow = (raw: Record<string, unknown>) => raw as unknown as InsightSession;
  const keyOf = (row: InsightSession) => [row.interruptedAt ?? 0, row.sequence];

  // Without a time range, the counts kept by domain and side answer (up to a million rows along an index otherwise, 40 ms of
  // the main thread); null in a file of an older version.
  const kept = keptCounts(db, interruptionCountsTable);
  const interruptions = keysetListing<InterruptionListFilter, InsightSession>(db, {
    listing: 'interruptions',
    from: 'insight_sessions s',
    columns,
    where: 's.interrupted_at IS NOT NULL',
    sortKey: [
      { column: c('interruptedAt'), kind: 'integer' },
      { column: c('sequence'), kind: 'text' },
    ],
    filters: {
      side: { column: c('side'), operator: 'equals' },
      domain: { column: c('domain'), operator: 'equals' },
      from: { column: c('interruptedAt'), operator: 'from' },
      to: { column: c('interruptedAt'), operator: 'before' },
    },
    indexedFilters: ['domain', 'side'],
    keptCounts: kept === null ? undefined : { by: ['side', 'domain'], count: ({ side, domain }) => kept.count({ side, domain }) },
    toRow,
    keyOf,
  });

  // A stream's last sign of life counts only when it came after the push: the push itself is the first one. Its signs are
  // those on its domain and those that named no domain; a file before version 8 kept them by stream name alone.
  const signsByDomain = streamSignsTable.hasColumn(db, 'domain');
  const signs = signsByDomain
    ? "LEFT JOIN insight_stream_signs g ON g.stream_id = s.stream_id AND g.domain = coalesce(s.domain, '') LEFT JOIN insight_stream_signs u ON u.stream_id = s.stream_id AND u.domain = '' AND s.domain IS NOT NULL"
    : 'LEFT JOIN insight_stream_signs g ON g.stream_id = s.stream_id';
  const lastSign = signsByDomain ? 'max(coalesce(g.last_sign_at, 0), coalesce(u.last_sign_at, 0))' : 'coalesce(g.last_sign_at, 0)';
  // A newer push of the stream ends a LIVE session whatever came after it (CSS interrupts the push a newer one replaces,
  // errcode 21: a session still LIVE missed that callback), so the stream's signs of life count only up to the first
  // newer push, LIVE or ended, each the first step of a range of its partial index. Looked for only when a sign came after the push.
  const newer = (where: string) =>
    `coalesce((SELECT min(n.session_at) FROM insight_sessions n WHERE ${where} AND n.stream_id = s.stream_id AND n.domain IS s.domain AND n.session_at > s.session_at), ${Number.MAX_SAFE_INTEGER})`;
  const newerPush = `min(${newer("n.status = 'LIVE'")}, ${newer('n.interrupted_at IS NOT NULL AND n.interrupted_at > s.session_at')})`;
  const silentSince = `CASE WHEN ${lastSign} > ${c('sessionAt')} THEN max(${c('sessionAt')}, min(${lastSign}, ${newerPush})) ELSE ${c('sessionAt')} END`;
  const stale = keysetListing<StaleListFilter, InsightSession>(db, {
    listing: 'staleLiveSessions',
    from: `insight_sessions s ${signs}`,
    columns,
    where: "s.status = 'LIVE'",
    sortKey: [
      { column: c('sessionAt'), kind: 'integer' },
      { column: c('sequence'), kind: 'text' },
    ],
    filters: {
      // Never the index: a domain's LIVE sessions in push order are the LIVE ones in push order, that domain's kept.
      domain: { column: `+${c('domain')}`, operator: 'equals' },
      pushedBefore: { column: c('sessionAt'), operator: 'before' },
      silentBefore: { column: silentSince, operator: 'before' },
    },
    indexedFilters: [],
    toRow,
    keyOf: (row) => [row.sessionAt, row.sequence],
  });
  // Counted without walking every LIVE session through its signs: those pushed before the bounds, along a covering index,
  // less those seen since `silentBefore`, found from the streams seen since (a session silent since then has no newer sign).
  const liveCount = (byDomain: boolean) =>
    db.prepare(`SELECT count(*) FROM insight_sessions s WHERE s.status = 'LIVE' AND s.session_at < @before${byDomain ? ' AND s.domain = @domain' : ''}`).pluck();
  const seenCount = (byDomain: boolean) =>
    db
      .prepare(
        `SELECT count(*) FROM insight_sessions s ${signs}
         WHERE s.status = 'LIVE' AND s.stream_id IN (SELECT stream_id FROM insight_stream_signs WHERE last_sign_at >= @silentBefore)
           AND s.session_at < @before${byDomain ? ' AND s.domain = @domain' : ''} AND ${silentSince} >= @silentBefore`,
      )
      .pluck();
  const [live, liveInDomain, seen, seenInDomain] = [liveCount(false), liveCount(true), seenCount(false), seenCount(true)];
  const staleCount = ({ domain, pushedBefore, silentBefore }: StaleListFilter): number => {
    const before = Math.min(pushedBefore ?? Number.MAX_SAFE_INTEGER, silentBefore ?? Number.MAX_SAFE_INTEGER);
    const bound = domain === undefined ? { before } : { before, domain };
    const all = (domain === undefined ? live : liveInDomain).get(bound) as number;
    if (silentBefore === undefined) return all;
    return all - ((domain === undefined ? seen : seenInDomain).get({ ...bound, silentBefore }) as number);
  };

  // In index order, a slice at a time: a range of a million interruptions is read over many turns of the event loop.
  // Each grouping reads only the columns it keys by, the others as NULL: their strings, made per row, were a quarter of the read.
  const factsOf = (grouping: InterruptionGrouping) => {
    const keyed = grouping === 'ERRCODE' ? 'errcode, sub_errcode, NULL, NULL' : grouping === 'DOMAIN' ? 'NULL, NULL, domain, NULL' : grouping === 'NODE' ? 'NULL, NULL, NULL, node' : 'NULL, NULL, NULL, NULL';
    const FACTS = `SELECT interrupted_at, ${keyed}, push_duration_ms FROM insight_sessions`;
    return {
      from: db.prepare<[number, number, number], InterruptionFacts>(`${FACTS} WHERE interrupted_at >= ? AND interrupted_at < ? ORDER BY interrupted_at ${limitBy('?')}`).raw(),
      at: db.prepare<[number], InterruptionFacts>(`${FACTS} WHERE interrupted_at = ?`).raw(),
      // Within one domain, along its own index.
      domainFrom: db
        .prepare<[string, number, number, number], InterruptionFacts>(`${FACTS} WHERE domain = ${bound('?')} AND interrupted_at >= ? AND interrupted_at < ? ORDER BY interrupted_at ${limitBy('?')}`)
        .raw(),
      domainAt: db.prepare<[string, number], InterruptionFacts>(`${FACTS} WHERE domain = ? AND interrupted_at = ?`).raw(),
    };
  };
  // How many interruptions a partial period holds on each side of a range's end, counted by SQLite along the same indexes.
  const countedUpTo = (where: string) => db.prepare(`SELECT count(*) FROM (SELECT 1 FROM insight_sessions WHERE ${where} ${limitBy('?')})`).pluck();
  const rowsIn = countedUpTo('interrupted_at >= ? AND interrupted_at < ?');
  const domainRowsIn = countedUpTo('domain = ? AND interrupted_at >= ? AND interrupted_at < ?');
  const firstInterruption = db.prepare<[], number | null>('SELECT min(interrupted_at) FROM insight_sessions WHERE interrupted_at IS NOT NULL').pluck();
  const lastInterruption = db.prepare<[], number | null>('SELECT max(interrupted_at) FROM insight_sessions WHERE interrupted_at IS NOT NULL').pluck();
  const rowsOf = (domain: string | null): RowsIn =>
    domain === null ? (from, to, atMost) => rowsIn.get(from, to, atMost) as number : (from, to, atMost) => domainRowsIn.get(domain, from, to, atMost) as number;
  const facts = new Map<InterruptionGrouping, ReturnType<typeof factsOf>>();
  const factsFor = (grouping: InterruptionGrouping) => facts.get(grouping) ?? facts.set(grouping, factsOf(grouping)).get(grouping)!;
  const exitStats = relayExitReader(db);
  const days = db.prepare<[string, string], { day: string; count: number }>(
    "SELECT key AS day, count FROM insight_tallies WHERE kind = 'sessionsPerDay' AND key >= ? AND key <= ? AND count > 0 ORDER BY key",
  );
  const tallies = db.prepare<[TallyKind], { key: string; count: number }>('SELECT key, count FROM insight_tallies WHERE kind = ? AND count > 0');
  // A file of an older version (answering while this one builds) has no rollups: its statistics read every interruption.
  const rolledUp = interruptionRollupsTable.existsIn(db);
  // One of version 3 has hour and day cells but no week cells: its statistics read whole days at most (as do those of version
  // 7 on, which read whole days in a row from running totals). One before version 7 has no five-minute cells: its
  // statistics read partial hours one by one.
  const hasMeta = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'read_model'").pluck().get() === 1;
  const version = hasMeta ? readMeta(db)?.version : undefined;
  const cells: RollupCells = {
    weeks: version !== undefined && version >= WEEK_CELLS_SINCE && version < WEEK_CELLS_UNTIL,
    fiveMinutes: (version ?? FIVE_MINUTE_CELLS_SINCE) >= FIVE_MINUTE_CELLS_SINCE,
  };
  // One before version 6 has no running totals nor cell summaries: its statistics read the cells themselves.
  const version6Table = (table: { existsIn(db: ReadModelDatabase): boolean }) => (version ?? RUNNING_TOTALS_SINCE) >= RUNNING_TOTALS_SINCE && table.existsIn(db);
  const readRollups = rolledUp
    ? rollupReader(db, { runningTotals: version6Table(interruptionTotalsTable), summaries: version6Table(rollupSummariesTable), totalKeysPerSlice, cellsPerSlice })
    : null;
  // The cells, the interruptions taken back out of them and the histograms of the buckets answered are read in one
  // transaction: a batch projected in between cannot count an interruption in one read and not in another.
  function* bucketsInSteps(tally: InterruptionTally, plan: Pick<PartialsPlan, 'rolled' | 'takenBack' | 'scannedBack'>, domain: string | null): Generator<void, InterruptionBucketRow[]> {
    yield* readRollups!(tally, tally.grouping, plan, domain);
    const read = factsFor(tally.grouping);
    for (const [from, to] of plan.scannedBack ?? []) {
      for (const row of domain === null ? read.from.all(from, to, -1) : read.domainFrom.all(domain, from, to, -1)) tally.add(row, -1);
    }
    return yield* tally.bucketsInSteps();
  }
  const bucketsAtOnce = db.transaction((tally: InterruptionTally, plan: Pick<PartialsPlan, 'rolled' | 'takenBack' | 'scannedBack'>, domain: string | null) =>
    toTheEnd(bucketsInSteps(tally, plan, domain)),
  );
  const readInTurns = slicedReads(db);
  function planOf(from: number, to: number, grouping: InterruptionGrouping, domain: string | null): PartialsPlan {
    if (readRollups === null) return { scanned: [[from, to]], rolled: [], takenBack: [] };
    const rows = rowsOf(domain);
    const planned = (read: RollupCells) => takeBackPartials(statsPlan(from, to, grouping, domain, read), grouping, domain, rows, read);
    // Where five-minute cells serve the grouping, the plan without them may read fewer interruptions one by one.
    const byFiveMinutes = servedPeriods(grouping, domain, cells)[0]![0] === 'FIVE_MINUTES';
    return byFiveMinutes ? fewerRowsRead(planned({ ...cells, fiveMinutes: false }), planned(cells), rows) : planned(cells);
  }
  // A file before version 14 (answering while this one builds) has no ranking indexes: every node's cells answer.
  const busiest =
    (version ?? NODES_RANKED_SINCE) >= NODES_RANKED_SINCE
      ? busiestNodesReader(db, (from, to, domain) => planOf(from, to, 'NODE', domain), version6Table(interruptionTotalsTable))
      : null;
  const busiestAtOnce = busiest === null ? null : db.transaction((...args: Parameters<typeof busiest>) => toTheEnd(busiest(...args)));

  return {
    ...flappingStreamQueries(db, readInTurns, flappingPerStep),
    /** Interrupted sessions, latest interruption first; `after` is an endCursor of this listing. */
    interruptions(filter: InterruptionListFilter, first: number, after: string | null): Page<InsightSession> {
      const page = interruptions(filter, first, after);
      const { side, domain = null, from, to } = filter;
      // Without a time range the kept counts answer; by cause the rollups cannot (they are not kept by side).
      if (side !== undefined || (from === undefined && to === undefined) || readRollups === null) return page;
      const count = () => {
        // The range as far as there are interruptions: an open end is no span of days to plan.
        const [earliest, latest] = [firstInterruption.get(), lastInterruption.get()];
        if (earliest == null || latest == null) return 0;
        const range: [number, number] = [Math.max(from ?? earliest, earliest), Math.min(to ?? latest + 1, latest + 1)];
        if (range[0] >= range[1]) return 0;
        const along = rowsOf(domain)(range[0], range[1], countedAlongIndex + 1);
        if (along <= countedAlongIndex) return along;
        return this.interruptionStats(range[0], range[1], 'DOMAIN', domain).reduce((sum, bucket) => sum + bucket.count, 0);
      };
      return { ...page, totalCount: once(count) };
    },
    /** LIVE sessions pushed before `pushedBefore` with no sign of life since `silentBefore`, latest push first. */
    staleLiveSessions(filter: StaleListFilter, first: number, after: string | null): Page<InsightSession> {
      const page = stale(filter, first, after);
      return { ...page, totalCount: once(() => staleCount(filter)) };
    },
    /**
     * Adds at most about `limit` interruptions of [from, to) (ms) to the tally, those of one domain when given; returns
     * where the next slice starts, or null when the range is done. A slice ends between two instants, never inside one.
     */
    tallyInterruptions(tally: InterruptionTally, from: number, to: number, domain: string | null, limit: number): number | null {
      const read = factsFor(tally.grouping);
      const { rows, next } = instantSlice(
        from,
        to,
        limit,
        (start, atMost) => (domain === null ? read.from.all(start, to, atMost) : read.domainFrom.all(domain, start, to, atMost)),
        (at) => (domain === null ? read.at.all(at) : read.domainAt.all(domain, at)),
      );
      for (const row of rows) tally.add(row);
      return next;
    },
    /**
     * How [from, to) (ms) is answered: `scanned` ranges by tallyInterruptions, a slice at a time; `rolled`, `takenBack`
     * and `scannedBack` at once by bucketsOf.
     */
    statsPlan(from: number, to: number, grouping: InterruptionGrouping, domain: string | null): PartialsPlan {
      return planOf(from, to, grouping, domain);
    },
    /**
     * The tally's buckets, once the rollup cells of a plan's whole periods are added to it, less the interruptions it takes
     * back (those of one domain when given): the plan's `scanned` ranges are to be tallied before.
     */
    bucketsOf(tally: InterruptionTally, plan: Pick<PartialsPlan, 'rolled' | 'takenBack' | 'scannedBack'>, domain: string | null): InterruptionBucketRow[] {
      return plan.rolled.length > 0 ? bucketsAtOnce(tally, plan, domain) : tally.buckets();
    },
    /**
     * bucketsOf a step at a time, each in a turn of the event loop (`turns`), all in one read transaction (slicedReads): by
     * node, the running totals of tens of thousands of keys held the event loop (and CSS's callbacks) 1.5–3 s at once.
     */
    bucketsInTurns(
      tally: InterruptionTally,
      plan: Pick<PartialsPlan, 'rolled' | 'takenBack' | 'scannedBack'>,
      domain: string | null,
      turns: Turns,
    ): Promise<InterruptionBucketRow[]> {
      // Without rollups the tally holds every interruption already: its buckets are worked out without reading more.
      if (plan.rolled.length === 0) return inTurns(tally.bucketsInSteps(), turns);
      return readInTurns(() => bucketsInSteps(tally, plan, domain), turns);
    },
    /** Interruptions in [from, to) (ms), grouped, with push-duration percentiles, at once (a domain narrows them; `first`, see InterruptionTally). */
    interruptionStats(from: number, to: number, grouping: InterruptionGrouping, domain: string | null, first?: number): InterruptionBucketRow[] {
      if (busiestAtOnce !== null && grouping === 'NODE' && first !== undefined) {
        const ranked = busiestAtOnce(from, to, domain, first);
        if (ranked !== null) return ranked;
      }
      const tally = new InterruptionTally(grouping, first);
      const plan = this.statsPlan(from, to, grouping, domain);
      const { scanned } = plan;
      for (const [a, b] of scanned) for (let next: number | null = a; next !== null; ) next = this.tallyInterruptions(tally, next, b, domain, 50_000);
      return this.bucketsOf(tally, plan, domain);
    },
    /**
     * interruptionStats a slice at a time, each in a turn of the event loop (`turns`): the interruptions of partial periods
     * by tallyInterruptions, then the rollups by bucketsInTurns.
     */
    async interruptionStatsInTurns(
      from: number,
      to: number,
      grouping: InterruptionGrouping,
      domain: string | null,
      first: number | undefined,
      turns: Turns,
    ): Promise<InterruptionBucketRow[]> {
      if (busiest !== null && grouping === 'NODE' && first !== undefined) {
        const ranked = await readInTurns(() => busiest(from, to, domain, first), turns);
        if (ranked !== null) return ranked;
      }
      const tally = new InterruptionTally(grouping, first);
      const plan = this.statsPlan(from, to, grouping, domain);
      for (const [rangeFrom, rangeTo] of plan.scanned) {
        for (let next: number | null = rangeFrom; next !== null; ) {
          const sliceFrom: number = next;
          next = await turns.run(() => this.tallyInterruptions(tally, sliceFrom, rangeTo, domain, INTERRUPTIONS_PER_SLICE));
        }
      }
      return this.bucketsInTurns(tally, plan, domain, turns);
    },
    /** TaskExits in [from, to) (ms) by exit code, most frequent first (see relayExitRollups.ts). */
    relayExitStats(from: number, to: number): RelayExitBucketRow[] {
      return exitStats(from, to);
    },
    /** Sessions begun on each UTC day from the day of `from` to that of `to` (ms), both included; days without any left out. */
    sessionsPerDay(from: number, to: number): Array<{ day: string; count: number }> {
      return days.all(dayOf(from), dayOf(to));
    },
    /** A running total by its bounded key. */
    tallies(kind: TallyKind): Array<{ key: string; count: number }> {
      return tallies.all(kind);
    },
    /** Distinct stream names with a LIVE session, by domain (null: sessions that name none). */
    liveStreamsByDomain(): Array<{ domain: string | null; streams: number }> {
      return tallies.all('liveStreams').map(({ key, count }) => ({ domain: key === '' ? null : key, streams: count }));
    },
  };
}
export type InsightQueries = ReturnType<typeof insightQueries>;

/**
 * The first nodes of a statistic by node, ranked from the cells by count (busiestNodes.ts), each counted along the node
 * index (over many whole days, those from its running totals), or, over less than a day of every domain that the
 * ranking does not suit, counted from every node's hour counts kept in memory (nodeHourCounts.ts); then bucketed as
 * every node's tally buckets it (the plan's cells of those nodes alone, and their interruptions read one by one): the
 * same answer. Null in a file without those indexes; the steps return null where neither suits the range or the
 * ranking gave up.
 */
function busiestNodesReader(db: ReadModelDatabase, planOf: (from: number, to: number, domain: string | null) => PartialsPlan, runningTotals: boolean) {
  if (!interruptionRollupsTable.hasIndex(db, 'insight_node_cells_by_count') || !insightSessionsTable.hasIndex(db, 'insight_interruptions_by_node')) return null;
  // Largest count first; keyset on (count, key), both read backwards along the index.
  const cellsAfter = (after: string) =>
    db
      .prepare<unknown[], [count: number, key: string]>(
        `SELECT count, key FROM insight_interruption_rollups WHERE dimension = 'NODE' AND period = ${bound('?')} AND scope = ${bound('?')} AND start = ${bound('?')}${after} ORDER BY count DESC, key DESC ${limitBy('?')}`,
      )
      .raw();
  const [firstCells, nextCells] = [cellsAfter(''), cellsAfter(' AND (count, key) < (?, ?)')];
  // The first day at or after a start that holds cells by node, one step along the rollups' primary key.
  const nextDayWithCells = db
    .prepare<[string, number, number], number>(
      `SELECT start FROM insight_interruption_rollups WHERE dimension = 'NODE' AND period = 'DAY' AND scope = ${bound('?')} AND start >= ? AND start < ? ORDER BY start LIMIT 1`,
    )
    .pluck();
  /** The starts of the UTC days of [from, to) that hold cells by node, in order; one more than `atMost` at most. */
  const daysWithCells = (scope: string, from: number, to: number, atMost: number): number[] => {
    const days: number[] = [];
    for (let day = nextDayWithCells.get(scope, Math.floor(from / DAY_MS) * DAY_MS, to); day !== undefined && days.length <= atMost; ) {
      days.push(day);
      day = nextDayWithCells.get(scope, day + DAY_MS, to);
    }
    return days;
  };
  const cellAt = db
    .prepare<unknown[], [count: number, p50: number | null, p90: number | null, histogram: Buffer]>(
      "SELECT count, p50_ms, p90_ms, histogram FROM insight_interruption_rollups WHERE period = ? AND dimension = 'NODE' AND scope = ? AND start = ? AND key = ?",
    )
    .raw();
  // ABSENT_KEY ("unknown") is the node bucket of the interruptions without a node as well (see interruptionKey). Never the domain's index:
  // it holds all of a domain's interruptions of the range, the node's index a few.
  const inRange = (domain: string | null) => `interrupted_at >= @from AND interrupted_at < @to${domain === null ? '' : ' AND +domain = @domain'}`;
  const statements = (domain: string | null) => ({
    counts: db
      .prepare<unknown[], [node: string, count: number]>(`SELECT node, count(*) FROM insight_sessions WHERE node IN (SELECT value FROM json_each(@nodes)) AND ${inRange(domain)} GROUP BY node`)
      .raw(),
    withoutNode: db.prepare<unknown[], number>(`SELECT count(*) FROM insight_sessions WHERE node IS NULL AND ${inRange(domain)}`).pluck(),
    facts: db.prepare<unknown[], InterruptionFacts>(`SELECT interrupted_at, NULL, NULL, NULL, node, push_duration_ms FROM insight_sessions WHERE node IS @node AND ${inRange(domain)}`).raw(),
  });
  const [everyDomain, oneDomain] = [statements(null), statements('')];
  const countBefore = runningTotals ? runningCountReader(db) : null;
  const periodMs = new Map(PERIODS.map(([period, ms]) => [period, ms]));
  const hourCounts = nodeHourCounts(db);
  return function* busiestNodesIn(from: number, to: number, domain: string | null, first: number): Generator<void, InterruptionBucketRow[] | null> {
    const scope = domain ?? EVERY_DOMAIN;
    const lists = rankedCellsOf(from, to, domain === null, () => daysWithCells(scope, from, to, RANKED_DAYS));
    const read = domain === null ? everyDomain : oneDomain;
    const range = domain === null ? { from, to } : { from, to, domain };
    let ranked: Array<[key: string, count: number]> | null = null;
    // The days whose day cells the plan may skip (none hold cells by node), where the ranking found them.
    let days: ReadonlySet<number> | null = null;
    if (lists !== null) {
      // A whole day is ranked by its day cells: the days of the lists are every whole day that holds any.
      days = new Set(lists.filter((list) => list.period === 'DAY').map((list) => list.start));
      ranked = yield* busiestNodes(lists, first, nodeRankingReads(scope, read, range));
    }
    if (ranked === null && domain === null && hourCounts !== null && to - from < DAY_MS) {
      // Shorter than a day, over every domain: every node counted from its hours' counts, kept in memory between statistics.
      days = null;
      ranked = yield* hourCounts.firstNodes(from, to, first);
    }
    if (ranked === null) return null;
    const plan = planOf(from, to, domain);
    const tally = new InterruptionTally('NODE');
    for (const [key] of ranked) {
      const interruptions = (a: number, b: number) => [
        ...read.facts.all({ ...range, from: a, to: b, node: key }),
        ...(key === ABSENT_KEY ? read.facts.all({ ...range, from: a, to: b, node: null }) : []),
      ];
      for (const [a, b] of plan.scanned) for (const row of interruptions(a, b)) tally.add(row);
      for (const [a, b] of plan.scannedBack ?? []) for (const row of interruptions(a, b)) tally.add(row, -1);
      for (const [ranges, weight] of [[plan.rolled, 1], [plan.takenBack, -1]] as const) {
        for (const { period, from: a, to: b } of ranges) {
          for (let start = a; start < b; start += periodMs.get(period)!) {
            // Day cells only where days hold any: a year's range has a few.
            if (period === 'DAY' && days !== null && !days.has(start)) continue;
            const cell = cellAt.get(period, scope, start, key);
            if (cell !== undefined) tally.addCell(start, key, { count: cell[0], histogram: cell[3], percentiles: [cell[1], cell[2]] }, weight);
          }
        }
      }
    }
    return tally.buckets();
  };

  /** How the ranking reads the cells of its lists, and counts the nodes it meets over the range. */
  function nodeRankingReads(scope: string, read: typeof everyDomain, range: { from: number; to: number; domain?: string }): NodeRankingReads {
    /** The nodes' interruptions in [from, to) along the node index, those without a node counted under ABSENT_KEY. */
    const counted = (keys: readonly string[], from: number, to: number): Array<[key: string, count: number]> => {
      const within = { ...range, from, to };
      const counts = read.counts.all({ ...within, nodes: JSON.stringify(keys) });
      const withoutNode = keys.includes(ABSENT_KEY) ? read.withoutNode.get(within)! : 0;
      if (withoutNode === 0) return counts;
      const named = counts.find(([key]) => key === ABSENT_KEY);
      return [...counts.filter(([key]) => key !== ABSENT_KEY), [ABSENT_KEY, withoutNode + (named?.[1] ?? 0)]];
    };
    // Over whole days enough, a node's count is two running totals apart, where the node index reads every interruption
    // of the node in the range; the cut days at the ends are counted along the index. (A cell's key 'unknown' holds the
    // interruptions without a node too.)
    const [firstDay, lastDay] = [Math.ceil(range.from / DAY_MS) * DAY_MS, Math.floor(range.to / DAY_MS) * DAY_MS];
    const byTotals = countBefore !== null && lastDay - firstDay >= RUNNING_SPAN_DAYS.NODE * DAY_MS;
    return {
      cells: (list, after, limit) => (after === null ? firstCells.all(list.period, scope, list.start, limit) : nextCells.all(list.period, scope, list.start, ...after, limit)),
      counts: (keys) => {
        if (!byTotals) return counted(keys, range.from, range.to);
        const sums = new Map<string, number>();
        const add = (key: string, count: number) => sums.set(key, (sums.get(key) ?? 0) + count);
        for (const key of keys) add(key, countBefore('NODE', scope, key, lastDay) - countBefore('NODE', scope, key, firstDay));
        if (range.from < firstDay) for (const [key, count] of counted(keys, range.from, firstDay)) add(key, count);
        if (lastDay < range.to) for (const [key, count] of counted(keys, lastDay, range.to)) add(key, count);
        return [...sums].filter(([, count]) => count > 0);
      },
    };
  }
}
