// Rows of the relay-task read model, and the lookups that match a TaskExit without task_id.
import { relayTaskOf, type RelayFact, type RelayTaskRow, type RelayTaskState } from '../projections/relayTask.reducer';
import type { ReadModelDatabase } from './readModelDb';

/** What a TaskExit without task_id is matched on: the same app id and the same source URLs. */
export function relaySourceKey(appId: string | null, sourceUrls: readonly string[]): string | null {
  return appId === null || sourceUrls.length === 0 ? null : `${appId} ${JSON.stringify(sourceUrls)}`;
}

export interface UnmatchedExit {
  eventId: string;
  stream: string;
  position: bigint;
  fact: RelayFact;
}

export function relayTaskTable(db: ReadModelDatabase) {
  const loadFacts = db.prepare<[string], string>('SELECT fact FROM relay_task_facts WHERE task_id = ?').pluck();
  const insertFact = db.prepare<[string, string, string]>('INSERT OR IGNORE INTO relay_task_facts (task_id, fact_id, fact) VALUES (?, ?, ?)');
  // Positional parameters: binding named ones from a spread object costs more than the upsert itself.
  const save = db.prepare(`
    INSERT OR REPLACE INTO relay_tasks (
      task_id, app_id, stream_id, source_urls, source_key, to_url, status, started_at, exited_at,
      exit_code, exit_message, restart_count, runs, files, alarms, last_event_at
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const runningBySource = db
    .prepare<[string], string>("SELECT task_id FROM relay_tasks WHERE source_key = ? AND status = 'RUNNING'")
    .pluck();
  const insertExit = db.prepare(`
    INSERT OR IGNORE INTO relay_exits (event_id, stream, position, source_key, exit_code, exit_message, exited_at, received_at, task_id, fact)
    VALUES (@eventId, @stream, @position, @sourceKey, @exitCode, @exitMessage, @exitedAt, @receivedAt, @taskId, @fact)`);
  const unmatchedBySource = db
    .prepare<[string], { event_id: string; stream: string; position: bigint; fact: string }>(
      'SELECT event_id, stream, position, fact FROM relay_exits WHERE task_id IS NULL AND source_key = ? ORDER BY position',
    )
    .safeIntegers(true);
  const matchExit = db.prepare<[string, string]>('UPDATE relay_exits SET task_id = ? WHERE event_id = ?');

  return {
    /** The task's state from its stored facts: read once, then the projector keeps it (committedRelayTasks.ts). */
    load(taskId: string): RelayTaskState | undefined {
      const facts = loadFacts.all(taskId);
      return facts.length === 0 ? undefined : relayTaskOf(taskId, facts.map((fact) => JSON.parse(fact) as RelayFact));
    },
    /** The row, and the facts the stored state lacks. */
    save(row: RelayTaskRow, newFacts: readonly RelayFact[]): void {
      save.run(
        row.taskId, row.appId, row.streamId, JSON.stringify(row.sourceUrls), relaySourceKey(row.appId, row.sourceUrls),
        row.toUrl, row.status, row.startedAt, row.exitedAt, row.exitCode, row.exitMessage, row.restartCount,
        JSON.stringify(row.runs), JSON.stringify(row.files), JSON.stringify(row.alarms), row.lastEventAt,
      );
      for (const fact of newFacts) insertFact.run(row.taskId, fact.id, JSON.stringify(fact));
    },
    /** Task ids RUNNING with this source key, as written (rows not saved yet are the caller's to add). */
    runningWithSource(sourceKey: string): string[] {
      return runningBySource.all(sourceKey);
    },
    recordExit(exit: UnmatchedExit, sourceKey: string | null, taskId: string | null): void {
      const { fact } = exit;
      insertExit.run({
        eventId: exit.eventId,
        stream: exit.stream,
        position: exit.position,
        sourceKey,
        exitCode: fact.exitCode ?? null,
        exitMessage: fact.exitMessage ?? null,
        exitedAt: fact.at,
        receivedAt: fact.receivedAt,
        taskId,
        fact: JSON.stringify(fact),
      });
    },
    unmatchedExits(sourceKey: string): UnmatchedExit[] {
      return unmatchedBySource.all(sourceKey).map((row) => ({
        eventId: row.event_id,
        stream: row.stream,
        position: row.position,
        fact: JSON.parse(row.fact) as RelayFact,
      }));
    },
    markExitMatched(eventId: string, taskId: string): void {
      matchExit.run(taskId, eventId);
    },
  };
}
export type RelayTaskTable = ReturnType<typeof relayTaskTable>;
