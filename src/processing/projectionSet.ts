// The projection processor's handler: applies each batch to every read-model file it holds, one transaction per file.
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RecordedEvent } from '../eventstore/eventStore';
import type { BatchHandler } from './processor';
import type { ProjectionDefinition, ReadModelChange } from './projectionDefinition';
import type { Checkpoint, ProjectionFile } from './readModelFile';

/** What a set holds: a file written here (ProjectionFile), or one written on another thread (the background lane's). */
export interface SetFile {
  readonly name: string;
  readonly file: string;
  readonly definition: ProjectionDefinition;
  readonly checkpoint: Checkpoint;
  /** The changes once committed; a promise when the file is written on another thread. */
  apply(events: readonly RecordedEvent[]): unknown[] | Promise<unknown[]>;
  markRetired(): void;
  close(): void;
}

export class ProjectionSet<File extends SetFile = ProjectionFile> implements BatchHandler {
  private files: File[] = [];
  private readonly emitter = new EventEmitter();
  /** Per read model, the position through which its changes are applied but not announced (-1: announce all). */
  private quietThrough: (readModel: string) => bigint = () => -1n;

  /**
   * @param order the read models' names in the order their files are applied (a query that reads two of them
   *   finds the one listed first at least as far along as the other)
   * @param passed where an empty set stands: it follows the log without applying anything
   * @param inTurns gives the thread a turn between its files' transactions (a set that must not hold up another on
   *   the same thread for a whole batch)
   */
  constructor(
    private readonly order: readonly string[],
    private passed = 0n,
    private readonly inTurns = false,
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** Its position: the lowest checkpoint of its files (each skips the events it has). */
  checkpoint(): bigint {
    if (this.files.length === 0) return this.passed;
    let lowest = this.files[0]!.checkpoint.position;
    for (const file of this.files) if (file.checkpoint.position < lowest) lowest = file.checkpoint.position;
    return lowest;
  }

  eventsApplied(): number {
    return this.files.length === 0 ? 0 : Math.min(...this.files.map((file) => file.checkpoint.eventsApplied));
  }

  /** The event types its files read: the others only move their checkpoints. */
  handledTypes(): ReadonlySet<string> {
    return new Set(this.files.flatMap((file) => file.definition.canHandle));
  }

  /**
   * Announces a read model's changes only for events after `through(readModel)`: a build beside a live file replays
   * what that file announced already (every state of every session again), and subscribers must not hear it twice.
   */
  announceOnlyAfter(through: (readModel: string) => bigint): void {
    this.quietThrough = through;
  }

  get(name: string): File | undefined {
    return this.files.find((file) => file.name === name);
  }

  list(): readonly File[] {
    return this.files;
  }

  add(file: File): void {
    if (this.get(file.name) !== undefined) throw new Error(`read model ${file.name} is in this set already`);
    this.files = [...this.files, file].sort((a, b) => this.order.indexOf(a.name) - this.order.indexOf(b.name));
  }

  /** Takes a file out (still open); an empty set goes on from where the file stood. */
  remove(name: string): File | undefined {
    const file = this.get(name);
    if (file === undefined) return undefined;
    if (file.checkpoint.position > this.passed) this.passed = file.checkpoint.position;
    this.files = this.files.filter((f) => f !== file);
    return file;
  }

  handle(events: readonly RecordedEvent[]): void | Promise<void> {
    if (this.inTurns) return this.handleInTurns(events);
    const changes: ReadModelChange[] = [];
    try {
      for (const file of this.files) {
        if (this.applyTo(file, events, changes) !== undefined) throw new Error(`read model ${file.name} is written on another thread: its set must take turns`);
      }
    } finally {
      this.published(changes);
    }
    this.passed = events[events.length - 1]!.position;
  }

  private async handleInTurns(events: readonly RecordedEvent[]): Promise<void> {
    const changes: ReadModelChange[] = [];
    try {
      for (const file of this.files) {
        // Swapped out while it waited for its turn: its replacement already holds these events.
        if (!this.files.includes(file)) continue;
        // A file written on another thread leaves this one free meanwhile (the lane ahead's batches run).
        const elsewhere = this.applyTo(file, events, changes);
        if (elsewhere !== undefined) await elsewhere;
        else await nextTurn();
      }
    } finally {
      this.published(changes);
    }
    this.passed = events[events.length - 1]!.position;
  }

  /** Applies the batch to one file; a promise when the file is written on another thread (never quiet: a live file). */
  private applyTo(file: File, events: readonly RecordedEvent[], changes: ReadModelChange[]): Promise<void> | undefined {
    const announce = (applied: unknown[]) => {
      for (const change of applied) changes.push({ readModel: file.name, change });
    };
    const quiet = this.quietThrough(file.name);
    let announced = events;
    if (quiet >= events[0]!.position) {
      if (quiet >= events[events.length - 1]!.position) {
        file.apply(events);
        return undefined;
      }
      // The batch reaches past what was announced: the rest is applied in a transaction of its own, and announced.
      file.apply(events.filter((event) => event.position <= quiet));
      announced = events.filter((event) => event.position > quiet);
    }
    const applied = file.apply(announced);
    if (applied instanceof Promise) return applied.then(announce);
    announce(applied);
    return undefined;
  }

  /** What committed is published even when a later file failed: the retry skips it for those files. */
  private published(changes: ReadModelChange[]): void {
    if (changes.length > 0) this.emitter.emit('changes', changes);
  }

  /** Every committed batch's row changes, in one call per batch. */
  onChanges(listener: (changes: ReadModelChange[]) => void): () => void {
    this.emitter.on('changes', listener);
    return () => this.emitter.off('changes', listener);
  }

  close(): void {
    this.passed = this.checkpoint(); // where it stood, for the last status
    for (const file of this.files) file.close();
    this.files = [];
  }
}
