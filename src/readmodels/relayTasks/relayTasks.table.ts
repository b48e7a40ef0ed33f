// The relay-task tables, declared once: tasks, the facts each was folded from, and the TaskExits that carried no task_id.
import { column, table, type RowOf } from '../../processing/table';
import type { RelayAlarmRow, RelayFact, RelayFileRow, RelayRunRow, RelayTaskStatus } from './relayTask.reducer';

export const relayTasksTable = table(
  'relay_tasks',
  {
    taskId: column.text(),
    appId: column.text().orNull(),
    streamId: column.text().orNull(),
    sourceUrls: column.json<string[]>(),
    /** App id + source URLs: how a TaskExit without task_id is matched. */
    sourceKey: column.text().orNull(),
    toUrl: column.text().orNull(),
    status: column.text<RelayTaskStatus>(),
    startedAt: column.integer().orNull(),
    exitedAt: column.integer().orNull(),
    exitCode: column.integer().orNull(),
    exitMessage: column.text().orNull(),
    restartCount: column.integer(),
    runs: column.json<RelayRunRow[]>(),
    files: column.json<RelayFileRow[]>(),
    alarms: column.json<RelayAlarmRow[]>(),
    lastEventAt: column.integer(),
    /** The host of toUrl: the push domain. */
    domain: column.text().orNull(),
    /** How soon runs on VOD sources played their first file (relayFileStarts.ts); null, 0, null for live sources. */
    fileStartDelayMs: column.integer().orNull(),
    fileStartMissed: column.integer(),
    awaitingFileSince: column.integer().orNull(),
  },
  {
    primaryKey: ['taskId'],
    indexes: [
      // The exit code, status and time indexes hold the start too: a listing by when tasks started skips the others without
      // reading their rows. The exit code's holds the status as well: an exit code's tasks by status counted from it alone.
      { name: 'relay_tasks_by_exit_code', on: ['exitCode', 'lastEventAt DESC', 'taskId DESC', 'status', 'startedAt'], forQueriesOnly: true },
      { name: 'relay_tasks_by_status', on: ['status', 'lastEventAt DESC', 'taskId DESC', 'startedAt'], forQueriesOnly: true },
      { name: 'relay_tasks_by_stream', on: ['streamId', 'lastEventAt DESC', 'taskId DESC'], forQueriesOnly: true },
      { name: 'relay_tasks_by_time', on: ['lastEventAt DESC', 'taskId DESC', 'startedAt'], forQueriesOnly: true },
      // The projection's own lookup: running tasks with an exit's source key.
      { name: 'relay_tasks_by_source', on: ['sourceKey', 'status'] },
      // The anomaly views read these tasks alone. Each index also holds the columns its view filters by, so that a page
      // skips the tasks under the threshold, and a count reads the index alone, without a row lookup per task.
      {
        name: 'relay_tasks_file_timed',
        on: ['lastEventAt DESC', 'taskId DESC', 'fileStartDelayMs', 'fileStartMissed', 'awaitingFileSince', 'domain'],
        where: 'file_start_delay_ms IS NOT NULL OR file_start_missed = 1 OR awaiting_file_since IS NOT NULL',
        forQueriesOnly: true,
      },
      { name: 'relay_tasks_restarted', on: ['lastEventAt DESC', 'taskId DESC', 'restartCount', 'domain'], where: 'restart_count > 0', forQueriesOnly: true },
    ],
  },
);

/** The reducer's state of each relay task, its set of facts: one row per fact, so a new fact is one insert however long the task has run. */
export const relayTaskFactsTable = table(
  'relay_task_facts',
  { taskId: column.text(), factId: column.text(), fact: column.json<RelayFact>() },
  { primaryKey: ['taskId', 'factId'], withoutRowid: true },
);

/** TaskExits that carried no task_id: matched to a task (taskId set) or waiting for one (null). */
export const relayExitsTable = table(
  'relay_exits',
  {
    eventId: column.text(),
    stream: column.text(),
    position: column.position(),
    sourceKey: column.text().orNull(),
    exitCode: column.integer().orNull(),
    exitMessage: column.text().orNull(),
    exitedAt: column.integer().orNull(),
    receivedAt: column.integer(),
    taskId: column.text().orNull(),
    /** The fact it adds to a task. */
    fact: column.json<RelayFact>(),
    /** The callback body exactly as received: listed while it waits, whatever answers for the callback log. */
    raw: column.text(),
  },
  {
    primaryKey: ['eventId'],
    indexes: [
      { name: 'relay_exits_unmatched', on: ['position DESC'], where: 'task_id IS NULL' },
      { name: 'relay_exits_unmatched_by_source', on: ['sourceKey'], where: 'task_id IS NULL' },
      // With position: a task's exits come out in log order without a sort.
      { name: 'relay_exits_by_task', on: ['taskId', 'position'], where: 'task_id IS NOT NULL' },
    ],
  },
);

/** What the anomaly views read of a task beside its row (relayFileStarts.ts). */
export const RELAY_TIMING_COLUMNS = ['domain', 'fileStartDelayMs', 'fileStartMissed', 'awaitingFileSince'] as const;

/** A relay task as people query it: every column but the matching key and the anomaly views' timing. */
export type RelayTaskRow = Omit<RowOf<typeof relayTasksTable>, 'sourceKey' | (typeof RELAY_TIMING_COLUMNS)[number]>;
export type RelayExitRow = RowOf<typeof relayExitsTable>;

/** The columns of a RelayTaskRow. */
export const RELAY_TASK_COLUMNS = relayTasksTable.keys.filter(
  (key): key is keyof RelayTaskRow => key !== 'sourceKey' && !(RELAY_TIMING_COLUMNS as readonly string[]).includes(key),
);

/** What a TaskExit without task_id is matched on: the same app id and the same source URLs. */
export function relaySourceKey(appId: string | null, sourceUrls: readonly string[]): string | null {
  return appId === null || sourceUrls.length === 0 ? null : `${appId} ${JSON.stringify(sourceUrls)}`;
}
