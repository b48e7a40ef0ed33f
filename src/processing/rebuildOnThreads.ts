// Rebuild on every core: the read models shared out among threads, each building its own from the log through its own connection.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProjectionDefinition } from './projectionDefinition';
import { resultOf, type RebuildResult } from './rebuild';

/** What a rebuild thread is given: the log, the read models' root, and the read models it builds. */
export interface RebuildThreadData {
  eventsFile: string;
  root: string;
  names: string[];
}

export type FromRebuildThread = { ok: true; files: Record<string, string> } | { ok: false; message: string };

/** The compiled worker beside this file, or its build in dist/ when this file runs from source (the tests). */
function workerFile(): string {
  const beside = path.join(__dirname, 'rebuildThread.js');
  if (existsSync(beside)) return beside;
  return path.join(__dirname, '..', '..', 'dist', 'processing', 'rebuildThread.js');
}

/**
 * Read models in `threads` groups, dealt out in the order given: in the order of READ_MODELS (callback log, sessions,
 * relay tasks, ...) the two heaviest, sessions and relay tasks, land on different threads.
 */
export function rebuildGroups(names: readonly string[], threads: number): string[][] {
  const groups: string[][] = Array.from({ length: Math.max(1, Math.min(threads, names.length)) }, () => []);
  names.forEach((name, k) => groups[k % groups.length]!.push(name));
  return groups.filter((group) => group.length > 0);
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
}): Promise<RebuildResult> {
  const started = performance.now();
  const ordered = options.definitions.map((d) => d.name).filter((name) => options.names.includes(name));
  const groups = rebuildGroups(ordered, options.threads);
  const outcomes = await Promise.allSettled(
    groups.map((names) =>
      runThread({ eventsFile: options.eventsFile, root: options.root, names }),
    ),
  );
  const files: Record<string, string> = {};
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') throw outcome.reason;
    Object.assign(files, outcome.value);
  }
  return resultOf(options.definitions, files, performance.now() - started);
}

function runThread(data: RebuildThreadData): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile(), { name: `rebuild ${data.names.join(' ')}`, workerData: data });
    let answered = false;
    worker.once('message', (message: FromRebuildThread) => {
      answered = true;
      if (message.ok) resolve(message.files);
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
