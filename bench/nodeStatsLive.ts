// A statistic by node over the last hours, asked after each batch of new interruptions as a live service asks it: the
// hour still written to read from the cells each batch changed, against every cell of it read again.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/nodeStatsLive.js <copy of an insights file> [batches, default 40] [hours, default 6]
//
// The file is written to (each batch adds 100 interruptions in the last minutes before its last one): give it a copy.
// Each batch is asked twice in turn on two connections: one as the file lists the changes, one with the listing of
// the hour emptied first (as past the changes it keeps), so that it reads every cell of the hour again.
import Database from 'better-sqlite3';
import { parseCallbackBody } from '../src/domain/callbackJson';
import { interpretCallback } from '../src/domain/interpretCallback';
import type { RecordedEvent } from '../src/eventstore/eventStore';
import { storedCallback } from '../src/ingest/storedCallback';
import { ProjectionFile } from '../src/processing/readModelFile';
import { insightsProjection } from '../src/readmodels/insights/insights.projection';
import { insightQueries } from '../src/readmodels/insights/insights.queries';

const FILE = process.argv[2];
const BATCHES = Number(process.argv[3] ?? 40);
const HOURS = Number(process.argv[4] ?? 6);
const PER_BATCH = 100;
const HOUR_MS = 3_600_000;
if (FILE === undefined) throw new Error('usage: nodeStatsLive.js <copy of an insights file> [batches] [hours]');

const file = ProjectionFile.open(FILE, insightsProjection, 'steady');
const [listed, rereading] = [new Database(FILE, { readonly: true }), new Database(FILE, { readonly: true })];
for (const db of [listed, rereading]) db.pragma('cache_size = -16384');
const [withListing, withoutListing] = [insightQueries(listed), insightQueries(rereading)];
const [last] = file.db.prepare('SELECT max(interrupted_at) FROM insight_sessions').raw().get() as [number];
const nodes = file.db.prepare("SELECT DISTINCT key FROM insight_interruption_rollups WHERE period = 'DAY' AND dimension = 'NODE' AND scope = '' LIMIT 5000").pluck().all() as string[];
const now = last + 60_000;
const [from, to] = [now - HOURS * HOUR_MS, now];
const currentHour = Math.floor(last / HOUR_MS) * HOUR_MS;

let position = Number((file.db.prepare('SELECT position FROM checkpoint').safeIntegers(true).pluck().get() as bigint) ?? 0n);
let sequence = 0;
/** A batch of interruptions of new sessions in the last minutes before the file's last one, on nodes it knows. */
function batch(): RecordedEvent[] {
  return Array.from({ length: PER_BATCH }, () => {
    sequence += 1;
    const at = Math.max(currentHour, last - Math.floor(Math.random() * 300_000));
    const body = { event_type: 0, sequence: `990000${sequence}`, app: 'live.example', stream_id: `live_${sequence % 500}`, event_time: Math.floor(at / 1000), errcode: 1, push_duration: '60000', node: nodes[sequence % nodes.length] };
    const raw = JSON.stringify(body);
    const parsed = parseCallbackBody(raw);
    if (!parsed.ok) throw new Error(parsed.message);
    const interpreted = interpretCallback(parsed.payload, raw);
    const event = storedCallback(interpreted, { receivedAt: new Date(at).toISOString(), authenticatedBy: 'none' });
    position += 1;
    return { ...event, stream: interpreted.stream, metadata: event.metadata ?? {}, position: BigInt(position), revision: 0n, recordedAt: new Date(at) };
  });
}

const timed = (ask: () => unknown): number => {
  const started = performance.now();
  ask();
  return performance.now() - started;
};
const ask = (queries: typeof withListing) => queries.interruptionStats(from, to, 'NODE', null, 20);
// Both keep the hours first.
for (const queries of [withListing, withoutListing]) for (let i = 0; i < 3; i++) ask(queries);
const times = { listed: [] as number[], reread: [] as number[] };
for (let i = 0; i < BATCHES; i++) {
  file.apply(batch());
  times.listed.push(timed(() => ask(withListing)));
  // The other connection finds the hour's changes no longer listed: every cell of it is read again.
  const saved = file.db.prepare('SELECT start, changes, keys FROM insight_node_cell_changes WHERE start = ?').raw().all(currentHour) as unknown[][];
  file.db.prepare('DELETE FROM insight_node_cell_changes WHERE start = ?').run(currentHour);
  times.reread.push(timed(() => ask(withoutListing)));
  const restore = file.db.prepare('INSERT INTO insight_node_cell_changes (start, changes, keys) VALUES (?, ?, ?)');
  for (const row of saved) restore.run(...row);
  if (JSON.stringify(ask(withListing)) !== JSON.stringify(ask(withoutListing))) throw new Error(`batch ${i}: the two answers differ`);
}
const at = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!.toFixed(2);
process.stdout.write(`${BATCHES} batches of ${PER_BATCH} interruptions into the hour from ${new Date(currentHour).toISOString()}; by node over the last ${HOURS} hours, first: 20\n`);
process.stdout.write(`| after each batch | p50 ms | p90 ms | max ms |\n| --- | ---: | ---: | ---: |\n`);
process.stdout.write(`| the hour's changed cells read | ${at(times.listed, 50)} | ${at(times.listed, 90)} | ${at(times.listed, 100)} |\n`);
process.stdout.write(`| every cell of the hour read again | ${at(times.reread, 50)} | ${at(times.reread, 90)} | ${at(times.reread, 100)} |\n`);
file.close();
