// Reads of the relay-task read model: one task, filtered keyset-paginated listings, a task's matched exits, and exits still waiting.
import { keysetListing } from '../../processing/keysetListing';
import type { Page } from '../../processing/pagination';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { limitBy } from '../../eventstore/sqlite/boundLimit';
import { bound } from '../../eventstore/sqlite/boundValue';
import { CallbackEventType } from '../../domain/callbackEvents';
import type { CallbackLogEntry } from '../callbackLog/callbackLog.table';
import type { RelayFact, RelayTaskStatus } from './relayTask.reducer';
import { RELAY_TASK_COLUMNS, relayExitsTable, relayTasksTable, type RelayTaskRow } from './relayTasks.table';

export interface RelayTaskListFilter {
  exitCode?: number;
  /** Tasks whose exit code is one of these; an empty list matches none. */
  exitCodes?: number[];
  status?: RelayTaskStatus;
  streamId?: string;
  /** On startedAt (ms), the latest run's start: from inclusive, to exclusive; a task never seen starting matches neither. */
  startedFrom?: number;
  startedTo?: number;
}

/** A TaskExit without task_id that was matched to a task: its own stream holds the callback. */
export interface MatchedExit {
  eventId: string;
  stream: string;
  position: bigint;
}

export function relayTaskQueries(db: ReadModelDatabase) {
  const columns = relayTasksTable.selectList(db, { only: RELAY_TASK_COLUMNS });
  const c = (key: Parameters<typeof relayTasksTable.column>[0]) => relayTasksTable.column(key);
  const toRow = (raw: Record<string, unknown>) => relayTasksTable.fromStored(raw) as RelayTaskRow;
  const byTaskId = db.prepare<[string], Record<string, unknown>>(`SELECT ${columns} FROM relay_tasks WHERE task_id = ?`);
  const exitsOfTask = db
    .prepare<[string], MatchedExit>(`SELECT event_id AS eventId, stream, position FROM relay_exits WHERE task_id = ${bound('?')} ORDER BY position`)
    .safeIntegers(true);
  const factsOf = db
    .prepare<[string, string, number], string>(`SELECT fact FROM relay_task_facts WHERE task_id = ${bound('?')} AND fact_id > ? ORDER BY fact_id ${limitBy('?')}`)
    .pluck();
  const list = keysetListing<RelayTaskListFilter, RelayTaskRow>(db, {
    listing: 'relayTasks',
    from: 'relay_tasks',
    columns,
    // Most recent activity first; task_id breaks ties.
    sortKey: [
      { column: c('lastEventAt'), kind: 'integer' },
      { column: c('taskId'), kind: 'text' },
    ],
    filters: {
      exitCode: { column: c('exitCode'), operator: 'equals' },
      exitCodes: { column: c('exitCode'), operator: 'oneOf' },
      status: { column: c('status'), operator: 'equals' },
      streamId: { column: c('streamId'), operator: 'equals' },
      startedFrom: { column: c('startedAt'), operator: 'from' },
      startedTo: { column: c('startedAt'), operator: 'before' },
    },
    // relay_tasks_by_stream, relay_tasks_by_exit_code, relay_tasks_by_status, most selective first.
    indexedFilters: ['streamId', 'exitCode', 'exitCodes', 'status'],
    toRow,
    keyOf: (row) => [row.lastEventAt, row.taskId],
  });
  // A file of the previous version (answering while this one builds) has no timing: its views are empty meanwhile.
  const timed = relayTasksTable.hasColumn(db, 'fileStartMissed');
  const anomalies = (listing: string, where: string) =>
    keysetListing<{ domain?: string }, RelayTaskRow>(db, {
      listing,
      from: 'relay_tasks',
      columns,
      where: timed ? where : '0',
      sortKey: [
        { column: c('lastEventAt'), kind: 'integer' },
        { column: c('taskId'), kind: 'text' },
      ],
      filters: { domain: { column: 'domain', operator: 'equals' } },
      indexedFilters: [],
      toRow,
      keyOf: (row) => [row.lastEventAt, row.taskId],
    });
  // Written as the partial index relay_tasks_file_timed is, so that SQLite reads it alone.
  const slowStarts = anomalies(
    'slowRelayStarts',
    '(file_start_delay_ms IS NOT NULL OR file_start_missed = 1 OR awaiting_file_since IS NOT NULL) AND ' +
      '(file_start_delay_ms > @thresholdMs OR file_start_missed = 1 OR awaiting_file_since < @awaitingBefore)',
  );
  const timingOf = db.prepare<[string], { fileStartDelayMs: number | null; fileStartMissed: number }>(
    timed
      ? 'SELECT file_start_delay_ms AS fileStartDelayMs, file_start_missed AS fileStartMissed FROM relay_tasks WHERE task_id = ?'
      : 'SELECT NULL AS fileStartDelayMs, 0 AS fileStartMissed FROM relay_tasks WHERE task_id = ?',
  );
  const restarting = anomalies('restartingRelayTasks', 'restart_count > 0 AND restart_count >= @minRestarts');
  // relay_exits_unmatched walks the waiting exits newest first; each row holds its callback's body.
  const unmatchedExits = keysetListing<Record<string, never>, CallbackLogEntry>(db, {
    listing: 'unmatchedRelayExits',
    from: 'relay_exits e',
    columns: relayExitsTable.selectList(db, { alias: 'e', only: ['eventId', 'stream', 'position', 'receivedAt', 'raw'] }),
    where: 'e.task_id IS NULL',
    sortKey: [{ column: 'e.position', kind: 'position' }],
    filters: {},
    indexedFilters: [],
    safeIntegers: true,
    toRow: (raw) => ({ ...(relayExitsTable.fromStored(raw) as Omit<CallbackLogEntry, 'type'>), type: CallbackEventType.RelayTaskExited }),
    keyOf: (entry) => [entry.position],
  });

  return {
    byTaskId(taskId: string): RelayTaskRow | null {
      const stored = byTaskId.get(taskId);
      return stored === undefined ? null : toRow(stored);
    },
    /** Most recently active first (lastEventAt, then taskId, descending); `after` is an endCursor of this listing. */
    list(filter: RelayTaskListFilter, first: number, after: string | null): Page<RelayTaskRow> {
      return list(filter, first, after);
    },
    /**
     * Tasks on VOD sources whose first file started more than `thresholdMs` after a TaskStart, or never did (a run
     * ended without one, or the running one has waited longer than that at `now`); most recently active first.
     */
    slowStarts(filter: { domain?: string }, thresholdMs: number, now: number, first: number, after: string | null): Page<RelayTaskRow> {
      return slowStarts(filter, first, after, { thresholdMs, awaitingBefore: now - thresholdMs });
    },
    /** How soon the task's runs played their first VOD file; null for an unknown task. */
    timingOf(taskId: string): { fileStartDelayMs: number | null; fileStartMissed: number } | null {
      return timingOf.get(taskId) ?? null;
    },
    /** Tasks restarted (a run after the first) at least `minRestarts` times; most recently active first. */
    restarting(filter: { domain?: string }, minRestarts: number, first: number, after: string | null): Page<RelayTaskRow> {
      return restarting(filter, first, after, { minRestarts });
    },
    /** At most `limit` of the task's facts (its reducer state) after the one with id `afterFactId`, by id: a long task's a page at a time. */
    factsOf(taskId: string, afterFactId: string, limit: number): RelayFact[] {
      return factsOf.all(taskId, afterFactId, limit).map((fact) => JSON.parse(fact) as RelayFact);
    },
    /** TaskExits without task_id matched to this task, oldest first: their streams belong to the task's events. */
    exitsOfTask(taskId: string): MatchedExit[] {
      return exitsOfTask.all(taskId);
    },
    /** TaskExits without task_id that no task claims (yet), newest first, as the callback log shows them. */
    unmatchedRelayExits(first: number, after: string | null): Page<CallbackLogEntry> {
      return unmatchedExits({}, first, after);
    },
  };
}
export type RelayTaskQueries = ReturnType<typeof relayTaskQueries>;
