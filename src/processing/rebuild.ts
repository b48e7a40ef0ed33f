// `rebuild`: new generations of read models built from the log beside the live ones and swapped in, here or by the running service.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { LogSource } from './processor';
import { ProjectionHost } from './projectionHost';
import type { ProjectionDefinition } from './projectionDefinition';
import { openForReading, readCheckpoint, readMeta, removeFile } from './readModelFile';
import { combinedDigest, readModelDigest } from './readModelDigest';
import { readAnswer, submitRebuildRequest, withdrawRebuildRequest } from './rebuildRequests';

export interface RebuildResult {
  /** The files now live, by read model. */
  files: Record<string, string>;
  /** Events their checkpoints passed over (the log's count), and the position they stand at. */
  eventsApplied: number;
  position: bigint;
  /** From the start of the build to the swap. */
  durationMs: number;
  /** Of the rebuilt read models, as swapped in. */
  digest: string;
}

/** The running service refused the request, or did not take it: nothing was rebuilt. */
export class RebuildRefusedError extends Error {
  override name = 'RebuildRefusedError';
}

/** Where a build stands: replaying the log (`building`), swapped in (`live`), or having its rows digested (`digesting`). */
export type BuildPhase = 'building' | 'live' | 'digesting';

export interface BuildProgress {
  readModel: string;
  position: bigint;
  phase: BuildPhase;
}

/** A build's progress as its file says it: a file swapped in is live, any other still building. */
function progressOf(readModel: string, file: string): BuildProgress {
  return asProgress(readModel, fileProgress(file));
}

const asProgress = (readModel: string, { state, position }: { state: string | null; position: bigint }): BuildProgress => ({
  readModel,
  position,
  phase: state === 'live' ? 'live' : 'building',
});

/** The files built, about to be digested (minutes for a large log: every row is read in key order). */
export function digestingProgress(built: Record<string, string>): BuildProgress[] {
  return Object.entries(built).map(([readModel, file]) => ({ ...progressOf(readModel, file), phase: 'digesting' }));
}

/** One built read model as swapped in: its file, where its checkpoint stands, and the digest of its rows. */
export interface BuiltReadModel {
  file: string;
  position: bigint;
  eventsApplied: number;
  digest: string;
}

/** Reads each built file's checkpoint and digests its rows (on the thread that built it, so threads digest side by side). */
export function describeBuilt(definitions: readonly ProjectionDefinition[], files: Record<string, string>): Record<string, BuiltReadModel> {
  const built: Record<string, BuiltReadModel> = {};
  for (const definition of definitions) {
    const file = files[definition.name];
    if (file === undefined) continue;
    const db = openForReading(file);
    try {
      built[definition.name] = { file, ...readCheckpoint(db), digest: readModelDigest(db, definition) };
    } finally {
      db.close();
    }
  }
  return built;
}

/** What a finished build reports: its files, where they stand, and the digest of their rows (in the definitions' order). */
export function resultOf(definitions: readonly ProjectionDefinition[], built: Record<string, BuiltReadModel>, durationMs: number): RebuildResult {
  const models = definitions.flatMap((definition) => {
    const model = built[definition.name];
    return model === undefined ? [] : [{ name: definition.name, ...model }];
  });
  return {
    files: Object.fromEntries(models.map(({ name, file }) => [name, file])),
    eventsApplied: Math.min(...models.map((m) => m.eventsApplied)),
    position: models.reduce((low, m) => (m.position < low ? m.position : low), models[0]?.position ?? 0n),
    durationMs,
    digest: combinedDigest(models),
  };
}

export interface RebuildHereOptions {
  root: string;
  definitions: readonly ProjectionDefinition[];
  names: readonly string[];
  legacyFile?: string | null;
  logger?: Logger;
  /** Where each build stands, read from its file every `progressIntervalMs` (default PROGRESS_INTERVAL_MS) while it runs. */
  onProgress?: (progress: BuildProgress[]) => void;
  progressIntervalMs?: number;
}

/** How often a build running here says where it stands. */
export const PROGRESS_INTERVAL_MS = 2000;

/** No service holds DATA_DIR: builds here (bulk settings: nobody reads the new files yet), swaps in, removes what it replaced. */
export async function rebuildHere(store: LogSource, options: RebuildHereOptions): Promise<RebuildResult> {
  const { files, durationMs } = await buildHere(store, options);
  options.onProgress?.(digestingProgress(files));
  return resultOf(options.definitions, describeBuilt(options.definitions, files), durationMs);
}

/** rebuildHere without the digest: the files now live, and how long the build took. */
export async function buildHere(store: LogSource, options: RebuildHereOptions): Promise<{ files: Record<string, string>; durationMs: number }> {
  const started = performance.now();
  const host = new ProjectionHost({
    store,
    definitions: options.definitions,
    root: options.root,
    legacyFile: options.legacyFile ?? null,
    buildBatchSize: 20_000,
    checkIntervalMs: 100,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const retired: string[] = [];
  const live = new Map<string, string>();
  let building = new Set<string>();
  const stopListening = host.onServing((change) => {
    if (change.retired !== null) retired.push(change.retired);
    if (building.has(change.file)) live.set(change.readModel, change.file);
  });
  try {
    host.start();
    const files = host.rebuild(options.names);
    building = new Set(Object.values(files));
    let saidAt = performance.now();
    while (live.size < building.size) {
      const stopped = host.status().processors.find((p) => p.phase === 'stopped');
      if (stopped !== undefined) throw new Error(`the ${stopped.name} processor stopped: ${stopped.lastError ?? 'no reason given'}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (options.onProgress !== undefined && performance.now() - saidAt >= (options.progressIntervalMs ?? PROGRESS_INTERVAL_MS)) {
        saidAt = performance.now();
        options.onProgress(Object.entries(files).map(([readModel, file]) => progressOf(readModel, file)));
      }
    }
  } finally {
    stopListening();
    await host.stop();
  }
  for (const file of retired) removeFile(file);
  return { files: Object.fromEntries(live), durationMs: performance.now() - started };
}

/**
 * A service holds DATA_DIR: asks it to rebuild (it picks requests up within a second), then follows the new files
 * until each is live. Refused when it does not take the request within `answerTimeoutMs`.
 */
export async function rebuildThroughService(options: {
  root: string;
  definitions: readonly ProjectionDefinition[];
  names: readonly string[];
  answerTimeoutMs: number;
  /** Whether the service still runs: a build it leaves behind resumes at its next start, not here. */
  serviceRunning: () => boolean;
  onProgress?: (progress: BuildProgress[]) => void;
}): Promise<RebuildResult> {
  const started = performance.now();
  const id = submitRebuildRequest(options.root, options.names);
  // The monotonic clock: a system clock set forward meanwhile would give up on a service about to answer.
  const deadline = performance.now() + options.answerTimeoutMs;
  let answer = readAnswer(options.root, id);
  while (answer === null && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = readAnswer(options.root, id);
  }
  withdrawRebuildRequest(options.root, id);
  if (answer === null) {
    throw new RebuildRefusedError(
      `the service holding DATA_DIR did not take the rebuild request within ${options.answerTimeoutMs / 1000} s (is it stopping, or of a version that builds no read model beside another?); nothing was rebuilt`,
    );
  }
  if (!answer.accepted) throw new RebuildRefusedError(`the running service refused the rebuild: ${answer.reason}`);
  const files = answer.building;
  for (;;) {
    const progress = Object.entries(files).map(([readModel, file]) => ({ readModel, ...fileProgress(file) }));
    options.onProgress?.(progress.map(({ readModel, ...file }) => asProgress(readModel, file)));
    const gone = progress.find((p) => p.state === null);
    if (gone !== undefined) throw new Error(`the build of read model ${gone.readModel} (${path.basename(files[gone.readModel]!)}) is gone: see the service's log`);
    if (progress.every((p) => p.state === 'live')) break;
    if (!options.serviceRunning()) throw new Error('the service stopped before the rebuild finished; it resumes the build when it starts again');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  options.onProgress?.(digestingProgress(files));
  return resultOf(options.definitions, describeBuilt(options.definitions, files), performance.now() - started);
}

/** A build's state and position, read from its own file; state null when the file is gone. */
function fileProgress(file: string): { state: string | null; position: bigint } {
  if (!fs.existsSync(file)) return { state: null, position: 0n };
  const db = openForReading(file);
  try {
    return { state: readMeta(db)?.state ?? null, position: readCheckpoint(db).position };
  } finally {
    db.close();
  }
}
