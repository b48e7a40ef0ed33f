// The relay-task projection's reads and writes of its own tables: task rows and facts, and the exits waiting for a task.
import { bound } from '../../eventstore/sqlite/boundValue';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import type { FileStartTiming } from './relayFileStarts';
import { relayTaskOf, type RelayFact, type RelayTaskState } from './relayTask.reducer';
import { relayExitsTable, relaySourceKey, relayTaskFactsTable, relayTasksTable, type RelayTaskRow } from './relayTasks.table';

/** A TaskExit without task_id, as the projection keeps it while it waits. */
export interface UnmatchedExit {
  eventId: string;
  stream: string;
  position: bigint;
  fact: RelayFact;
}

export function relayTaskWrites(db: ReadModelDatabase) {
  const loadFacts = db.prepare<[string], string>('SELECT fact FROM relay_task_facts WHERE task_id = ?').pluck();
  const insertFact = relayTaskFactsTable.inserter(db, 'ignore');
  const saveTask = relayTasksTable.inserter(db, 'replace');
  const runningBySource = db.prepare<[string], string>("SELECT task_id FROM relay_tasks WHERE source_key = ? AND status = 'RUNNING'").pluck();
  const insertExit = relayExitsTable.inserter(db, 'ignore');
  const unmatchedBySource = db
    .prepare<[string], { eventId: string; stream: string; position: bigint; fact: string }>(
      `SELECT event_id AS eventId, stream, position, fact FROM relay_exits WHERE task_id IS NULL AND source_key = ${bound('?')} ORDER BY position`,
    )
    .safeIntegers(true);
  const matchExit = db.prepare<[string, string]>('UPDATE relay_exits SET task_id = ? WHERE event_id = ?');
  // Whether an exit may be waiting (the partial index answers): until one is recorded unmatched, a running task looks for none.
  let exitsWaiting = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM relay_exits WHERE task_id IS NULL)').pluck().get() === 1;

  return {
    /** The task's state from its stored facts: read once, then the projection keeps it (committedRelayTasks.ts). */
    load(taskId: string): RelayTaskState | undefined {
      const facts = loadFacts.all(taskId);
      return facts.length === 0 ? undefined : relayTaskOf(taskId, facts.map((fact) => JSON.parse(fact) as RelayFact));
    },
    /** The row, and the facts the stored state lacks. */
    save(row: RelayTaskRow, timing: FileStartTiming, newFacts: readonly RelayFact[]): void {
      saveTask({ ...row, ...timing, sourceKey: relaySourceKey(row.appId, row.sourceUrls) });
      for (const fact of newFacts) insertFact({ taskId: row.taskId, factId: fact.id, fact });
    },
    /** Task ids RUNNING with this source key, as written (rows not saved yet are the caller's to add). */
    runningWithSource(sourceKey: string): string[] {
      return runningBySource.all(sourceKey);
    },
    recordExit(exit: UnmatchedExit, raw: string, sourceKey: string | null, taskId: string | null): void {
      const { fact } = exit;
      insertExit({
        eventId: exit.eventId,
        stream: exit.stream,
        position: exit.position,
        sourceKey,
        exitCode: fact.exitCode ?? null,
        exitMessage: fact.exitMessage ?? null,
        exitedAt: fact.at,
        receivedAt: fact.receivedAt,
        taskId,
        fact,
        raw,
      });
      if (taskId === null) exitsWaiting = true;
    },
    /** Exits waiting with this source key, oldest first. */
    unmatchedExits(sourceKey: string): UnmatchedExit[] {
      if (!exitsWaiting) return [];
      return unmatchedBySource.all(sourceKey).map((row) => ({ ...row, fact: JSON.parse(row.fact) as RelayFact }));
    },
    markExitMatched(eventId: string, taskId: string): void {
      matchExit.run(taskId, eventId);
    },
  };
}
export type RelayTaskWrites = ReturnType<typeof relayTaskWrites>;
