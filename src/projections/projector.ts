// Follows the global log from its checkpoint and keeps the read models up to date, one transaction per batch.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { isQuarantineStream, parseStreamName, StreamCategory } from '../domain/streamNames';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore';
import { callbackLogTable, type CallbackLogEntry, type CallbackLogTable } from '../readmodel/callbackLogTable';
import { checkpointTable, type Checkpoint } from '../readmodel/checkpointTable';
import { quarantineTable, type QuarantineTable } from '../readmodel/quarantineTable';
import type { ReadModelDatabase } from '../readmodel/readModelDb';
import { relaySourceKey, relayTaskTable, type RelayTaskTable, type UnmatchedExit } from '../readmodel/relayTaskTable';
import { sessionTable } from '../readmodel/sessionTable';
import { CommittedRelayTasks } from './committedRelayTasks';
import { toProjectedEvent, type ProjectedEvent } from './projectedEvent';
import { applyQuarantineEvent } from './quarantine.projection';
import {
  addRelayFact,
  emptyRelayTask,
  latestAt,
  reduceRelayTask,
  relayFactOf,
  relayFactsSince,
  relayTaskRow,
  type RelayFact,
  type RelayTaskRow,
  type RelayTaskState,
} from './relayTask.reducer';
import { emptySession, reduceSession, sessionRow, type SessionRow, type SessionState } from './session.reducer';

/** One notification per read-model row a batch changed, sent after the batch is committed. */
export type ReadModelChange =
  | { kind: 'session'; row: SessionRow }
  | { kind: 'relayTask'; row: RelayTaskRow }
  | { kind: 'relayExit'; eventId: string; stream: string; taskId: string | null }
  | { kind: 'callback'; event: CallbackLogEntry };

export type ProjectorPhase = 'stopped' | 'running' | 'retrying';

export interface ProjectorStatus {
  phase: ProjectorPhase;
  /** Global position of the last applied event. */
  position: bigint;
  eventsApplied: number;
  /** Milliseconds from the append of the last applied event to its row being committed; null before the first batch. */
  lagMs: number | null;
  lastError: string | null;
}

/** What the rest of the service sees of a projector, on this thread or another. */
export interface ProjectionProgress {
  status(): ProjectorStatus;
  /** Listens to row changes; returns the function that stops listening. */
  onChange(listener: (change: ReadModelChange) => void): () => void;
  /** Resolves once every event up to this global position is in the read models. */
  waitForPosition(position: bigint): Promise<void>;
}

export interface ProjectorOptions {
  logger?: Logger;
  /** Events applied per transaction at most; default 1000. */
  batchSize?: number;
  /** Wait before resubscribing after a failure; default 1000 ms. */
  retryDelayMs?: number;
}

const CHECKPOINT_NAME = 'read-models';

export class Projector implements ProjectionProgress {
  private readonly changes = new EventEmitter();
  private readonly checkpoints;
  private readonly sessions;
  private readonly relayTasks: RelayTaskTable;
  private readonly callbackLog: CallbackLogTable;
  private readonly quarantine: QuarantineTable;
  private readonly applyInTransaction: (events: RecordedEvent[]) => ReadModelChange[];
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private checkpoint: Checkpoint;
  private phase: ProjectorPhase = 'stopped';
  private lagMs: number | null = null;
  private lastError: string | null = null;
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private buffer: RecordedEvent[] = [];
  private subscription: AbortController | null = null;
  private flushError: unknown = null;
  /** `stored`: how many of the state's facts are stored already. */
  private readonly unsavedTasks = new Map<string, { state: RelayTaskState; row: RelayTaskRow; stored: number }>();
  private readonly committedTasks = new CommittedRelayTasks();
  /** Task states this batch wrote: committed, they replace the kept ones. */
  private readonly writtenTasks: RelayTaskState[] = [];
  /** Source key → ids of unsaved tasks whose row is RUNNING: exits without task_id are matched without writing first. */
  private readonly unsavedRunningBySource = new Map<string, Set<string>>();
  private scheduledFlush: NodeJS.Immediate | undefined;

  constructor(
    private readonly store: EventStore,
    db: ReadModelDatabase,
    private readonly options: ProjectorOptions = {},
  ) {
    this.checkpoints = checkpointTable(db, CHECKPOINT_NAME);
    this.sessions = sessionTable(db);
    this.relayTasks = relayTaskTable(db);
    this.callbackLog = callbackLogTable(db);
    this.quarantine = quarantineTable(db);
    this.batchSize = options.batchSize ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.checkpoint = this.checkpoints.read();
    this.applyInTransaction = db.transaction((events: RecordedEvent[]) => this.applyEvents(events));
    this.changes.setMaxListeners(0);
  }

  status(): ProjectorStatus {
    return {
      phase: this.phase,
      position: this.checkpoint.position,
      eventsApplied: this.checkpoint.eventsApplied,
      lagMs: this.lagMs,
      lastError: this.lastError,
    };
  }

  /** Listens to row changes; returns the function that stops listening. */
  onChange(listener: (change: ReadModelChange) => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  /** Called after each committed batch, once its changes have been sent to onChange listeners. */
  onApplied(listener: (position: bigint) => void): () => void {
    this.changes.on('applied', listener);
    return () => this.changes.off('applied', listener);
  }

  waitForPosition(position: bigint): Promise<void> {
    return positionReached(this.changes, () => this.checkpoint.position, position);
  }

  /** Starts following the log in the background: catch up from the checkpoint, then live. */
  start(): void {
    if (this.running !== null) return;
    this.abort = new AbortController();
    this.phase = 'running';
    this.running = this.follow(this.abort.signal);
  }

  /** Stops following; events already received are applied and the checkpoint is persisted. */
  async stop(): Promise<void> {
    if (this.running === null) return;
    this.abort?.abort();
    await this.running;
    this.running = null;
    this.flush();
    this.phase = 'stopped';
  }

  /** Applies everything in the log after the checkpoint, then returns (used by rebuild). */
  async catchUp(): Promise<void> {
    for (;;) {
      const events = await this.store.readAll({ after: this.checkpoint.position, maxCount: this.batchSize });
      if (events.length === 0) return;
      this.apply(events);
    }
  }

  private async follow(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const subscription = new AbortController();
      const endSubscription = () => subscription.abort();
      stop.addEventListener('abort', endSubscription, { once: true });
      this.subscription = subscription;
      try {
        for await (const event of this.store.subscribeToAll({ after: this.checkpoint.position, signal: subscription.signal })) {
          this.buffer.push(event);
          if (this.buffer.length >= this.batchSize) this.flush();
          else this.scheduledFlush ??= setImmediate(() => this.flushOrResubscribe());
        }
        if (this.flushError !== null) throw this.flushError;
        if (stop.aborted) return;
        throw new Error('the event store ended the subscription');
      } catch (error) {
        this.fail(error);
        await delay(this.retryDelayMs, stop);
        if (!stop.aborted) this.phase = 'running';
      } finally {
        stop.removeEventListener('abort', endSubscription);
        this.flushError = null;
      }
    }
  }

  /** A batch that fails to apply ends the subscription; the loop resubscribes from the checkpoint. */
  private flushOrResubscribe(): void {
    try {
      this.flush();
    } catch (error) {
      this.flushError = error;
      this.subscription?.abort();
    }
  }

  private flush(): void {
    if (this.scheduledFlush !== undefined) clearImmediate(this.scheduledFlush);
    this.scheduledFlush = undefined;
    const events = this.buffer;
    this.buffer = [];
    if (events.length > 0) this.apply(events);
  }

  private fail(error: unknown): void {
    this.buffer = [];
    this.phase = 'retrying';
    this.lastError = error instanceof Error ? error.message : String(error);
    try {
      this.checkpoint = this.checkpoints.read();
    } catch {
      // read models closed: the checkpoint in memory is the last committed one anyway
    }
    this.options.logger?.error({ err: error }, `projector failed, resuming from position ${this.checkpoint.position}`);
  }

  private apply(events: RecordedEvent[]): void {
    // Events at or before the checkpoint were applied already (a resubscription can deliver them again).
    const fresh = events.filter((e) => e.position > this.checkpoint.position);
    if (fresh.length === 0) return;
    let changes: ReadModelChange[];
    try {
      changes = this.applyInTransaction(fresh);
    } catch (error) {
      this.writtenTasks.length = 0; // rolled back: the kept states are still those committed
      throw error;
    }
    for (const state of this.writtenTasks.splice(0)) this.committedTasks.set(state);
    const last = fresh[fresh.length - 1]!;
    this.lagMs = Math.max(0, Date.now() - last.recordedAt.getTime());
    this.lastError = null;
    for (const change of changes) this.changes.emit('change', change);
    this.changes.emit('applied', this.checkpoint.position);
  }

  /** Runs inside one transaction: rows and checkpoint commit together or not at all. */
  private applyEvents(events: RecordedEvent[]): ReadModelChange[] {
    const changed = new Map<string, ReadModelChange>();
    this.unsavedTasks.clear(); // left over only if a previous batch failed and rolled back
    this.unsavedRunningBySource.clear();
    // Sessions are written once per batch: nothing else in the batch reads their rows.
    const sessions = new Map<string, SessionState>();
    for (const recorded of events) {
      // Quarantined callbacks are listed, and nothing else: not in the log, sessions, tasks or activity.
      if (isQuarantineStream(recorded.stream)) {
        applyQuarantineEvent(this.quarantine, recorded);
        continue;
      }
      const event = toProjectedEvent(recorded);
      if (event === null) continue;
      this.logCallback(recorded, event, changed);
      const stream = parseStreamName(recorded.stream);
      if (stream === null) continue;
      if (stream.category === StreamCategory.session) this.applyToSession(event, stream.id, sessions);
      else this.applyEvent(event, stream.category, stream.id, changed);
    }
    this.writeUnsavedTasks();
    for (const state of sessions.values()) {
      const row = sessionRow(state);
      this.sessions.save(state, row);
      changed.set(`session ${state.sequence}`, { kind: 'session', row });
    }
    const next = {
      position: events[events.length - 1]!.position,
      eventsApplied: this.checkpoint.eventsApplied + events.length,
    };
    this.checkpoints.write(next);
    this.checkpoint = next;
    return [...changed.values()];
  }

  private applyToSession(event: ProjectedEvent, sequence: string, changedInBatch: Map<string, SessionState>): void {
    const before = changedInBatch.get(sequence) ?? this.sessions.load(sequence) ?? emptySession(sequence);
    const after = reduceSession(before, event);
    if (after !== before) changedInBatch.set(sequence, after);
  }

  /** Every callback this service wrote goes to the log read model, unrecognized ones included. */
  private logCallback(recorded: RecordedEvent, event: ProjectedEvent, changed: Map<string, ReadModelChange>): void {
    const raw = recorded.data.raw;
    if (typeof raw !== 'string') return; // not stored by storedCallback(): no body to show
    const entry: CallbackLogEntry = {
      position: event.position,
      eventId: event.id,
      type: event.type,
      stream: event.stream,
      receivedAt: event.receivedAt,
      raw,
    };
    this.callbackLog.append(entry);
    changed.set(`callback ${entry.position}`, { kind: 'callback', event: entry });
  }

  private applyEvent(event: ProjectedEvent, category: string, id: string, changed: Map<string, ReadModelChange>): void {
    switch (category) {
      case StreamCategory.relayTask: {
        const before = this.loadRelayTask(id) ?? emptyRelayTask(id);
        const after = reduceRelayTask(before, event);
        if (after !== before) this.saveRelayTask(after, changed);
        return;
      }
      case StreamCategory.relayExit:
        this.recordExitWithoutTaskId(event, changed);
        return;
      default:
        return; // unrecognized callbacks live in the log only
    }
  }

  private loadRelayTask(taskId: string): RelayTaskState | undefined {
    const known = this.unsavedTasks.get(taskId)?.state ?? this.committedTasks.get(taskId);
    if (known !== undefined) return known;
    const stored = this.relayTasks.load(taskId);
    if (stored !== undefined) this.committedTasks.set(stored);
    return stored;
  }

  /** Task rows are written once per batch, with the facts their stored state lacks. */
  private writeUnsavedTasks(): void {
    for (const { state, row, stored } of this.unsavedTasks.values()) {
      this.relayTasks.save(row, relayFactsSince(state, stored));
      this.writtenTasks.push(state);
    }
    this.unsavedTasks.clear();
    this.unsavedRunningBySource.clear();
  }

  /** Tasks RUNNING with this source key: the written rows, as this batch has changed them so far. */
  private runningWithSource(sourceKey: string): string[] {
    const written = this.relayTasks.runningWithSource(sourceKey).filter((taskId) => !this.unsavedTasks.has(taskId));
    return [...written, ...(this.unsavedRunningBySource.get(sourceKey) ?? [])];
  }

  private saveRelayTask(state: RelayTaskState, changed: Map<string, ReadModelChange>): RelayTaskRow {
    const row = relayTaskRow(state);
    const unsaved = this.unsavedTasks.get(state.taskId);
    const before = unsaved?.row;
    if (before !== undefined) this.unsavedRunningBySource.get(relaySourceKey(before.appId, before.sourceUrls) ?? '')?.delete(state.taskId);
    const sourceKey = relaySourceKey(row.appId, row.sourceUrls);
    if (row.status === 'RUNNING' && sourceKey !== null) {
      let running = this.unsavedRunningBySource.get(sourceKey);
      if (running === undefined) this.unsavedRunningBySource.set(sourceKey, (running = new Set()));
      running.add(state.taskId);
    }
    const stored = unsaved?.stored ?? this.committedTasks.get(state.taskId)?.size ?? 0;
    this.unsavedTasks.set(state.taskId, { state, row, stored });
    changed.set(`relayTask ${state.taskId}`, { kind: 'relayTask', row });
    if (row.status === 'RUNNING') this.matchWaitingExits(state, row, changed);
    return row;
  }

  /** A TaskExit without task_id joins the one running task with its app id and source URLs, or waits. */
  private recordExitWithoutTaskId(event: ProjectedEvent, changed: Map<string, ReadModelChange>): void {
    const fact = relayFactOf(event);
    if (fact === null || fact.kind !== 'exit') return;
    const exit: UnmatchedExit = { eventId: event.id, stream: event.stream, position: event.position, fact };
    const sourceKey = relaySourceKey(fact.appId, fact.sourceUrls);
    const candidates = sourceKey === null ? [] : this.runningWithSource(sourceKey);
    const task = candidates.length === 1 ? this.loadRelayTask(candidates[0]!) : undefined;
    if (task !== undefined && exitFitsLatestRun(task, fact)) {
      this.relayTasks.recordExit(exit, sourceKey, task.taskId);
      changed.set(`relayExit ${event.id}`, { kind: 'relayExit', eventId: event.id, stream: event.stream, taskId: task.taskId });
      this.saveRelayTask(addRelayFact(task, { ...fact, matchedFrom: event.stream }), changed);
      return;
    }
    this.relayTasks.recordExit(exit, sourceKey, null);
    changed.set(`relayExit ${event.id}`, { kind: 'relayExit', eventId: event.id, stream: event.stream, taskId: null });
  }

  /** When a running task shows up, exits that waited for it are attached, oldest first, while it is the only candidate. */
  private matchWaitingExits(state: RelayTaskState, row: RelayTaskRow, changed: Map<string, ReadModelChange>): void {
    const sourceKey = relaySourceKey(row.appId, row.sourceUrls);
    if (sourceKey === null) return;
    for (const exit of this.relayTasks.unmatchedExits(sourceKey)) {
      const candidates = this.runningWithSource(sourceKey);
      if (candidates.length !== 1 || candidates[0] !== state.taskId) return;
      if (!exitFitsLatestRun(state, exit.fact)) continue;
      this.relayTasks.markExitMatched(exit.eventId, state.taskId);
      changed.set(`relayExit ${exit.eventId}`, { kind: 'relayExit', eventId: exit.eventId, stream: exit.stream, taskId: state.taskId });
      const attached = addRelayFact(state, { ...exit.fact, matchedFrom: exit.stream });
      this.saveRelayTask(attached, changed);
      return; // saveRelayTask matched any further waiting exits if the task still runs
    }
  }
}

/** An exit CSS dated before the task's latest start cannot have ended that run. */
function exitFitsLatestRun(task: RelayTaskState, exit: RelayFact): boolean {
  const latestStart = relayTaskRow(task).runs.at(-1)?.startedAt ?? null;
  return exit.at === null || latestStart === null || latestAt(exit) >= latestStart;
}

/** Resolves once `current()` reaches `position`, checked on every 'applied' event of `changes`. */
export function positionReached(changes: EventEmitter, current: () => bigint, position: bigint): Promise<void> {
  if (current() >= position) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (current() < position) return;
      changes.off('applied', check);
      resolve();
    };
    changes.on('applied', check);
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
