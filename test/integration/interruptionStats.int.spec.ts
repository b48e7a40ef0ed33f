// Interruption statistics read a slice at a time from a real insights file: the same buckets as at once, whatever the slice size.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { insightSessionsTable, interruptionRollupsTable } from '../../src/readmodels/insights/insights.table';
import { DurationHistogram } from '../../src/readmodels/insights/durationHistogram';
import { InterruptionTally, type InterruptionGrouping } from '../../src/readmodels/insights/interruptionStats';
import { callback } from '../support/projectionSpec';

describe('interruption statistics by slices', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'interruption-stats-'));
  const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
  const insights = insightQueries(file.db);
  afterAll(() => {
    file.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    // Twelve interruptions at five instants (three at the first, four at the last), on two domains.
    const seconds = [100, 100, 100, 200, 300, 300, 400, 500, 500, 500, 500, 600];
    const events = seconds.map((s, i) => ({
      ...callback({ event_type: 0, sequence: String(1000 + i), app: i % 2 === 0 ? 'a.example' : 'b.example', stream_id: `s${i}`, event_time: 1_700_000_000 + s, errcode: 1 + (i % 3), push_duration: String(1000 * (i + 1)) }),
      position: BigInt(i + 1),
      revision: BigInt(i + 1),
    }));
    file.apply(events);
  });

  const sliced = (limit: number, domain: string | null) => {
    const tally = new InterruptionTally('ERRCODE');
    let slices = 0;
    for (let next: number | null = 0; next !== null && slices < 100; slices++) next = insights.tallyInterruptions(tally, next, 2_000_000_000_000, domain, limit);
    return tally.buckets();
  };

  it.each([1, 2, 3, 5, 50_000])('gives the same buckets with slices of %d', (limit) => {
    const whole = insights.interruptionStats(0, 2_000_000_000_000, 'ERRCODE', null);
    expect(whole.reduce((sum, b) => sum + b.count, 0)).toBe(12);
    expect(sliced(limit, null)).toEqual(whole);
    expect(sliced(limit, 'a.example')).toEqual(insights.interruptionStats(0, 2_000_000_000_000, 'ERRCODE', 'a.example'));
  });

  it('reads every interruption from a file of the version before the rollups (answering while this one builds)', () => {
    const whole = insights.interruptionStats(0, 2_000_000_000_000, 'NODE', null);
    const older = new Database(':memory:');
    for (const table of insightsProjection.tables) if (table !== interruptionRollupsTable) older.exec(table.ddl());
    const columns = insightSessionsTable.keys.map((key) => insightSessionsTable.column(key)).join(', ');
    const copy = older.prepare(`INSERT INTO insight_sessions (${columns}) VALUES (${insightSessionsTable.keys.map(() => '?').join(', ')})`);
    for (const row of file.db.prepare(`SELECT ${columns} FROM insight_sessions`).raw().all() as unknown[][]) copy.run(row);
    expect(insightQueries(older).interruptionStats(0, 2_000_000_000_000, 'NODE', null)).toEqual(whole);
    older.close();
  });

  it('reads whole days at most from a file of the version before the week cells (answering while this one builds)', () => {
    const whole = insights.interruptionStats(0, 2_000_000_000_000, 'NODE', null);
    const copy = path.join(dir, 'v3.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const older = new Database(copy);
    older.exec("DELETE FROM insight_interruption_rollups WHERE period = 'WEEK'; UPDATE read_model SET version = 3");
    expect(insightQueries(older).statsPlan(0, 2_000_000_000_000, 'NODE', null).rolled.map((r) => r.period)).not.toContain('WEEK');
    expect(insightQueries(older).interruptionStats(0, 2_000_000_000_000, 'NODE', null)).toEqual(whole);
    older.close();
  });

  it('keeps each cell with the percentiles its histogram answers', () => {
    type Cell = { p50: number | null; p90: number | null; histogram: Buffer };
    const cells = file.db.prepare('SELECT p50_ms AS p50, p90_ms AS p90, histogram FROM insight_interruption_rollups').all() as Cell[];
    expect(cells.length).toBeGreaterThan(0);
    for (const { p50, p90, histogram } of cells) {
      const decoded = new DurationHistogram();
      decoded.addEncoded(histogram);
      expect([p50, p90]).toEqual([decoded.percentile(50), decoded.percentile(90)]);
    }
  });

  it("answers a bucket that is one whole cell from the cell's percentiles, its histogram unread", () => {
    const whole = (grouping: InterruptionGrouping) => insights.interruptionStats(1_699_999_200_000, 1_700_002_800_000, grouping, null);
    const [byHour, byDay] = [whole('HOUR'), whole('DAY')];
    expect(byHour).toEqual([{ key: '2023-11-14T22:00:00.000Z', count: 12, pushDurationP50Ms: 6000, pushDurationP90Ms: 11000 }]);
    const copy = path.join(dir, 'unread.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const unread = new Database(copy);
    unread.exec("UPDATE insight_interruption_rollups SET histogram = x'' WHERE period = 'HOUR'");
    expect(insightQueries(unread).interruptionStats(1_699_999_200_000, 1_700_002_800_000, 'HOUR', null)).toEqual(byHour);
    expect(insightQueries(unread).interruptionStats(1_699_999_200_000, 1_700_002_800_000, 'DAY', null)).toEqual(byDay);
    unread.close();
  });

  it('merges the histograms of a file of the version before the cells kept their percentiles (answering while this one builds)', () => {
    const copy = path.join(dir, 'v4.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const older = new Database(copy);
    older.exec('ALTER TABLE insight_interruption_rollups DROP COLUMN p50_ms; ALTER TABLE insight_interruption_rollups DROP COLUMN p90_ms; UPDATE read_model SET version = 4');
    const hour = [1_699_999_200_000, 1_700_002_800_000] as const;
    for (const grouping of ['HOUR', 'DAY', 'NODE'] as const) {
      expect(insightQueries(older).interruptionStats(...hour, grouping, null)).toEqual(insights.interruptionStats(...hour, grouping, null));
    }
    older.close();
  });

  it('answers most of an hour from its cell, less the interruptions of it before the range', () => {
    // 22:17 to 23:17: the hour from 22:00 less 22:00 to 22:17 (four interruptions, at 22:15:00 and 22:16:40), then 23:00 to 23:17.
    const range = [Date.UTC(2023, 10, 14, 22, 17), Date.UTC(2023, 10, 14, 23, 17)] as const;
    expect(insights.interruptionStats(...range, 'ERRCODE', null)).toEqual([
      { key: '2:0', count: 3, pushDurationP50Ms: 8000, pushDurationP90Ms: 11000 },
      { key: '3:0', count: 3, pushDurationP50Ms: 9000, pushDurationP90Ms: 12000 },
      { key: '1:0', count: 2, pushDurationP50Ms: 7000, pushDurationP90Ms: 10000 },
    ]);
    // The hour's cells are what is read: a copy whose cells say otherwise answers otherwise.
    const copy = path.join(dir, 'cells.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const altered = new Database(copy);
    altered.exec("UPDATE insight_interruption_rollups SET count = count + 100 WHERE period = 'HOUR' AND dimension = 'ERRCODE' AND key = '1:0'");
    expect(insightQueries(altered).interruptionStats(...range, 'ERRCODE', null).find((b) => b.key === '1:0')?.count).toBe(102);
    altered.close();
  });

  it('answers a few minutes from their five-minute cell when the rest of it holds fewer interruptions (a range ending after the last)', () => {
    // 22:21:30 to 22:23:30: 2 minutes inside hold five interruptions (22:21:40, 22:23:20); the 3 outside, one (22:20:00).
    const range = [Date.UTC(2023, 10, 14, 22, 21, 30), Date.UTC(2023, 10, 14, 22, 23, 30)] as const;
    const cell = Date.UTC(2023, 10, 14, 22, 20);
    expect(insights.statsPlan(...range, 'ERRCODE', null)).toEqual({
      scanned: [],
      rolled: [{ period: 'FIVE_MINUTES', from: cell, to: cell + 300_000 }],
      takenBack: [],
      scannedBack: [
        [cell, range[0]],
        [range[1], cell + 300_000],
      ],
    });
    const oneByOne = new InterruptionTally('ERRCODE');
    insights.tallyInterruptions(oneByOne, ...range, null, 50_000);
    const answered = insights.interruptionStats(...range, 'ERRCODE', null);
    expect(answered.map((b) => [b.key, b.count])).toEqual(oneByOne.buckets().map((b) => [b.key, b.count]));
    expect(answered.reduce((sum, b) => sum + b.count, 0)).toBe(5);
    // Where the rest holds more (22:15:30 to 22:17: one inside, five outside), the one is read one by one.
    const short = [Date.UTC(2023, 10, 14, 22, 15, 30), Date.UTC(2023, 10, 14, 22, 17)] as const;
    expect(insights.statsPlan(...short, 'ERRCODE', null)).toEqual({ scanned: [[...short]], rolled: [], takenBack: [] });
  });

  it('reads partial hours one by one from a file of the version before the five-minute cells (answering while this one builds)', () => {
    // 22:20 to 22:25: one five-minute cell, where the hour's cell would be read less seven interruptions outside.
    const range = [Date.UTC(2023, 10, 14, 22, 20), Date.UTC(2023, 10, 14, 22, 25)] as const;
    const copy = path.join(dir, 'v6.db');
    file.db.exec(`VACUUM INTO '${copy}'`);
    const older = new Database(copy);
    older.exec("DELETE FROM insight_interruption_rollups WHERE period = 'FIVE_MINUTES'; UPDATE read_model SET version = 6");
    const periods = (plan: { rolled: Array<{ period: string }>; takenBack: Array<{ period: string }> }) => [...plan.rolled, ...plan.takenBack].map((r) => r.period);
    expect(insights.statsPlan(...range, 'DOMAIN', null)).toEqual({ scanned: [], rolled: [{ period: 'FIVE_MINUTES', from: range[0], to: range[1] }], takenBack: [] });
    expect(periods(insightQueries(older).statsPlan(...range, 'DOMAIN', null))).not.toContain('FIVE_MINUTES');
    for (const grouping of ['DOMAIN', 'ERRCODE', 'HOUR'] as const) {
      expect(insightQueries(older).interruptionStats(...range, grouping, null)).toEqual(insights.interruptionStats(...range, grouping, null));
    }
    older.close();
  });

  it('keeps to the range, to excluded', () => {
    const buckets = insights.interruptionStats(1_700_000_100_000, 1_700_000_500_000, 'DAY', null);
    expect(buckets).toEqual([{ key: '2023-11-14', count: 7, pushDurationP50Ms: 4000, pushDurationP90Ms: 7000 }]);
  });
});
