// Reads read-model rows straight from SQLite, for tests that check what the processors wrote.
import type { ServedReadModels } from '../../src/processing/servedReadModels';

export function sessionRowOf(readModels: ServedReadModels, sequence: string): Record<string, unknown> | undefined {
  return readModels.database('sessions').prepare('SELECT * FROM sessions WHERE sequence = ?').get(sequence) as Record<string, unknown> | undefined;
}

export function relayTaskRowOf(readModels: ServedReadModels, taskId: string): Record<string, unknown> | undefined {
  const row = readModels.database('relayTasks').prepare('SELECT * FROM relay_tasks WHERE task_id = ?').get(taskId) as Record<string, unknown> | undefined;
  if (row === undefined) return undefined;
  for (const column of ['source_urls', 'runs', 'files', 'alarms']) row[column] = JSON.parse(row[column] as string);
  return row;
}

export function relayExitRows(readModels: ServedReadModels): Array<{ event_id: string; task_id: string | null; exit_code: number | null }> {
  return readModels.database('relayTasks').prepare('SELECT event_id, task_id, exit_code FROM relay_exits ORDER BY position').all() as Array<{
    event_id: string;
    task_id: string | null;
    exit_code: number | null;
  }>;
}
