// Reads read-model rows straight from SQLite, for tests that check what the projector wrote.
import type { ReadModelDatabase } from '../../src/readmodel/readModelDb';

export function sessionRowOf(db: ReadModelDatabase, sequence: string): Record<string, unknown> | undefined {
  return db.prepare('SELECT * FROM sessions WHERE sequence = ?').get(sequence) as Record<string, unknown> | undefined;
}

export function relayTaskRowOf(db: ReadModelDatabase, taskId: string): Record<string, unknown> | undefined {
  const row = db.prepare('SELECT * FROM relay_tasks WHERE task_id = ?').get(taskId) as Record<string, unknown> | undefined;
  if (row === undefined) return undefined;
  for (const column of ['source_urls', 'runs', 'files', 'alarms']) row[column] = JSON.parse(row[column] as string);
  return row;
}

export function relayExitRows(db: ReadModelDatabase): Array<{ event_id: string; task_id: string | null; exit_code: number | null }> {
  return db.prepare('SELECT event_id, task_id, exit_code FROM relay_exits ORDER BY position').all() as Array<{
    event_id: string;
    task_id: string | null;
    exit_code: number | null;
  }>;
}
