// The relay-task projection: each task's facts folded into its row, and TaskExits without task_id matched to their task or kept waiting.
import { CallbackEventType } from '../../domain/callbackEvents';
import { parseStreamName, StreamCategory } from '../../domain/streamNames';
import type { RecordedEvent } from '../../eventstore/eventStore';
import { defineProjection, type OpenProjection, type ReadModelDatabase } from '../../processing/projectionDefinition';
import { toProjectedEvent, type ProjectedEvent } from '../projectedEvent';
import { CommittedRelayTasks } from './committedRelayTasks';
import { taskForExit, waitingExitFor } from './relayExitMatching';
import {
  addRelayFact,
  emptyRelayTask,
  reduceRelayTask,
  relayFactOf,
  relayFactsSince,
  relayTaskRow,
  relayTaskTiming,
  type RelayTaskRow,
  type RelayTaskState,
} from './relayTask.reducer';
import { relayExitsTable, relaySourceKey, relayTaskFactsTable, relayTasksTable } from './relayTasks.table';
import { relayTaskWrites, type RelayTaskWrites, type UnmatchedExit } from './relayTasks.writes';

/** A task's row changed, or an exit without task_id was recorded (matched to `taskId`, or waiting). */
export type RelayTaskChange =
  | { kind: 'relayTask'; row: RelayTaskRow }
  | { kind: 'relayExit'; eventId: string; stream: string; taskId: string | null };

class RelayTaskProjection implements OpenProjection<RelayTaskChange> {
  private readonly writes: RelayTaskWrites;
  /** `stored`: how many of the state's facts are stored already. */
  private readonly unsavedTasks = new Map<string, { state: RelayTaskState; row: RelayTaskRow; stored: number }>();
  private readonly committedTasks = new CommittedRelayTasks();
  /** Task states this batch wrote: committed, they replace the kept ones. */
  private readonly writtenTasks: RelayTaskState[] = [];
  /** Source key → ids of unsaved tasks whose row is RUNNING: exits without task_id are matched without writing first. */
  private readonly unsavedRunningBySource = new Map<string, Set<string>>();
  private changed = new Map<string, RelayTaskChange>();

  constructor(db: ReadModelDatabase) {
    this.writes = relayTaskWrites(db);
  }

  apply(events: readonly RecordedEvent[]): RelayTaskChange[] {
    this.changed = new Map();
    this.unsavedTasks.clear(); // left over only if a previous batch failed and rolled back
    this.unsavedRunningBySource.clear();
    for (const recorded of events) {
      const event = toProjectedEvent(recorded);
      if (event === null) continue;
      const stream = parseStreamName(event.interpretedStream ?? event.stream);
      if (stream?.category === StreamCategory.relayTask) {
        const before = this.loadTask(stream.id) ?? emptyRelayTask(stream.id);
        const after = reduceRelayTask(before, event);
        if (after !== before) this.saveTask(after);
      } else if (stream?.category === StreamCategory.relayExit) {
        this.recordExitWithoutTaskId(event, recorded.data.raw as string);
      }
    }
    // Task rows are written once per batch, with the facts their stored state lacks.
    for (const { state, row, stored } of this.unsavedTasks.values()) {
      this.writes.save(row, relayTaskTiming(state, row), relayFactsSince(state, stored));
      this.writtenTasks.push(state);
    }
    this.unsavedTasks.clear();
    this.unsavedRunningBySource.clear();
    return [...this.changed.values()];
  }

  committed(): void {
    for (const state of this.writtenTasks.splice(0)) this.committedTasks.set(state);
  }

  rolledBack(): void {
    this.writtenTasks.length = 0; // the kept states are still those committed
  }

  private loadTask(taskId: string): RelayTaskState | undefined {
    const known = this.unsavedTasks.get(taskId)?.state ?? this.committedTasks.get(taskId);
    if (known !== undefined) return known;
    const stored = this.writes.load(taskId);
    if (stored !== undefined) this.committedTasks.set(stored);
    return stored;
  }

  /** Tasks RUNNING with this source key: the written rows, as this batch has changed them so far. */
  private runningWithSource(sourceKey: string): string[] {
    const written = this.writes.runningWithSource(sourceKey).filter((taskId) => !this.unsavedTasks.has(taskId));
    return [...written, ...(this.unsavedRunningBySource.get(sourceKey) ?? [])];
  }

  private saveTask(state: RelayTaskState): void {
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
    this.changed.set(`relayTask ${state.taskId}`, { kind: 'relayTask', row });
    if (row.status === 'RUNNING' && sourceKey !== null) this.matchWaitingExit(state, sourceKey);
  }

  /** A TaskExit without task_id joins the one running task with its app id and source URLs, or waits. */
  private recordExitWithoutTaskId(event: ProjectedEvent, raw: string): void {
    const fact = relayFactOf(event);
    if (fact === null || fact.kind !== 'exit') return;
    const exit: UnmatchedExit = { eventId: event.id, stream: event.stream, position: event.position, fact };
    const sourceKey = relaySourceKey(fact.appId, fact.sourceUrls);
    const candidates = sourceKey === null ? [] : this.runningWithSource(sourceKey);
    const task = taskForExit(fact, candidates, (taskId) => this.loadTask(taskId));
    this.writes.recordExit(exit, raw, sourceKey, task?.taskId ?? null);
    this.changed.set(`relayExit ${event.id}`, { kind: 'relayExit', eventId: event.id, stream: event.stream, taskId: task?.taskId ?? null });
    if (task !== null) this.saveTask(addRelayFact(task, { ...fact, matchedFrom: event.stream }));
  }

  /** When a running task shows up, an exit that waited for it is attached; saveTask then looks for the next one. */
  private matchWaitingExit(state: RelayTaskState, sourceKey: string): void {
    const waiting = this.writes.unmatchedExits(sourceKey);
    if (waiting.length === 0) return; // the common case, without looking for the tasks running with the key
    const exit = waitingExitFor(state, this.runningWithSource(sourceKey), waiting);
    if (exit === null) return;
    this.writes.markExitMatched(exit.eventId, state.taskId);
    this.changed.set(`relayExit ${exit.eventId}`, { kind: 'relayExit', eventId: exit.eventId, stream: exit.stream, taskId: state.taskId });
    this.saveTask(addRelayFact(state, { ...exit.fact, matchedFrom: exit.stream }));
  }
}

export const relayTasksProjection = defineProjection<RelayTaskChange>({
  name: 'relayTasks',
  // 2: the timing of each task's first VOD file and its push domain, for the anomaly views. 3: their indexes hold what
  // the views filter by (counted from the index alone). 4: the time and status indexes hold when each task started. 5: the
  // exit code index holds the status and the start (an exit code's tasks by status counted a row read each, 60-80 ms).
  version: 5,
  canHandle: [
    CallbackEventType.RelayTaskStarted,
    CallbackEventType.RelayVodFileStarted,
    CallbackEventType.RelayVodFileFinished,
    CallbackEventType.RelayTaskExited,
    CallbackEventType.RelayTaskAlarmRaised,
    // One stored before its type was modelled may be read as a relay event today.
    CallbackEventType.UnrecognizedCallbackReceived,
  ],
  tables: [relayTasksTable, relayTaskFactsTable, relayExitsTable],
  open: (db) => new RelayTaskProjection(db),
});
