// Insight statistics at scale, measured on their own: a million interrupted sessions projected into an insights file by its
// own projection (as a rebuild would, query indexes made at the end), then the statistics and views timed on that file.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/insightsStats.js [sessions]
import fs from 'node:fs';
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
const DAYS = 30;
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
  for (let i = 0; i < SESSIONS; i++) {
    const pushedAt = Math.floor((T0 + random() * DAYS * 86_400_000) / 1000);
    const seconds = 30 + Math.floor(random() * 7200);
    const [errcode, sub] = pick(ERRCODES);
    const common = { sequence: `77${String(i).padStart(16, '0')}`, app: `push${1 + Math.floor(random() * 30)}.example.com`, appname: 'live', stream_id: `stream_${Math.floor(random() * (SESSIONS / 10))}`, node: `10.0.${Math.floor(random() * 50)}.1` };
    yield recorded({ ...common, event_type: 1, event_time: pushedAt });
    // Nineteen in twenty sessions have ended.
    if (random() < 0.95) yield recorded({ ...common, event_type: 0, event_time: pushedAt + seconds, errcode, sub_errcode: sub, push_duration: String(seconds * 1000) });
  }
}

function timed<T>(label: string, runs: number, work: () => T): T {
  let result!: T;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  log(`| ${label} | ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms | ${times[times.length - 1]!.toFixed(1)} ms | ${runs} |`);
  return result;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-stats-'));
try {
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
  const insights = insightQueries(file.db);
  const whole = [T0, T0 + (DAYS + 1) * 86_400_000] as const;
  const day = [T0 + 10 * 86_400_000, T0 + 11 * 86_400_000] as const;
  const hour = [T0 + 10 * 86_400_000, T0 + 10 * 86_400_000 + 3_600_000] as const;
  log('| query | median | max | runs |\n| --- | ---: | ---: | ---: |');
  const all = timed(`interruptionStats(ERRCODE), ${DAYS} days (every interruption)`, 5, () => insights.interruptionStats(...whole, 'ERRCODE', null));
  timed('interruptionStats(DOMAIN), one day', 20, () => insights.interruptionStats(...day, 'DOMAIN', null));
  timed('interruptionStats(HOUR), one day', 20, () => insights.interruptionStats(...day, 'HOUR', null));
  timed('interruptionStats(NODE), one hour', 50, () => insights.interruptionStats(...hour, 'NODE', null));
  timed(`sessionsPerDay, ${DAYS} days`, 50, () => insights.sessionsPerDay(...whole));
  timed(`relayExitStats, ${DAYS} days`, 50, () => insights.relayExitStats(...whole));
  timed('interruptions(cause: CUSTOMER), first page of 50', 50, () => insights.interruptions({ side: 'CUSTOMER' }, 50, null).edges.length);
  timed('staleLiveSessions, first page of 50', 50, () => insights.staleLiveSessions({ pushedBefore: T0 + 40 * 86_400_000, silentBefore: T0 + 40 * 86_400_000 }, 50, null).edges.length);
  timed('flappingStreams(3 within 10 min), one day, first page of 50', 20, () => insights.flappingStreams({ minInterruptions: 3, withinMs: 600_000, from: day[0], to: day[1], domain: null }, 50, null).edges.length);
  log(`(${all.reduce((sum, b) => sum + b.count, 0)} interruptions in ${all.length} errcode buckets)`);
  file.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
