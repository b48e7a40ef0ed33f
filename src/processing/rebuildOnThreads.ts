// Rebuild on every core: the read models shared out among threads, each building its own from the log through its own connection.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProjectionDefinition } from './projectionDefinition';
import { PROGRESS_INTERVAL_MS, resultOf, type BuildProgress, type BuiltReadModel, type RebuildResult } from './rebuild';

/** What a rebuild thread is given: the log, the read models' root, and the read models it builds. */
export interface RebuildThreadData {
  eventsFile: string;
  root: string;
  names: string[];
  /** How often the thread says where its builds stand (RebuildHereOptions). */
  progressIntervalMs: number;
}

/** A thread's answer (its read models as swapped in, each with its checkpoint and digest, or why it failed), or where its builds stand. */
export type FromRebuildThread =
  | { ok: true; built: Record<string, BuiltReadModel> }
  | { ok: false; message: string }
  | { progress: BuildProgress[] }
  /** Its read models are live: the time taken ends here (the digests come after). */
  | { swapped: true };

/** The compiled worker beside this file, or its build in dist/ when this file runs from source (the tests). */
function workerFile(): string {
  const beside = path.join(__dirname, 'rebuildThread.js');
  if (existsSync(beside)) return beside;
  return path.join(__dirname, '..', '..', 'dist', 'processing', 'rebuildThread.js');
}

/**
 * What each read model's build costs, relative to the others: CPU ms of its build and digest on a thread of a
 * two-thread rebuild of the benchmarks' quick data set (59,375 callbacks). A read model not listed counts as the median.
 */
export const BUILD_COST: Readonly<Record<string, number>> = {
  insights: 7_900,
  timeline: 3_400,
  sessions: 3_000,
  relayTasks: 1_600,
  callbackLog: 1_400,
  recordings: 1_100,
  moderation: 1_100,
  screenshots: 1_100,
  quarantine: 50,
  pushAnomalies: 50,
};

const costOf = (name: string): number => BUILD_COST[name] ?? median(Object.values(BUILD_COST));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 1;
}

/**
 * Read models in `threads` groups of about equal cost: the costliest first, each to the group that costs least so
 * far. Each group keeps the order given (the order its files are applied in).
 */
export function rebuildGroups(names: readonly string[], threads: number): string[][] {
  const groups = Array.from({ length: Math.max(1, Math.min(threads, names.length)) }, () => ({ names: new Set<string>(), cost: 0 }));
  for (const name of [...names].sort((a, b) => costOf(b) - costOf(a))) {
    const cheapest = groups.reduce((low, group) => (group.cost < low.cost ? group : low));
    cheapest.names.add(name);
    cheapest.cost += costOf(name);
  }
  return groups.map((group) => names.filter((name) => group.names.has(name))).filter((group) => group.length > 0);
}

/**
 * Builds the named read models (beside the live ones, then swapped in, as `rebuildHere` does) on `threads` threads;
 * resolves once every thread has swapped its read models in. For the embedded log only, and with no file of the
 * previous layout answering (that one file is shared by every read model, so a single build must decide when it goes).
 */
export async function rebuildOnThreads(options: {
  eventsFile: string;
  root: string;
  definitions: readonly ProjectionDefinition[];
  names: readonly string[];
  threads: number;
  /** Where every build stands, each time a thread says where its own do (every `progressIntervalMs`, as RebuildHereOptions). */
  onProgress?: (progress: BuildProgress[]) => void;
  progressIntervalMs?: number;
}): Promise<RebuildResult> {
  // The monotonic clock of this thread: each thread says when it has swapped its read models in, and is timed here.
  const started = performance.now();
  const ordered = options.definitions.map((d) => d.name).filter((name) => options.names.includes(name));
  const groups = rebuildGroups(ordered, options.threads);
  const latest = new Map<string, BuildProgress>();
  const progressed = (progress: BuildProgress[]) => {
    for (const build of progress) latest.set(build.readModel, build);
    options.onProgress?.(ordered.flatMap((name) => latest.get(name) ?? []));
  };
  const outcomes = await Promise.allSettled(
    groups.map((names) =>
      runThread({ eventsFile: options.eventsFile, root: options.root, names, progressIntervalMs: options.progressIntervalMs ?? PROGRESS_INTERVAL_MS }, progressed),
    ),
  );
  const built: Record<string, BuiltReadModel> = {};
  let swappedAt = started;
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') throw outcome.reason;
    Object.assign(built, outcome.value.built);
    swappedAt = Math.max(swappedAt, outcome.value.swappedAt);
  }
  return resultOf(options.definitions, built, swappedAt - started);
}

function runThread(data: RebuildThreadData, onProgress: (progress: BuildProgress[]) => void): Promise<{ built: Record<string, BuiltReadModel>; swappedAt: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile(), { name: `rebuild ${data.names.join(' ')}`, workerData: data });
    let answered = false;
    let swappedAt = performance.now();
    worker.on('message', (message: FromRebuildThread) => {
      if ('progress' in message) return onProgress(message.progress);
      if ('swapped' in message) return void (swappedAt = performance.now());
      answered = true;
      if (message.ok) resolve({ built: message.built, swappedAt });
      else reject(new Error(`rebuilding ${data.names.join(', ')}: ${message.message}`));
    });
    worker.once('error', (error) => {
      answered = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the thread rebuilding ${data.names.join(', ')} exited with code ${code}`));
    });
  });
}
