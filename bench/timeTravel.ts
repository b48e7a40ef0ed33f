// A relay task that loops a VOD playlist, measured: projecting it event by event as it grows, folding it asOf, and
// what 15 asOf aliases over it do to the event loop of the service.
//
//   npm run build && npx tsc -p bench/tsconfig.json && node bench/.build/bench/timeTravel.js [events]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseCallbackBody } from '../src/domain/callbackJson';
import { interpretCallback } from '../src/domain/interpretCallback';
import type { NewEvent } from '../src/eventstore/eventStore';
import { SqliteEventStore } from '../src/eventstore/sqlite/sqliteEventStore';
import { storedCallback } from '../src/ingest/storedCallback';
import { Processor } from '../src/processing/processor';
import { ProjectionSet } from '../src/processing/projectionSet';
import { ProjectionFile } from '../src/processing/readModelFile';
import { RelayTaskAsOf } from '../src/readmodels/relayTasks/relayTaskAsOf';
import { relayTasksProjection } from '../src/readmodels/relayTasks/relayTasks.projection';
import { relayTaskQueries } from '../src/readmodels/relayTasks/relayTasks.queries';
import type { RunningService } from '../src/server';

const EVENTS = Number(process.argv[2] ?? 5_000);
const TASK = 'vod-loop';
const T0 = Date.UTC(2024, 4, 1);
const log = (line: string) => process.stdout.write(`${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** TaskStart, then 10 files in a loop with event_time, an exit and a restart every 1,000 callbacks. */
function loopingTask(): NewEvent[] {
  const common = { appid: 4, event_type: 314, task_id: TASK, stream_id: 'loop', to_url: 'rtmp://push/live/loop', source_urls: '["http://vod/list.m3u8"]\n' };
  let t = T0;
  const bodies: object[] = [{ ...common, callback_event: 'TaskStart', msg: JSON.stringify({ task_start_time: t }) }];
  for (let i = 0; bodies.length < EVENTS; i++) {
    const msg = JSON.stringify({ index: i % 10, url: `http://vod/${i % 10}.mp4`, duration: 30 });
    bodies.push({ ...common, callback_event: 'VodSourceFileStart', msg, event_time: String((t += 1000) / 1000) });
    bodies.push({ ...common, callback_event: 'VodSourceFileFinish', msg, event_time: String((t += 30_000) / 1000) });
    if (bodies.length % 1000 < 2) {
      bodies.push({ ...common, callback_event: 'TaskExit', msg: JSON.stringify({ code: -1, message: 'retry', task_exit_time: (t += 1000) }) });
      bodies.push({ ...common, callback_event: 'TaskStart', msg: JSON.stringify({ task_start_time: (t += 60_000) }) });
    }
  }
  return bodies.map((body, i) => {
    const raw = JSON.stringify(body);
    const parsed = parseCallbackBody(raw);
    if (!parsed.ok) throw new Error(parsed.message);
    const receivedAt = new Date(T0 + i * 15_000).toISOString();
    return storedCallback(interpretCallback(parsed.payload, raw), { receivedAt, clientAddress: '127.0.0.1', authenticatedBy: 'none' });
  });
}

/** The relay-task projection in this thread, one event per transaction (as live traffic comes): µs per event as the task grows. */
async function projecting(dir: string, events: NewEvent[]): Promise<void> {
  const store = SqliteEventStore.open(path.join(dir, 'events.db'));
  const file = ProjectionFile.create(path.join(dir, 'readmodels', 'relayTasks'), relayTasksProjection, 1, 'live');
  const set = new ProjectionSet([file.name]);
  set.add(file);
  const projector = new Processor(store, set, { name: 'bench' });
  const readModels = file.db;
  const chunk = Math.max(1, Math.floor(events.length / 10));
  const rows: string[] = [];
  for (let i = 0; i < events.length; i += chunk) {
    const times: number[] = [];
    for (const event of events.slice(i, i + chunk)) {
      await store.appendToStream(`relaytask-${TASK}`, [event]);
      const started = performance.now();
      await projector.catchUp();
      times.push((performance.now() - started) * 1000);
    }
    rows.push(`| ${Math.min(i + chunk, events.length)} | ${median(times).toFixed(0)} |`);
  }
  log(`\nprojecting the task, each event in a transaction of its own\n\n| events in the task | median µs per event |\n| ---: | ---: |\n${rows.join('\n')}`);
  const queries = relayTaskQueries(readModels);
  const folds = Array.from({ length: 7 }, () => {
    const started = performance.now();
    const travel = new RelayTaskAsOf(TASK, Date.now());
    travel.add(queries.factsOf(TASK, '', events.length));
    travel.row();
    return performance.now() - started;
  });
  log(`\nreading its ${events.length} facts from the read models and folding them (asOf), in one go: median ${median(folds).toFixed(1)} ms of 7`);
  readModels.close();
  await store.close();
}

/** The service (dist/), 15 asOf aliases over the task, while /healthz is asked every 10 ms. */
async function serving(dir: string, events: NewEvent[]): Promise<void> {
  const { startService } = require(path.join(__dirname, '..', '..', '..', 'dist', 'server.js')) as typeof import('../src/server');
  const { loadConfig } = require(path.join(__dirname, '..', '..', '..', 'dist', 'config.js')) as typeof import('../src/config');
  const pino = require('pino') as typeof import('pino');
  const service: RunningService = await startService(loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
  let last = 0n;
  for (const event of events) last = (await service.store.appendToStream(`relaytask-${TASK}`, [event])).position ?? last;
  await service.projector.waitForPosition(last);
  const ask = async (query: string) => {
    const response = await fetch(`${service.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return (await response.json()) as { errors?: unknown[] };
  };
  const asOf = new Date().toISOString();
  const single = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    await ask(`{ relayTask(taskId: "${TASK}", asOf: "${asOf}") { status restartCount files { index } } }`);
    single.push(performance.now() - started);
  }
  log(`\nrelayTask(asOf) over HTTP: median ${median(single).toFixed(1)} ms of 7`);
  const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: relayTask(taskId: "${TASK}", asOf: "${asOf}") { status files { index } }`).join(' ');
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const health: number[] = [];
  let done = false;
  delay.enable();
  const started = performance.now();
  const answer = ask(`{ ${aliases} }`).finally(() => (done = true));
  while (!done) {
    const asked = performance.now();
    await fetch(`${service.url}/healthz`);
    health.push(performance.now() - asked);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { errors } = await answer;
  delay.disable();
  log(
    `15 aliases of relayTask(asOf): ${(performance.now() - started).toFixed(0)} ms in all, errors: ${errors === undefined ? 'none' : JSON.stringify(errors)};` +
      ` event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms;` +
      ` ${health.length} /healthz answered meanwhile, slowest ${Math.max(...health).toFixed(1)} ms`,
  );
  await service.close();
}

async function main(): Promise<void> {
  const events = loopingTask();
  log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}; ${events.length} events`);
  for (const run of [projecting, serving]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'css-ledger-timetravel-'));
    try {
      await run(dir, events);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
