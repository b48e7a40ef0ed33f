// Fills an embedded event store with the scale data set (its own process): generated traffic, interpreted and stored
// exactly as POST /callbacks stores it (test/support/trafficLog.ts), appended through SqliteEventStore.appendToStream in
// large concurrent batches, so that group commit writes thousands of appends per transaction.
// Worker threads generate and interpret the chunks (the costly part: lossless JSON, the UUID v5 event id) while the
// main thread appends; each chunk's callbacks keep their order, chunks interleave (projections do not depend on it).
// Usage: node generateDataset.js '<json options>'; prints progress, then one JSON line with the result.
import fs from 'node:fs';
import os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseCallbackBody } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import type { NewEvent } from '../../src/eventstore/eventStore';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { storedCallback } from '../../src/ingest/storedCallback';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { datasetChunks, streamCount, type DatasetChunk, type DatasetSpec } from './dataset';

export interface GenerateOptions extends DatasetSpec {
  file: string;
  /** Appends handed to the store at once (one group commit). */
  batch?: number;
  /** Generating threads; default: one per CPU, at most 4. */
  workers?: number;
  /**
   * SQLite page cache of the store's connection while generating, in MB (default 512). The store keeps SQLite's
   * default (2 MB), under which every append to a large log reads index pages back from the OS: fine for the data
   * set's content, which is the same either way, and a finding about the store (see bench/REPORT.md).
   */
  cacheMb?: number;
}

export interface GenerateResult {
  events: number;
  sessions: number;
  relayTasks: number;
  seconds: number;
  eventsPerSecond: number;
  fileBytes: number;
  workers: number;
}

interface WorkerInput {
  chunks: DatasetChunk[];
  streams: number;
  batch: number;
}

type Append = [stream: string, event: NewEvent];
type WorkerMessage = { kind: 'batch'; appends: Append[] } | { kind: 'chunk'; seed: number } | { kind: 'done' };

/** Worker: generates its chunks and posts them as batches of appends; waits for an ack per batch (bounded memory). */
async function generateInWorker(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  let acks = 0;
  let wake: (() => void) | null = null;
  port.on('message', () => {
    acks++;
    wake?.();
  });
  let posted = 0;
  const post = async (appends: Append[]) => {
    port.postMessage({ kind: 'batch', appends } satisfies WorkerMessage);
    posted++;
    // One batch may wait in the main thread while the next is prepared.
    while (posted - acks > 1) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
  };
  for (const chunk of input.chunks) {
    const traffic = generateTraffic({ ...chunk, streams: input.streams });
    let appends: Append[] = [];
    for (const { at, body } of traffic) {
      const raw = JSON.stringify(body);
      const parsed = parseCallbackBody(raw);
      if (!parsed.ok) throw new Error(parsed.message);
      const event = interpretCallback(parsed.payload, raw);
      const metadata = {
        receivedAt: new Date(at).toISOString(),
        clientAddress: '127.0.0.1',
        authenticatedBy: body.event_type === 314 ? ('token' as const) : ('signature' as const),
      };
      appends.push([event.stream, storedCallback(event, metadata)]);
      if (appends.length >= input.batch) {
        await post(appends);
        appends = [];
      }
    }
    if (appends.length > 0) await post(appends);
    port.postMessage({ kind: 'chunk', seed: chunk.seed } satisfies WorkerMessage);
  }
  port.postMessage({ kind: 'done' } satisfies WorkerMessage);
}

async function main(options: GenerateOptions): Promise<void> {
  const started = performance.now();
  const store = SqliteEventStore.open(options.file);
  const cacheMb = options.cacheMb ?? 512;
  if (cacheMb > 0) {
    // The adapter exposes no option for it: reach its connection (generation only, never the service).
    const db = (store as unknown as { db?: { pragma(sql: string): unknown } }).db;
    db?.pragma(`cache_size = -${cacheMb * 1024}`);
  }
  const batch = options.batch ?? 5_000;
  const chunks = datasetChunks(options);
  const workerCount = Math.max(1, Math.min(options.workers ?? Math.min(os.cpus().length, 4), chunks.length));
  let events = 0;
  // Appends go to the store one batch at a time, in arrival order: a chunk's events keep their order.
  let tail: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  try {
    await Promise.all(
      Array.from({ length: workerCount }, (_, w) => {
        const input: WorkerInput = { chunks: chunks.filter((_c, k) => k % workerCount === w), streams: streamCount(options), batch };
        const worker = new Worker(__filename, { workerData: input });
        return new Promise<void>((resolve, reject) => {
          worker.on('message', (message: WorkerMessage) => {
            if (message.kind === 'batch') {
              tail = tail.then(async () => {
                if (failure !== null) return;
                try {
                  const results = await Promise.all(message.appends.map(([stream, event]) => store.appendToStream(stream, [event])));
                  for (const result of results) events += result.appended.length;
                  worker.postMessage('ack');
                } catch (error) {
                  failure = error;
                  reject(error);
                }
              });
            } else if (message.kind === 'chunk') {
              void tail.then(() => {
                const seconds = (performance.now() - started) / 1000;
                process.stdout.write(`chunk seed ${message.seed} stored: ${events} events so far, ${seconds.toFixed(1)} s (${Math.round(events / seconds)} events/s)\n`);
              });
            } else {
              void tail.then(() => worker.terminate()).then(() => resolve());
            }
          });
          worker.on('error', reject);
        });
      }),
    );
    await tail;
    if (failure !== null) throw failure;
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const fileBytes = ['', '-wal'].reduce((total, suffix) => {
    try {
      return total + fs.statSync(`${options.file}${suffix}`).size;
    } catch {
      return total;
    }
  }, 0);
  const result: GenerateResult = {
    events,
    sessions: options.sessions,
    relayTasks: options.relayTasks,
    seconds,
    eventsPerSecond: events / seconds,
    fileBytes,
    workers: workerCount,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (isMainThread) {
  main(JSON.parse(process.argv[2] ?? '{}') as GenerateOptions).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
} else {
  generateInWorker(workerData as WorkerInput).catch((error: unknown) => {
    throw error;
  });
}
