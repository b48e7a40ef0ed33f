// Relay exit statistics against a real insights file: ranges cut anywhere answer as counting the exits does, from the rollup cells where whole periods allow.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { relayCallback } from '../support/callbackBodies';
import { callback } from '../support/projectionSpec';

/** 2023-11-14T22:13:20Z. */
const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const CODES = [0, -1, -5, -22, null];

/** Exit `i` of task `task-i`, `ms` after T0, with one of five codes (the fifth: none). */
const exited = (i: number, ms: number) => {
  const code = CODES[i % CODES.length];
  const msg = JSON.stringify({ ...(code === null ? {} : { code }), message: 'x', task_exit_time: T0 + ms });
  return callback(relayCallback('TaskExit', { task_id: `task-${i}`, source_urls: '["http://vod.example/0.mp4"]\n', to_url: 'rtmp://push.example.com/live/r', msg }));
};

describe('relay exit statistics', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relay-exits-'));
  const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
  const insights = insightQueries(file.db);
  /** What counting the stored exits in [from, to) answers. */
  const counted = (from: number, to: number) =>
    file.db
      .prepare('SELECT exit_code AS exitCode, count(*) AS count FROM insight_relay_exits WHERE exited_at >= ? AND exited_at < ? GROUP BY exit_code ORDER BY count DESC, exit_code')
      .all(from, to);
  const copyOf = (name: string, change: string) => {
    const copy = path.join(dir, name);
    file.db.exec(`VACUUM INTO '${copy}'`);
    const changed = new Database(copy);
    changed.exec(change);
    return changed;
  };
  afterAll(() => {
    file.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    // 1,200 exits over five days in ten batches, then 40 of them again (a repeat in the log: not counted twice) and 60 late
    // ones, days back.
    const times = Array.from({ length: 1_200 }, (_, i) => Math.floor((((i * 7_919) % 1_200) / 1_200) * 5 * DAY) + ((i * 104_729) % 7_200_000));
    const exits = times.map((ms, i) => exited(i, ms));
    const batches = [...Array.from({ length: 10 }, (_, b) => exits.slice(b * 120, b * 120 + 120)), exits.slice(300, 340), Array.from({ length: 60 }, (_, i) => exited(1_200 + i, (i * 97_003_001) % (5 * DAY)))];
    let position = 0n;
    for (const batch of batches) file.apply(batch.map((arrival) => ({ ...arrival, position: ++position, revision: position })));
  });

  it('answers any range as counting its exits does, most frequent first, an exit without a code included', () => {
    expect(file.db.prepare('SELECT count(*) FROM insight_relay_exits').pluck().get()).toBe(1_260);
    // Cut at whole days, hours and five minutes, at odd milliseconds, within one five minutes, open at either end, and empty.
    const cuts = [0, DAY, 2 * DAY + 3_600_000, 2 * DAY + 3_600_000 + 300_000, 37_123, 3 * DAY - 1, 4 * DAY + 13 * 3_600_000 + 61_001, 5 * DAY + 7_200_000];
    const ranges: Array<[number, number]> = [[-DAY, 10 * DAY], [-1e15, 1e15], [DAY + 60_000, DAY + 120_000], [3 * DAY, 3 * DAY]];
    for (const a of cuts) for (const b of cuts) if (a <= b) ranges.push([a, b]);
    for (let i = 0; i < 40; i++) ranges.push([(i * 15_485_863) % (5 * DAY), (i * 15_485_863) % (5 * DAY) + ((i * 32_452_843) % (3 * DAY))]);
    for (const [a, b] of ranges) expect(insights.relayExitStats(T0 + a, T0 + b)).toEqual(counted(T0 + a, T0 + b));
    expect(insights.relayExitStats(T0, T0 + 5 * DAY + 7_200_000).map((bucket) => bucket.exitCode)).toContain(null);
  });

  it('reads whole days from their cells; a file without cells counts every exit', () => {
    const [from, to] = [T0 + DAY + 1_000, T0 + 4 * DAY - 1_000];
    // The cells of 2023-11-16, a whole day within the range, say 100 more exits of each code: so does the answer.
    const altered = copyOf('altered.db', `UPDATE insight_relay_exit_rollups SET count = count + 100 WHERE period = 'DAY' AND start = ${Date.UTC(2023, 10, 16)}`);
    expect(insightQueries(altered).relayExitStats(from, to)).toEqual(
      counted(from, to).map((bucket: any) => ({ ...bucket, count: bucket.count + 100 })).sort((x: any, y: any) => y.count - x.count || (x.exitCode ?? -1e9) - (y.exitCode ?? -1e9)),
    );
    altered.close();
    // A file of the version before the cells (answering while this one builds) counts the exits themselves.
    const older = copyOf('older.db', 'DROP TABLE insight_relay_exit_rollups; UPDATE read_model SET version = 11');
    expect(insightQueries(older).relayExitStats(from, to)).toEqual(counted(from, to));
    older.close();
  });
});
