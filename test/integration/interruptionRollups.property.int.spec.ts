// Five-minute, hourly and daily rollups and running totals against a real insights file: after any sequence of pushes, interruptions, corrections and repeats, in any
// batches, the rollups answer what every interruption read one by one answers (counts exactly, percentiles within 1 %).
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { PERCENTILE_RELATIVE_ERROR } from '../../src/readmodels/insights/durationHistogram';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { DAY_MS, interruptionKey, InterruptionTally, type InterruptionFacts, type InterruptionGrouping } from '../../src/readmodels/insights/interruptionStats';
import { nearestRank } from '../../src/readmodels/insights/percentiles';
import { callback } from '../support/projectionSpec';

/** 2023-11-14T22:13:20Z, a Tuesday: sessions run over midnight, so days and hours both have edges, and over weeks. */
const T0 = 1_700_000_000;
const GROUPINGS: InterruptionGrouping[] = ['ERRCODE', 'DOMAIN', 'NODE', 'HOUR', 'DAY'];
const DOMAINS = ['a.example', 'b.example', undefined];
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05, the first Monday of the epoch: UTC weeks begin on Mondays. */
const MONDAY = 4 * DAY_MS;

/** One callback of a session: its push, or an interruption (a later one replaces an earlier one as its end). */
const sessionCallback = fc.record({
  session: fc.integer({ min: 0, max: 11 }),
  interrupted: fc.boolean(),
  // Most within three days, so that hours and days fill up; some over three weeks, so that weeks do.
  seconds: fc.oneof(fc.integer({ min: 0, max: 3 * 86_400 }), fc.integer({ min: 0, max: 24 * 86_400 })),
  domain: fc.constantFrom(...DOMAINS),
  node: fc.constantFrom('n1', 'n2', undefined),
  errcode: fc.constantFrom(1, 3, 18),
  pushDurationMs: fc.option(fc.integer({ min: 1_000, max: 10_800_000 }), { nil: undefined }),
});
type SessionCallback = typeof sessionCallback extends fc.Arbitrary<infer T> ? T : never;

const bodyOf = (c: SessionCallback) => ({
  event_type: c.interrupted ? 0 : 1,
  sequence: String(9_000 + c.session),
  stream_id: `cam${c.session}`,
  appname: 'live',
  event_time: T0 + c.seconds,
  ...(c.domain === undefined ? {} : { app: c.domain }),
  ...(c.node === undefined ? {} : { node: c.node }),
  ...(c.interrupted ? { errcode: c.errcode, ...(c.pushDurationMs === undefined ? {} : { push_duration: String(c.pushDurationMs) }) } : {}),
});

/** What a full read of the interruptions answers: exact nearest ranks over every one in the range. */
function scanned(rows: InterruptionFacts[], from: number, to: number, grouping: InterruptionGrouping, domain: string | null) {
  const groups = new Map<string, { count: number; durations: number[] }>();
  for (const row of rows) {
    if (row[0] < from || row[0] >= to || (domain !== null && row[3] !== domain)) continue;
    const key = interruptionKey(grouping, row);
    const group = groups.get(key) ?? { count: 0, durations: [] };
    groups.set(key, group);
    group.count++;
    if (row[5] !== null) group.durations.push(row[5]);
  }
  return new Map([...groups].map(([key, { count, durations }]) => {
    const sorted = Float64Array.from(durations).sort();
    return [key, { count, p50: nearestRank(sorted, 50), p90: nearestRank(sorted, 90) }];
  }));
}

const close = (answer: number | null, exact: number | null) =>
  exact === null ? answer === null : answer !== null && Math.abs(answer - exact) <= PERCENTILE_RELATIVE_ERROR * Math.abs(exact);

describe('interruption rollups', () => {
  it('answer as a read of every interruption does, whatever the events, their corrections and batches', () => {
    const range = fc.tuple(
      fc.integer({ min: -3_600, max: 3 * 86_400 + 3_600 }),
      fc.oneof(fc.integer({ min: 1, max: 3 * 86_400 }), fc.integer({ min: 7 * 86_400, max: 24 * 86_400 })),
    );
    fc.assert(
      fc.property(
        // Enough callbacks that sessions are corrected across batches, and so taken back from cells of every period.
        fc.array(sessionCallback, { minLength: 1, maxLength: 60, size: 'medium' }),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 10 }),
        fc.array(range, { minLength: 1, maxLength: 4 }),
        (callbacks, batchSizes, ranges) => {
          const dir = mkdtempSync(path.join(os.tmpdir(), 'interruption-rollups-'));
          let file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
          try {
            // Some callbacks reach the log twice.
            const arrivals = callbacks.flatMap((c, i) => (i % 7 === 3 ? [c, c] : [c])).map((c) => callback(bodyOf(c)));
            let position = 0n;
            for (let at = 0, b = 0; at < arrivals.length; b++) {
              const size = batchSizes[b % batchSizes.length]!;
              file.apply(arrivals.slice(at, at + size).map((arrival) => ({ ...arrival, position: ++position, revision: position })));
              at += size;
              // Now and then opened again, as a restart does: the cells it kept in memory are gone, those on file remain.
              if (b % 3 === 2) {
                file.close();
                file = ProjectionFile.open(file.file, insightsProjection);
              }
            }
            const rows = file.db
              .prepare('SELECT interrupted_at, errcode, sub_errcode, domain, node, push_duration_ms FROM insight_sessions WHERE interrupted_at IS NOT NULL')
              .raw()
              .all() as InterruptionFacts[];
            const insights = insightQueries(file.db);
            for (const [start, seconds] of ranges) {
              const [from, to] = [(T0 + start) * 1000 + 1_234, (T0 + start + seconds) * 1000];
              for (const grouping of GROUPINGS) {
                for (const domain of [null, 'a.example']) {
                  const exact = scanned(rows, from, to, grouping, domain);
                  const answered = insights.interruptionStats(from, to, grouping, domain);
                  expect(answered.map((b) => [b.key, b.count]).sort()).toEqual([...exact].map(([key, b]) => [key, b.count]).sort());
                  for (const bucket of answered) {
                    const { p50, p90 } = exact.get(bucket.key)!;
                    if (!close(bucket.pushDurationP50Ms, p50) || !close(bucket.pushDurationP90Ms, p90)) {
                      throw new Error(`${grouping} ${domain} ${bucket.key}: ${bucket.pushDurationP50Ms}/${bucket.pushDurationP90Ms}, read one by one ${p50}/${p90}`);
                    }
                  }
                  // The first few alone (their cells counted first, histograms read for them only) as in the whole answer;
                  // a failure names the statistic and the plan of its range.
                  const asked = { grouping, domain, from, to, plan: insights.statsPlan(from, to, grouping, domain) };
                  expect({ ...asked, buckets: insights.interruptionStats(from, to, grouping, domain, 2) }).toEqual({ ...asked, buckets: answered.slice(0, 2) });
                  // Whole days, from the rollups alone.
                  const [first, last] = [Math.ceil(from / DAY_MS) * DAY_MS, Math.floor(to / DAY_MS) * DAY_MS];
                  if (first >= last) continue;
                  const tally = new InterruptionTally(grouping);
                  const plan = insights.statsPlan(first, last, grouping, domain);
                  expect(plan.scanned).toEqual([]);
                  const rolled = insights.bucketsOf(tally, plan, domain).map((b) => [b.key, b.count]).sort();
                  expect(rolled).toEqual([...scanned(rows, first, last, grouping, domain)].map(([key, b]) => [key, b.count]).sort());
                  // Whole weeks, from the day cells alone (read as running totals: a file of this version has no week cells).
                  const monday = Math.ceil((first - MONDAY) / WEEK_MS) * WEEK_MS + MONDAY;
                  const lastMonday = Math.floor((last - MONDAY) / WEEK_MS) * WEEK_MS + MONDAY;
                  if (monday >= lastMonday || grouping === 'HOUR' || grouping === 'DAY') continue;
                  const weeks = insights.statsPlan(monday, lastMonday, grouping, domain);
                  expect(weeks).toEqual({ scanned: [], rolled: [{ period: 'DAY', from: monday, to: lastMonday }], takenBack: [] });
                  const weekTally = new InterruptionTally(grouping);
                  const weekRolled = insights.bucketsOf(weekTally, weeks, domain).map((b) => [b.key, b.count]).sort();
                  expect(weekRolled).toEqual([...scanned(rows, monday, lastMonday, grouping, domain)].map(([key, b]) => [key, b.count]).sort());
                }
              }
            }
          } finally {
            file.close();
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
