// Insight statistics at scale, measured on their own: a million interrupted sessions projected into an insights file by its
// own projection (as a rebuild would, query indexes made at the end), then the statistics and views timed on that file.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/insightsStats.js [sessions] [days]
//
// BENCH_INSIGHTS_FILE=<path> keeps the projected file there and, when it exists, queries it without projecting again
// (the same sessions and days are then the caller's to keep).
import fs from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { parseCallbackBody } from '../src/domain/callbackJson';
import { interpretCallback } from '../src/domain/interpretCallback';
import type { RecordedEvent } from '../src/eventstore/eventStore';
import { storedCallback } from '../src/ingest/storedCallback';
import { ProjectionFile } from '../src/processing/readModelFile';
import { insightsProjection } from '../src/readmodels/insights/insights.projection';
import { insightQueries } from '../src/readmodels/insights/insights.queries';
import { seededRandom } from '../src/simulation/callbackTraffic';

const SESSIONS = Number(process.argv[2] ?? 1_000_000);
const DAYS = Number(process.argv[3] ?? 30);
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2024, 4, 1);
const ERRCODES: Array<[number, number]> = [[1, 0], [3, 0], [12, 0], [8, 0], [5, 0], [18, 501], [18, 400], [21, 102], [16, 0], [24, 0]];
const log = (line: string) => process.stdout.write(`${line}\n`);
const random = seededRandom(17);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

let position = 0n;
function recorded(body: Record<string, unknown>): RecordedEvent {
  const raw = JSON.stringify(body);
  const parsed = parseCallbackBody(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  const event = storedCallback(interpretCallback(parsed.payload, raw), { receivedAt: new Date(T0).toISOString(), authenticatedBy: 'none' });
  position++;
  return { id: event.id, type: event.type, stream: `session-${body.sequence as string}`, data: event.data, metadata: event.metadata ?? {}, recordedAt: new Date(T0), position, revision: position };
}

function* sessionEvents(): Generator<RecordedEvent> {
  // In the order they began, as the log holds them: a batch covers a few minutes, as it does live.
  for (let i = 0; i < SESSIONS; i++) {
    const pushedAt = Math.floor((T0 + ((i + random()) / SESSIONS) * DAYS * DAY_MS) / 1000);
    const seconds = 30 + Math.floor(random() * 7200);
    const [errcode, sub] = pick(ERRCODES);
    const common = { sequence: `77${String(i).padStart(16, '0')}`, app: `push${1 + Math.floor(random() * 30)}.example.com`, appname: 'live', stream_id: `stream_${Math.floor(random() * (SESSIONS / 10))}`, node: `10.0.${Math.floor(random() * 50)}.1` };
    yield recorded({ ...common, event_type: 1, event_time: pushedAt });
    // Nineteen in twenty sessions have ended.
    if (random() < 0.95) yield recorded({ ...common, event_type: 0, event_time: pushedAt + seconds, errcode, sub_errcode: sub, push_duration: String(seconds * 1000) });
  }
}

/** Runs `work` at least `runs` times and on until `forMs` have passed (at most 200 runs); the median and the 99th percentile. */
function timed<T>(label: string, runs: number, work: () => T, forMs = 0): T {
  let result!: T;
  const times: number[] = [];
  const began = performance.now();
  while (times.length < runs || (performance.now() - began < forMs && times.length < 200)) {
    const started = performance.now();
    result = work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const rank = (p: number) => times[Math.max(0, Math.ceil((p / 100) * times.length) - 1)]!.toFixed(1);
  log(`| ${label} | ${rank(50)} ms | ${rank(99)} ms | ${times.length} |`);
  return result;
}

/** Projects the sessions into a new insights file in `dir`; its path. */
function project(dir: string): string {
  const file = ProjectionFile.create(dir, insightsProjection, 1, 'building');
  const started = performance.now();
  let batch: RecordedEvent[] = [];
  let events = 0;
  for (const event of sessionEvents()) {
    batch.push(event);
    if (batch.length === 5000) {
      file.apply(batch);
      events += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) file.apply(batch);
  events += batch.length;
  const projected = (performance.now() - started) / 1000;
  file.createQueryIndexes();
  const indexed = (performance.now() - started) / 1000 - projected;
  log(`${SESSIONS} sessions, ${events} events generated, interpreted and projected in ${projected.toFixed(1)} s; query indexes in ${indexed.toFixed(1)} s; file ${(fs.statSync(file.file).size / 1e6).toFixed(0)} MB`);
  file.close();
  return file.file;
}

const kept = process.env.BENCH_INSIGHTS_FILE;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-stats-'));
try {
  let projected: string;
  if (kept !== undefined && fs.existsSync(kept)) {
    projected = kept;
    log(`${kept}: queried as it is (BENCH_INSIGHTS_FILE)`);
  } else {
    projected = project(dir);
    if (kept !== undefined) for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(projected + suffix)) fs.copyFileSync(projected + suffix, kept + suffix);
  }
  const db = new Database(projected);
  const insights = insightQueries(db);
  const whole = [T0, T0 + (DAYS + 1) * DAY_MS] as const;
  const day = [T0 + 10 * 86_400_000, T0 + 11 * 86_400_000] as const;
  const hour = [T0 + 10 * 86_400_000, T0 + 10 * 86_400_000 + 3_600_000] as const;
  log('| query | p50 | p99 | runs |\n| --- | ---: | ---: | ---: |');
  // Ranges as operators ask them: from a minute that is no hour's start, so both ends cut an hour.
  const offset = 20 * 60_000 + 34_567;
  for (const days of [30, 90]) {
    const range = [T0 + offset, T0 + offset + days * DAY_MS] as const;
    for (const groupBy of ['ERRCODE', 'DOMAIN', 'NODE', 'HOUR', 'DAY'] as const) {
      timed(`interruptionStats(${groupBy}), ${days} days`, 3, () => insights.interruptionStats(...range, groupBy, null), 5_000);
    }
    timed(`interruptionStats(NODE, one domain), ${days} days`, 3, () => insights.interruptionStats(...range, 'NODE', 'push7.example.com'), 5_000);
  }
  const all = timed(`interruptionStats(ERRCODE), ${DAYS} days (every interruption)`, 3, () => insights.interruptionStats(...whole, 'ERRCODE', null));
  timed('interruptionStats(DOMAIN), one day', 20, () => insights.interruptionStats(...day, 'DOMAIN', null));
  timed('interruptionStats(HOUR), one day', 20, () => insights.interruptionStats(...day, 'HOUR', null));
  timed('interruptionStats(NODE), one hour', 50, () => insights.interruptionStats(...hour, 'NODE', null));
  timed(`sessionsPerDay, ${DAYS} days`, 50, () => insights.sessionsPerDay(...whole));
  timed(`relayExitStats, ${DAYS} days`, 50, () => insights.relayExitStats(...whole));
  timed('interruptions(cause: CUSTOMER), first page of 50', 50, () => insights.interruptions({ side: 'CUSTOMER' }, 50, null).edges.length);
  timed('staleLiveSessions, first page of 50', 50, () => insights.staleLiveSessions({ pushedBefore: T0 + 40 * 86_400_000, silentBefore: T0 + 40 * 86_400_000 }, 50, null).edges.length);
  timed('flappingStreams(3 within 10 min), one day, first page of 50', 20, () => insights.flappingStreams({ minInterruptions: 3, withinMs: 600_000, from: day[0], to: day[1], domain: null }, 50, null).edges.length);
  log(`(${all.reduce((sum, b) => sum + b.count, 0)} interruptions in ${all.length} errcode buckets)`);
  db.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
