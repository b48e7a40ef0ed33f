// What a read model tells the processor: its name and version, the events it reads, its tables, and how it applies a batch.
import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '../eventstore/eventStore';
import type { DeclaredTable } from './table';

export type ReadModelDatabase = Database;

/** A projection opened on one read-model file: statements prepared once, applied batch after batch. */
export interface OpenProjection<Change = unknown> {
  /**
   * Applies events (only those of the types it handles, in log order) inside the processor's transaction, and
   * returns the row changes to publish once that transaction commits.
   */
  apply(events: readonly RecordedEvent[]): Change[];
  /** The transaction of the last apply committed: what it kept in memory for it may now be relied on. */
  committed?(): void;
  /** The transaction of the last apply rolled back: forget what it kept in memory for it. */
  rolledBack?(): void;
}

export interface ProjectionDefinition<Change = unknown> {
  /** The read model's name: its folder under DATA_DIR/readmodels/ and in src/readmodels/. */
  readonly name: string;
  /** Bump when its tables or what it derives from events change: the next start-up rebuilds it beside the old one. */
  readonly version: number;
  /** The stored event types it reads; the others only move its checkpoint. */
  readonly canHandle: readonly string[];
  /** Its tables, declared once. */
  readonly tables: readonly DeclaredTable[];
  /**
   * Applied live by a lane of its own, behind the others (never past them) and in small batches, so that its cost
   * never holds them up: for views that are asked for more than followed. Its own changes are published as late.
   */
  readonly background?: boolean;
  open(db: ReadModelDatabase): OpenProjection<Change>;
}

/** A change of one read model, as published after its commit. */
export interface ReadModelChange<Change = unknown> {
  readModel: string;
  change: Change;
}

export function defineProjection<Change>(definition: ProjectionDefinition<Change>): ProjectionDefinition<Change> {
  if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(definition.name)) throw new Error(`read model name ${definition.name} must be a word (it names a folder)`);
  if (!Number.isSafeInteger(definition.version) || definition.version < 1) throw new Error(`${definition.name}: version must be a positive integer`);
  return definition;
}
