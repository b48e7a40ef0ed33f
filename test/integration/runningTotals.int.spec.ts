// Running totals and cell summaries against a real insights file: statistics over many days answer as the rollup cells do, late and corrected interruptions included.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { openForReading, ProjectionFile } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { DAY_MS, type InterruptionGrouping } from '../../src/readmodels/insights/interruptionStats';
import { callback } from '../support/projectionSpec';

/** 2023-11-14T22:13:20Z. */
const T0 = 1_700_000_000;
const DOMAINS = ['a.example', 'b.example', 'c.example'];
const NODES = ['n1', 'n2', 'n3', 'n4'];

/** Session `i` interrupted `seconds` after T0, its fields spread over domains, nodes and errcodes. */
const interrupted = (i: number, seconds: number) =>
  callback({
    event_type: 0,
    sequence: String(5_000 + i),
    stream_id: `cam${i}`,
    app: DOMAINS[i % 3],
    node: NODES[i % 4],
    event_time: T0 + seconds,
    errcode: [1, 3, 18][i % 3],
    push_duration: String(1_000 + ((i * 7_919) % 3_600_000)),
  });

describe('running totals', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'running-totals-'));
  const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
  const insights = insightQueries(file.db);
  /**
   * A copy of the file as of a version before the running totals and cell summaries: the rollup cells alone. This version
   * writes no week cells, so the copy says it is of version 3, the last before them; it reads no five-minute cells either.
   */
  const copyOfCellsAlone = (name: string) => {
    const copy = path.join(dir, name);
    file.db.exec(`VACUUM INTO '${copy}'`);
    const older = new Database(copy);
    older.exec('DROP TABLE insight_interruption_totals; DROP TABLE insight_rollup_summaries; UPDATE read_model SET version = 3');
    return older;
  };
  afterAll(() => {
    file.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    // 400 sessions over 40 days, in time order, ten batches; then 30 arrive late, days back; then 40 are corrected, their
    // interruption moved to another day (CSS sends a later one), into days before and after ones already totalled.
    const onTime = Array.from({ length: 400 }, (_, i) => interrupted(i, Math.floor((i / 400) * 40 * 86_400)));
    const late = Array.from({ length: 30 }, (_, i) => interrupted(400 + i, (i * 97_003) % (40 * 86_400)));
    const corrected = Array.from({ length: 40 }, (_, i) => interrupted(i * 9, Math.floor((i * 9) / 400 * 40 * 86_400) + (1 + (i % 5)) * 86_400 + 1_800));
    const batches = [...Array.from({ length: 10 }, (_, b) => onTime.slice(b * 40, b * 40 + 40)), late, corrected];
    let position = 0n;
    for (const batch of batches) file.apply(batch.map((arrival) => ({ ...arrival, position: ++position, revision: position })));
  });

  const RANGES: Array<[number, number]> = [
    // From a minute that is no hour's start, over 38 days; over 3 days from midnight; over 12 days, ending mid-hour.
    [(T0 + 20 * 60) * 1000 + 34_567, (T0 + 20 * 60 + 38 * 86_400) * 1000 + 34_567],
    [Math.ceil((T0 * 1000) / DAY_MS) * DAY_MS + 5 * DAY_MS, Math.ceil((T0 * 1000) / DAY_MS) * DAY_MS + 8 * DAY_MS],
    [(T0 + 86_400 * 9 + 3_333) * 1000, (T0 + 86_400 * 21 + 100) * 1000],
  ];

  it('answers statistics over many days as the day cells do, late and corrected interruptions included', () => {
    const older = copyOfCellsAlone('cells.db');
    const cells = insightQueries(older);
    let buckets = 0;
    for (const [from, to] of RANGES) {
      for (const grouping of ['ERRCODE', 'DOMAIN', 'NODE', 'HOUR', 'DAY'] as InterruptionGrouping[]) {
        for (const domain of [null, 'a.example']) {
          const answered = insights.interruptionStats(from, to, grouping, domain);
          expect(answered).toEqual(cells.interruptionStats(from, to, grouping, domain));
          buckets += answered.length;
        }
      }
    }
    expect(buckets).toBeGreaterThan(100);
    older.close();
  });

  it('reads the whole days of a long range from the running totals, two per key', () => {
    const [from, to] = RANGES[0]!;
    const answered = insights.interruptionStats(from, to, 'NODE', null);
    expect(answered.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(
      file.db.prepare('SELECT count(*) FROM insight_sessions WHERE interrupted_at >= ? AND interrupted_at < ?').pluck().get(from, to),
    );
    // The totals are what is read: a copy whose totals of n1 after the range's first day say 100 more answers 100 more.
    const copy = path.join(dir, 'altered.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const altered = new Database(copy);
    const n1Totals = "UPDATE insight_interruption_totals SET count = count + 100 WHERE dimension = 'NODE' AND scope = '' AND key = 'n1' AND start > ?";
    expect(altered.prepare(n1Totals).run(from + DAY_MS).changes).toBeGreaterThan(0);
    const n1 = (queries: ReturnType<typeof insightQueries>) => queries.interruptionStats(from, to, 'NODE', null).find((bucket) => bucket.key === 'n1')!.count;
    expect(n1(insightQueries(altered))).toBe(n1(insights) + 100);
    altered.close();
  });

  it('reads a span of three whole days by node from its day cells, by errcode from the running totals', () => {
    const [from, to] = RANGES[1]!;
    const copy = path.join(dir, 'altered-span.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const altered = new Database(copy);
    expect(altered.prepare('UPDATE insight_interruption_totals SET count = count + 100 WHERE start > ?').run(from).changes).toBeGreaterThan(0);
    const answers = (queries: ReturnType<typeof insightQueries>, grouping: InterruptionGrouping) => queries.interruptionStats(from, to, grouping, null);
    expect(answers(insightQueries(altered), 'NODE')).toEqual(answers(insights, 'NODE'));
    const counted = (queries: ReturnType<typeof insightQueries>) => answers(queries, 'ERRCODE').reduce((sum, bucket) => sum + bucket.count, 0);
    expect(counted(insightQueries(altered))).toBeGreaterThan(counted(insights));
    altered.close();
  });

  it('ranks the nodes of a range of many whole days by their running totals, the node index read over the cut days alone', () => {
    // A connection of its own whose counts along the node index are watched: the ranges they count.
    const watched = new Database(file.db.name, { readonly: true });
    const counted: Array<[from: number, to: number]> = [];
    const prepare = watched.prepare.bind(watched);
    watched.prepare = ((sql: string) => {
      const statement = prepare(sql);
      if (!sql.includes('WHERE node IN (SELECT value FROM json_each(@nodes))')) return statement;
      const all = statement.all.bind(statement);
      statement.all = ((range: { from: number; to: number }) => {
        counted.push([range.from, range.to]);
        return all(range);
      }) as typeof statement.all;
      return statement;
    }) as typeof watched.prepare;
    const ranked = insightQueries(watched);
    // Ranked (31 days with interruptions at most, see RANKED_DAYS): twelve days ending mid-hour; twenty from a minute past the hour.
    for (const [from, to] of [RANGES[2]!, [RANGES[0]![0], RANGES[0]![0] + 20 * DAY_MS] as [number, number]]) {
      for (const domain of [null, 'a.example']) {
        for (const first of [1, 2, 3]) {
          // The nodes and counts of every node's tally (late and corrected interruptions included), its first ones.
          expect(ranked.interruptionStats(from, to, 'NODE', domain, first)).toEqual(insights.interruptionStats(from, to, 'NODE', domain).slice(0, first));
        }
      }
      expect(counted.length).toBeGreaterThan(0);
      // Each count along the index within one of the two days the range cuts: the whole days between come from the totals.
      for (const [a, b] of counted.splice(0)) {
        expect(b - a).toBeLessThan(DAY_MS);
        expect(a === from || b === to).toBe(true);
      }
    }
    watched.close();
  });

  it('counts the interruptions of a time range holding many from the rollups, as many as there are', () => {
    const counted = (queries: ReturnType<typeof insightQueries>, filter: { domain?: string; from?: number; to?: number }) =>
      queries.interruptions(filter, 0, null).totalCount();
    const inRange = (filter: { domain?: string; from?: number; to?: number }) =>
      file.db
        .prepare('SELECT count(*) FROM insight_sessions WHERE interrupted_at >= ? AND interrupted_at < ? AND coalesce(domain = ?, 1)')
        .pluck()
        .get(filter.from ?? 0, filter.to ?? Number.MAX_SAFE_INTEGER, filter.domain ?? null) as number;
    // Counted along an index up to 10 interruptions; more, from the rollups.
    const fromRollups = insightQueries(file.db, { countedAlongIndex: 10 });
    const filters = [...RANGES, [RANGES[0]![0], RANGES[0]![0] + 3_600_000] as [number, number]].flatMap(([from, to]) =>
      [undefined, 'a.example'].flatMap((domain) => [{ from, to, domain }, { from, domain }, { to, domain }]),
    );
    for (const filter of [...filters, { from: 0, to: 1 }, { from: RANGES[0]![1], to: RANGES[0]![0] }]) {
      expect(counted(fromRollups, filter)).toBe(inRange(filter));
      expect(counted(insights, filter)).toBe(inRange(filter));
    }
    // The rollups are what is read past 10: a copy whose totals within the range say 100 more answers more; one of a few does not.
    const [from, to] = RANGES[1]!;
    const copy = path.join(dir, 'altered-counts.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const altered = new Database(copy);
    expect(altered.prepare('UPDATE insight_interruption_totals SET count = count + 100 WHERE start > ?').run(from).changes).toBeGreaterThan(0);
    expect(counted(insightQueries(altered, { countedAlongIndex: 10 }), { from, to })).toBeGreaterThan(inRange({ from, to }));
    expect(counted(insightQueries(altered), { from, to })).toBe(inRange({ from, to }));
    altered.close();
  });

  it('reads the hours of a statistic by hour from the cell summaries, their histograms unread', () => {
    const [from, to] = RANGES[0]!;
    const byHour = insights.interruptionStats(from, to, 'HOUR', null);
    expect(byHour.length).toBeGreaterThan(300);
    // The summaries are what is read: a copy whose summary of one hour says otherwise answers otherwise.
    const copy = path.join(dir, 'summaries.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const altered = new Database(copy);
    const hour = Date.parse(byHour[10]!.key);
    expect(altered.prepare("UPDATE insight_rollup_summaries SET count = count + 100, p50_ms = 7 WHERE period = 'HOUR' AND scope = '' AND start = ?").run(hour).changes).toBe(1);
    const answered = insightQueries(altered).interruptionStats(from, to, 'HOUR', null);
    expect(answered[10]).toEqual({ ...byHour[10], count: byHour[10]!.count + 100, pushDurationP50Ms: 7 });
    expect(answered.filter((_, i) => i !== 10)).toEqual(byHour.filter((_, i) => i !== 10));
    altered.close();
  });

  describe('read a slice of keys a turn of the event loop at a time, as the service answers them', () => {
    /** The service's turns, counted, with what is to run between two of them (a batch projected meanwhile, say). */
    const countedTurns = () => {
      const turns = new EventLoopTurns();
      const counted = {
        taken: 0,
        between: new Map<number, () => void>(),
        run<T>(slice: () => T): Promise<T> {
          const turn = ++counted.taken;
          return turns.run(() => {
            counted.between.get(turn)?.();
            return slice();
          });
        },
      };
      return counted;
    };

    it('answers as in one read, a turn per slice of keys', async () => {
      const sliced = insightQueries(file.db, { totalKeysPerSlice: 1 });
      for (const [from, to] of RANGES) {
        for (const grouping of ['NODE', 'ERRCODE', 'DOMAIN'] as InterruptionGrouping[]) {
          for (const first of [undefined, 2]) {
            const turns = countedTurns();
            const answered = await sliced.interruptionStatsInTurns(from, to, grouping, null, first, turns);
            expect(answered).toEqual(insights.interruptionStats(from, to, grouping, null, first));
            // The first range spans 38 days of running totals: by node, each of the four nodes read in a turn of its own.
            if (from === RANGES[0]![0] && grouping === 'NODE') expect(turns.taken).toBeGreaterThan(NODES.length);
          }
        }
      }
    });

    it('reads the cells of whole periods a page per turn, answering as in one read', async () => {
      const older = copyOfCellsAlone('paged.db');
      for (const [db, expected] of [[file.db, insights], [older, insightQueries(older)]] as const) {
        const paged = insightQueries(db, { cellsPerSlice: 1 });
        for (const [from, to] of RANGES) {
          for (const grouping of ['NODE', 'ERRCODE', 'DOMAIN', 'HOUR', 'DAY'] as InterruptionGrouping[]) {
            expect(await paged.interruptionStatsInTurns(from, to, grouping, null, undefined, countedTurns())).toEqual(expected.interruptionStats(from, to, grouping, null));
          }
        }
      }
      older.close();
      // Three days by node from midnight: twelve day cells (four nodes), a turn each.
      const [from, to] = RANGES[1]!;
      const [onePerTurn, whole] = [countedTurns(), countedTurns()];
      await insightQueries(file.db, { cellsPerSlice: 1 }).interruptionStatsInTurns(from, to, 'NODE', null, undefined, onePerTurn);
      await insights.interruptionStatsInTurns(from, to, 'NODE', null, undefined, whole);
      expect(onePerTurn.taken).toBeGreaterThanOrEqual(whole.taken + 11);
    });

    it('counts a batch projected between its turns in none of its reads', async () => {
      // A copy of the file, written by the projection as the service's projector thread writes it, read on a connection of its own.
      const copy = path.join(dir, 'sliced.db');
      file.db.exec(`VACUUM INTO '${copy}'`);
      const writer = ProjectionFile.open(copy, insightsProjection);
      const reader = openForReading(copy);
      const [from, to] = RANGES[0]!;
      const before = insightQueries(reader).interruptionStats(from, to, 'NODE', null);
      // Every node's interruptions, once more, in the middle of the range: committed after the statistic's third turn.
      const again = Array.from({ length: 40 }, (_, i) => interrupted(1_000 + i, 19 * 86_400 + i * 600));
      const turns = countedTurns();
      turns.between.set(3, () => writer.apply(again.map((arrival, i) => ({ ...arrival, position: BigInt(10_000 + i), revision: BigInt(10_000 + i) }))));
      const answered = await insightQueries(reader, { totalKeysPerSlice: 1 }).interruptionStatsInTurns(from, to, 'NODE', null, undefined, turns);
      expect(turns.taken).toBeGreaterThan(3);
      expect(answered).toEqual(before);
      // The next statistic sees the batch: ten more for each node.
      const after = insightQueries(reader).interruptionStats(from, to, 'NODE', null);
      expect(after.map(({ key, count }) => [key, count])).toEqual(before.map(({ key, count }) => [key, count + 10]));
      reader.close();
      writer.close();
    });
  });

  it('still answers from a file of the version before them (answering while this one builds)', () => {
    const older = copyOfCellsAlone('v5.db');
    for (const [from, to] of RANGES) {
      for (const grouping of ['NODE', 'HOUR', 'DAY'] as InterruptionGrouping[]) {
        expect(insightQueries(older).interruptionStats(from, to, grouping, null)).toEqual(insights.interruptionStats(from, to, grouping, null));
      }
    }
    older.close();
  });
});
