// What the service's main thread and the projector thread say to each other.
import type { SentError } from '../eventstore/sqlite/threadErrors';
import type { ReadModelChange } from '../processing/projectionDefinition';
import type { ServingChange } from '../processing/projectionHost';
import type { ProjectionsStatus } from '../processing/projectionsStatus';

/** Where the log and the read models live: one folder per read model, and the previous layout's file, if any, to answer meanwhile. */
export interface ReadModelFiles {
  eventsFile: string;
  readModelsRoot: string;
  legacyFile: string | null;
  /** Written on another thread (the forwarding state): WAL-checkpointed with the read models, off its writer's commits. */
  checkpointedAlongside: string[];
}

export type ProjectorWorkerData = ReadModelFiles & {
  logLevel: string;
  /** Nice value of the thread that rebuilds read models beside live ones. */
  buildNiceness: number;
  /** Nice value of the thread the background lane's read models are written on. */
  backgroundNiceness: number;
};

export type ToProjector =
  /** Applies what is committed, persists the checkpoint, closes both files. */
  { kind: 'shutdown' };

export type FromProjector =
  | { kind: 'ready'; status: ProjectionsStatus; serving: Record<string, string> }
  | { kind: 'failed'; error: SentError }
  | { kind: 'projected'; changes: ReadModelChange[]; status: ProjectionsStatus }
  | { kind: 'status'; status: ProjectionsStatus }
  | { kind: 'serving'; change: ServingChange; status: ProjectionsStatus }
  | { kind: 'stopped' };

