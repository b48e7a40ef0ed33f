// Interruption statistics timed in-process on an existing insights file: the ranges the query benchmark asks, and others.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/statisticsTimes.js <insights file> [runs, default 200] [label contains]
//
// The file is opened read-only (a service may be serving it). Ranges start at the file's first interruption. To compare two
// versions of the code on the same file, run this from a checkout of each, alternately; each prints its answers' digest.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { insightQueries } from '../src/readmodels/insights/insights.queries';
import type { InterruptionGrouping } from '../src/readmodels/insights/interruptionStats';

const FILE = process.argv[2];
const RUNS = Number(process.argv[3] ?? 200);
const ONLY = process.argv[4];
const HOUR_MS = 3_600_000;
if (FILE === undefined) throw new Error('usage: statisticsTimes.js <insights file> [runs] [label contains]');

const db = new Database(FILE, { readonly: true, fileMustExist: true });
const insights = insightQueries(db);
const [first, last] = db.prepare('SELECT min(interrupted_at), max(interrupted_at) FROM insight_sessions WHERE interrupted_at IS NOT NULL').raw().get() as [number, number];
// The first whole hour after the first interruption, 5 h in: whole hours by node are ranked from their cells.
const wholeHour = Math.ceil(first / HOUR_MS) * HOUR_MS + 5 * HOUR_MS;
const cases: Array<[label: string, from: number, to: number, grouping: InterruptionGrouping, first?: number]> = [
  ['ERRCODE, the whole file', first, last + 1, 'ERRCODE'],
  ['DOMAIN, the first hour', first, first + HOUR_MS, 'DOMAIN'],
  ['ERRCODE, an hour cutting two, 5 h 20 min in', first + 5 * HOUR_MS + 1_200_000, first + 6 * HOUR_MS + 1_200_000, 'ERRCODE'],
  ['NODE, the first hour', first, first + HOUR_MS, 'NODE'],
  ['NODE, the first hour, first 20', first, first + HOUR_MS, 'NODE', 20],
  ['NODE, the whole file, first 20', first, last + 1, 'NODE', 20],
  ['NODE, the whole file, first 100', first, last + 1, 'NODE', 100],
  ['NODE, the first 24 hours, first 20', first, first + 24 * HOUR_MS, 'NODE', 20],
  ['NODE, a whole hour 5 h in, first 20', wholeHour, wholeHour + HOUR_MS, 'NODE', 20],
  ['NODE, two whole hours 5 h in, first 100', wholeHour, wholeHour + 2 * HOUR_MS, 'NODE', 100],
  ['NODE, three whole hours 5 h in, first 20', wholeHour, wholeHour + 3 * HOUR_MS, 'NODE', 20],
  ['NODE, six hours from 5 h 20 min in, first 20', first + 5 * HOUR_MS + 1_200_000, first + 11 * HOUR_MS + 1_200_000, 'NODE', 20],
  ['NODE, twelve hours from 5 h 20 min in, first 20', first + 5 * HOUR_MS + 1_200_000, first + 17 * HOUR_MS + 1_200_000, 'NODE', 20],
  ['HOUR, the whole file', first, last + 1, 'HOUR'],
  ['ERRCODE, the whole file, first 10', first, last + 1, 'ERRCODE', 10],
  ['ERRCODE, the whole file, first 100', first, last + 1, 'ERRCODE', 100],
  ['ERRCODE, an hour cutting two, first 100', first + 5 * HOUR_MS + 1_200_000, first + 6 * HOUR_MS + 1_200_000, 'ERRCODE', 100],
  ['HOUR, the whole file, first 100', first, last + 1, 'HOUR', 100],
];
const digest = createHash('sha256');
// The first ask reads what later ones may find kept in memory (every node's hour counts) or in SQLite's page cache.
process.stdout.write('| statistic | first ms | p50 ms | p99 ms | buckets |\n| --- | ---: | ---: | ---: | ---: |\n');
for (const [label, from, to, grouping, firstBuckets] of cases) {
  if (ONLY !== undefined && !label.includes(ONLY)) continue;
  const ask = () => insights.interruptionStats(from, to, grouping, null, firstBuckets);
  const firstStarted = performance.now();
  const answer = ask();
  const firstMs = (performance.now() - firstStarted).toFixed(2);
  digest.update(JSON.stringify(answer));
  for (let i = 0; i < Math.min(20, RUNS); i++) ask();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    ask();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(RUNS - 1, Math.floor((RUNS * p) / 100))]!.toFixed(2);
  process.stdout.write(`| ${label} | ${firstMs} | ${at(50)} | ${at(99)} | ${answer.length} |\n`);
}
process.stdout.write(`answers' digest: ${digest.digest('hex').slice(0, 16)}\n`);
db.close();
