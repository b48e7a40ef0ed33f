// Reads of the relay-task read model for GraphQL: one task, filtered keyset-paginated listings, and a task's matched exits.
import type { RelayFact, RelayTaskRow, RelayTaskStatus } from '../projections/relayTask.reducer';
import { keysetListing } from './keysetListing';
import type { Page } from './pagination';
import type { ReadModelDatabase } from './readModelDb';

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

const RELAY_TASK_COLUMNS = `
  task_id AS taskId, app_id AS appId, stream_id AS streamId, source_urls AS sourceUrls, to_url AS toUrl,
  status, started_at AS startedAt, exited_at AS exitedAt, exit_code AS exitCode, exit_message AS exitMessage,
  restart_count AS restartCount, runs, files, alarms, last_event_at AS lastEventAt`;

type StoredRelayTask = Omit<RelayTaskRow, 'sourceUrls' | 'runs' | 'files' | 'alarms'> & {
  sourceUrls: string;
  runs: string;
  files: string;
  alarms: string;
};

/** The JSON columns back to the arrays relayTaskRow() made. */
function toRelayTaskRow(stored: StoredRelayTask): RelayTaskRow {
  return {
    ...stored,
    sourceUrls: JSON.parse(stored.sourceUrls) as RelayTaskRow['sourceUrls'],
    runs: JSON.parse(stored.runs) as RelayTaskRow['runs'],
    files: JSON.parse(stored.files) as RelayTaskRow['files'],
    alarms: JSON.parse(stored.alarms) as RelayTaskRow['alarms'],
  };
}

export function relayTaskQueries(db: ReadModelDatabase) {
  const byTaskId = db.prepare<[string], StoredRelayTask>(`SELECT ${RELAY_TASK_COLUMNS} FROM relay_tasks WHERE task_id = ?`);
  const exitsOfTask = db
    .prepare<[string], MatchedExit>('SELECT event_id AS eventId, stream, position FROM relay_exits WHERE task_id = ? ORDER BY position')
    .safeIntegers(true);
  const factsOf = db
    .prepare<[string, string, number], string>('SELECT fact FROM relay_task_facts WHERE task_id = ? AND fact_id > ? ORDER BY fact_id LIMIT ?')
    .pluck();
  const list = keysetListing<RelayTaskListFilter, RelayTaskRow>(db, {
    listing: 'relayTasks',
    from: 'relay_tasks',
    columns: RELAY_TASK_COLUMNS,
    // Most recent activity first; task_id breaks ties.
    sortKey: [
      { column: 'last_event_at', kind: 'integer' },
      { column: 'task_id', kind: 'text' },
    ],
    filters: {
      exitCode: { column: 'exit_code', operator: 'equals' },
      exitCodes: { column: 'exit_code', operator: 'oneOf' },
      status: { column: 'status', operator: 'equals' },
      streamId: { column: 'stream_id', operator: 'equals' },
      startedFrom: { column: 'started_at', operator: 'from' },
      startedTo: { column: 'started_at', operator: 'before' },
    },
    // relay_tasks_by_stream, relay_tasks_by_exit_code, relay_tasks_by_status, most selective first.
    indexedFilters: ['streamId', 'exitCode', 'exitCodes', 'status'],
    toRow: (raw) => toRelayTaskRow(raw as unknown as StoredRelayTask),
    keyOf: (row) => [row.lastEventAt, row.taskId],
  });

  return {
    byTaskId(taskId: string): RelayTaskRow | null {
      const stored = byTaskId.get(taskId);
      return stored === undefined ? null : toRelayTaskRow(stored);
    },
    /** Most recently active first (lastEventAt, then taskId, descending); `after` is an endCursor of this listing. */
    list(filter: RelayTaskListFilter, first: number, after: string | null): Page<RelayTaskRow> {
      return list(filter, first, after);
    },
    /** At most `limit` of the task's facts (its reducer state) after the one with id `afterFactId`, by id: a long task's a page at a time. */
    factsOf(taskId: string, afterFactId: string, limit: number): RelayFact[] {
      return factsOf.all(taskId, afterFactId, limit).map((fact) => JSON.parse(fact) as RelayFact);
    },
    /** TaskExits without task_id matched to this task, oldest first: their streams belong to the task's events. */
    exitsOfTask(taskId: string): MatchedExit[] {
      return exitsOfTask.all(taskId);
    },
  };
}
export type RelayTaskQueries = ReturnType<typeof relayTaskQueries>;
