// Statistics by node with `first` over a day or more or a whole hour or two, ranked from a real insights file's cells:
// the nodes and counts of every interruption counted, the answer of every node's tally, the same in turns, and from an
// older file without the indexes.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { NODE_CELL_CHANGES_KEPT } from '../../src/readmodels/insights/interruptionRollups';
import { callback } from '../support/projectionSpec';

const START = Date.UTC(2024, 2, 4);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('statistics by node ranked from the cells by count', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'busiest-nodes-'));
  const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
  const insights = insightQueries(file.db);
  /** Each interruption as projected: node ('unknown' without one), domain, instant, push duration. */
  const projected: Array<{ node: string; domain: string; at: number; duration: number }> = [];
  afterAll(() => {
    file.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    // 3,000 interruptions over two and a half days on 400 nodes, the lower-numbered busier, some without a node.
    let state = 11;
    const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const events = Array.from({ length: 3_000 }, (_, i) => {
      const nodeNumber = Math.floor(400 * next() ** 2);
      const node = nodeNumber === 7 ? null : `10.0.${Math.floor(nodeNumber / 100)}.${nodeNumber % 100}`;
      const domain = i % 3 === 0 ? 'a.example' : 'b.example';
      const at = START + Math.floor(next() * 2.5 * DAY / 1000) * 1000;
      const duration = 1_000 + Math.floor(next() * 5_000_000);
      projected.push({ node: node ?? 'unknown', domain, at, duration });
      const body = { event_type: 0, sequence: String(10_000 + i), app: domain, stream_id: `s${i % 50}`, event_time: at / 1000, errcode: 1, push_duration: String(duration), node };
      return { ...callback(node === null ? { ...body, node: undefined } : body), position: BigInt(i + 1), revision: BigInt(i + 1) };
    });
    for (let i = 0; i < events.length; i += 500) file.apply(events.slice(i, i + 500));
  });

  /** Every node counted from what was projected, by count then key. */
  const everyNode = (from: number, to: number, domain: string | null, first: number) => {
    const counts = new Map<string, number>();
    for (const row of projected) if (row.at >= from && row.at < to && (domain === null || row.domain === domain)) counts.set(row.node, (counts.get(row.node) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, first);
  };
  const ranges: Array<[string, number, number]> = [
    ['two whole days', START, START + 2 * DAY],
    ['from 22:13 to 23:29 the next day', START + 22 * HOUR + 780_000, START + DAY + 23 * HOUR + 1_740_000],
    ['a day and a half from 03:00', START + 3 * HOUR, START + 1.5 * DAY + 3 * HOUR],
    ['twenty days around them, from 13:20', START - 10 * DAY + 13.33 * HOUR, START + 10 * DAY + 13.33 * HOUR],
    ['a year around them, from 13:20', START - 200 * DAY + 13.33 * HOUR, START + 165 * DAY + 13.33 * HOUR],
    ['an hour on the hour', START + 30 * HOUR, START + 31 * HOUR],
    ['two hours on the hour across midnight', START + DAY + 23 * HOUR, START + 2 * DAY + HOUR],
    // Not ranked: the whole hours' node counts read from their index, the cut parts' interruptions one by one.
    ['three hours cut inside their hours, from 23:20', START + DAY + 23.33 * HOUR, START + DAY + 26.33 * HOUR],
    ['ten hours from 05:00', START + 5 * HOUR, START + 15 * HOUR],
  ];

  it.each(ranges)('answers the nodes and counts of every interruption counted, and what every node tallied answers, %s', (_, from, to) => {
    for (const domain of [null, 'a.example']) {
      for (const first of [1, 10, 60]) {
        const answered = insights.interruptionStats(from, to, 'NODE', domain, first);
        expect(answered.map((b) => [b.key, b.count])).toEqual(everyNode(from, to, domain, first));
        // Without `first`, every node's cells are read: the same buckets, percentiles from the same histograms.
        expect(answered).toEqual(insights.interruptionStats(from, to, 'NODE', domain).slice(0, first));
      }
    }
    expect(everyNode(from, to, null, 400).some(([key]) => key === 'unknown')).toBe(true);
  });

  it('answers the same a step per turn, in one read', async () => {
    const [, from, to] = ranges[1]!;
    const turns = { run: async <T>(slice: () => T) => slice() };
    await expect(insights.interruptionStatsInTurns(from, to, 'NODE', null, 10, turns)).resolves.toEqual(insights.interruptionStats(from, to, 'NODE', null, 10));
  });

  /**
   * Over a copy of the file in which the range's quietest node has 1,000 more interruptions in every cell (and, with
   * `totals`, in its running totals), what the top node of the range was, the quietest node, and that copy's queries.
   */
  const quietestInflated = (name: string, [from, to]: [number, number], totals: boolean) => {
    const [top, [quiet]] = [insights.interruptionStats(from, to, 'NODE', null, 1)[0]!, everyNode(from, to, null, 400).at(-1)!];
    const copy = path.join(dir, name);
    file.db.exec(`VACUUM INTO '${copy}'`);
    const altered = new Database(copy);
    altered.prepare("UPDATE insight_interruption_rollups SET count = count + 1000 WHERE dimension = 'NODE' AND key = ?").run(quiet);
    if (totals) altered.prepare("UPDATE insight_interruption_totals SET count = count + 1000 WHERE dimension = 'NODE' AND key = ?").run(quiet);
    return { top, quiet, altered, queries: insightQueries(altered) };
  };

  it('counts each node it ranks over the range itself: the cells only say which to count first', () => {
    const [, from, to] = ranges[0]!;
    // The quietest node's cells now rank it first: it is counted first, and found to have what it had.
    const { top, altered, queries } = quietestInflated('ranked.db', [from, to], false);
    expect(queries.interruptionStats(from, to, 'NODE', null, 1)).toEqual([top]);
    altered.close();
  });

  it('ranks a year over the three days that hold interruptions, not every node, each node met counted from its running totals', () => {
    const [, from, to] = ranges[4]!;
    // Cells and running totals that put the quietest node first: over whole days the ranking counts each node it meets
    // from its running totals (the cut days at the ends along the index), as every node's tally reads them.
    const { top, quiet, altered, queries } = quietestInflated('year.db', [from, to], true);
    expect(top.key).not.toBe(quiet);
    expect(queries.interruptionStats(from, to, 'NODE', null)[0]!.key).toBe(quiet);
    expect(queries.interruptionStats(from, to, 'NODE', null, 1)[0]!.key).toBe(quiet);
    altered.close();
  });

  it.each(ranges.slice(5, 7))('ranks %s from its hour cells, each node met counted over the hours themselves', (_, from, to) => {
    // Every node's hour cells would now put the quietest node first; ranked, it is counted over the hours themselves.
    const { top, quiet, altered, queries } = quietestInflated(`hours-${from}.db`, [from, to], false);
    expect(queries.interruptionStats(from, to, 'NODE', null, 1)).toEqual([top]);
    expect(queries.interruptionStats(from, to, 'NODE', null)[0]!.key).toBe(quiet);
    altered.close();
  });

  /** A copy of the file as version 14 wrote it: node cells by count, but no count of each hour's changes. */
  const version14 = (name: string) => {
    const copy = path.join(dir, name);
    file.db.exec(`VACUUM INTO '${copy}'`);
    const older = new Database(copy);
    older.exec('DROP TABLE insight_node_hour_changes; DROP TABLE insight_node_cell_changes; UPDATE read_model SET version = 14');
    return older;
  };

  it.each(ranges.slice(7))('answers %s from a file of version 14 a page of node counts per turn as in one read', async (_, from, to) => {
    const older = version14(`paged-${from}.db`);
    const paged = insightQueries(older, { cellsPerSlice: 3 });
    let taken = 0;
    const turns = { run: <T>(step: () => T) => Promise.resolve(step()).finally(() => (taken += 1)) };
    for (const first of [1, 10, 60]) {
      const expected = insights.interruptionStats(from, to, 'NODE', null).slice(0, first);
      expect(paged.interruptionStats(from, to, 'NODE', null, first)).toEqual(expected);
      expect(await paged.interruptionStatsInTurns(from, to, 'NODE', null, first, turns)).toEqual(expected);
    }
    // Each hour holds dozens of node cells: in each of the three statistics, several pages of three an hour, a turn each.
    const hours = (to - from) / HOUR;
    expect(taken).toBeGreaterThan(3 * hours);
    older.close();
  });

  it.each(ranges.slice(7))('answers %s from every node hour counts, each hour read once until it changes', async (_, from, to) => {
    const queries = insightQueries(file.db);
    let taken = 0;
    const turns = { run: <T>(step: () => T) => Promise.resolve(step()).finally(() => (taken += 1)) };
    const expected = insights.interruptionStats(from, to, 'NODE', null).slice(0, 10);
    expect(await queries.interruptionStatsInTurns(from, to, 'NODE', null, 10, turns)).toEqual(expected);
    const firstTime = taken;
    taken = 0;
    expect(await queries.interruptionStatsInTurns(from, to, 'NODE', null, 10, turns)).toEqual(expected);
    // A turn after each hour read: the second time, the hours kept are not read again, only the cut hours' parts.
    const wholeHours = Math.floor((to - from) / HOUR) - 1;
    expect(firstTime - taken).toBeGreaterThanOrEqual(wholeHours);
  });

  /** `count` sessions of one more stream interrupted on `node` a second apart from `at`, projected after the others. */
  let late = 0;
  const interruptedLate = (node: string, at: number, count: number) => {
    const events = Array.from({ length: count }, (_, i) => {
      const time = at + i * 1000;
      projected.push({ node, domain: 'b.example', at: time, duration: 60_000 });
      const body = { event_type: 0, sequence: String(90_000 + late), app: 'b.example', stream_id: 'late', event_time: time / 1000, errcode: 1, push_duration: '60000', node };
      late += 1;
      return { ...callback(node === 'unknown' ? { ...body, node: undefined } : body), position: BigInt(3_000 + late), revision: BigInt(3_000 + late) };
    });
    file.apply(events);
  };

  it('counts the hours a batch changed again, and only those: a late interruption moves its node up', () => {
    const [, from, to] = ranges[8]!;
    const queries = insightQueries(file.db);
    const before = queries.interruptionStats(from, to, 'NODE', null, 5);
    expect(before.map((b) => [b.key, b.count])).toEqual(everyNode(from, to, null, 5));
    // The quietest node of the range gets as many late interruptions, in one hour of it, as the busiest had in all.
    const quiet = everyNode(from, to, null, 400).at(-1)![0];
    interruptedLate(quiet, from + 2 * HOUR, before[0]!.count + 1);
    const after = queries.interruptionStats(from, to, 'NODE', null, 5);
    expect(after[0]!.key).toBe(quiet);
    expect(after.map((b) => [b.key, b.count])).toEqual(everyNode(from, to, null, 5));
    expect(after).toEqual(queries.interruptionStats(from, to, 'NODE', null).slice(0, 5));
  });

  it('reads every cell of a kept hour again once the changes since are no longer all listed', () => {
    const [, from, to] = ranges[8]!;
    const queries = insightQueries(file.db);
    expect(queries.interruptionStats(from, to, 'NODE', null, 5).map((b) => [b.key, b.count])).toEqual(everyNode(from, to, null, 5));
    // Two batches into one kept hour, the first making a quiet node the busiest; its listing is then gone (as it goes
    // past the changes kept), so that only every cell read again finds it.
    const hour = Math.floor(from / HOUR) * HOUR + 3 * HOUR;
    const quiet = everyNode(from, to, null, 400).at(-2)![0];
    interruptedLate(quiet, hour + 60_000, everyNode(from, to, null, 1)[0]![1] + 1);
    const firstListed = file.db.prepare<[number], number>('SELECT max(changes) FROM insight_node_cell_changes WHERE start = ?').pluck().get(hour)!;
    interruptedLate(everyNode(from, to, null, 400).at(-1)![0], hour + 900_000, 1);
    file.db.prepare('DELETE FROM insight_node_cell_changes WHERE start = ? AND changes <= ?').run(hour, firstListed);
    const answered = queries.interruptionStats(from, to, 'NODE', null, 5);
    expect(answered[0]!.key).toBe(quiet);
    expect(answered.map((b) => [b.key, b.count])).toEqual(everyNode(from, to, null, 5));
  });

  it('keeps the interruptions of an hour cut twice unchanged, and reads them again once a batch changes it', () => {
    const [, from, to] = ranges[7]!;
    const queries = insightQueries(file.db);
    // The third time, both cut hours' interruptions are kept: the same answer.
    for (let ask = 0; ask < 3; ask++) expect(queries.interruptionStats(from, to, 'NODE', null, 5).map((b) => [b.key, b.count])).toEqual(everyNode(from, to, null, 5));
    // Late interruptions of the quietest node inside the range's last, cut hour (02:00 to 02:20) move it up.
    const quiet = everyNode(from, to, null, 400).at(-1)![0];
    interruptedLate(quiet, Math.floor(to / HOUR) * HOUR + 600_000, everyNode(from, to, null, 1)[0]![1] + 1);
    const after = queries.interruptionStats(from, to, 'NODE', null, 5);
    expect(after[0]!.key).toBe(quiet);
    expect(after.map((b) => [b.key, b.count])).toEqual(everyNode(from, to, null, 5));
  });

  it('lists the cells of the latest changes of the latest hours written to, and no more', () => {
    const listedHours = () => file.db.prepare<[], number>('SELECT DISTINCT start FROM insight_node_cell_changes ORDER BY start').pluck().all();
    const latest = Math.max(...listedHours());
    // A batch three hours later: the hours before the two hours ahead of it are no longer listed.
    interruptedLate('10.0.9.9', latest + 3 * HOUR, 1);
    expect(listedHours()).toEqual([latest + 3 * HOUR]);
    // Each batch into that hour is a change of it; past NODE_CELL_CHANGES_KEPT, the oldest go.
    for (let batch = 0; batch < NODE_CELL_CHANGES_KEPT + 5; batch++) interruptedLate('10.0.9.9', latest + 3 * HOUR + 1000 * (batch + 1), 1);
    const [oldest, newest, rows] = file.db.prepare<[], [number, number, number]>('SELECT min(changes), max(changes), count(*) FROM insight_node_cell_changes').raw().get()!;
    expect([newest - oldest + 1, rows]).toEqual([NODE_CELL_CHANGES_KEPT, NODE_CELL_CHANGES_KEPT]);
    expect(file.db.prepare('SELECT keys FROM insight_node_cell_changes WHERE changes = ?').pluck().get(newest)).toBe('["10.0.9.9"]');
  });

  it('tallies every node from a file of the version before the ranking indexes (answering while this one builds)', () => {
    const [, from, to] = ranges[0]!;
    const copy = path.join(dir, 'v13.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const older = new Database(copy);
    older.exec('DROP INDEX insight_node_cells_by_count; DROP INDEX insight_interruptions_by_node; UPDATE read_model SET version = 13');
    const answered = insightQueries(older).interruptionStats(from, to, 'NODE', null, 10);
    expect(answered).toEqual(insights.interruptionStats(from, to, 'NODE', null).slice(0, 10));
    expect(answered.map((b) => [b.key, b.count])).toEqual(everyNode(from, to, null, 10));
    older.close();
  });
});
