// Which task a TaskExit without task_id belongs to: pure decisions over the tasks it could have ended. The projection reads and writes.
import { latestAt, relayTaskRow, type RelayFact, type RelayTaskState } from './relayTask.reducer';

/** An exit CSS dated before the task's latest start cannot have ended that run. */
export function exitFitsLatestRun(task: RelayTaskState, exit: RelayFact): boolean {
  const latestStart = relayTaskRow(task).runs.at(-1)?.startedAt ?? null;
  return exit.at === null || latestStart === null || latestAt(exit) >= latestStart;
}

/**
 * The task an exit joins: the one task RUNNING with the exit's app id and source URLs, when the exit can have
 * ended its latest run. Null when there are none or several, or it cannot: the exit waits.
 */
export function taskForExit(
  exit: RelayFact,
  runningWithSource: readonly string[],
  taskOf: (taskId: string) => RelayTaskState | undefined,
): RelayTaskState | null {
  if (runningWithSource.length !== 1) return null;
  const task = taskOf(runningWithSource[0]!);
  return task !== undefined && exitFitsLatestRun(task, exit) ? task : null;
}

/**
 * A task that runs (again) takes the oldest waiting exit with its source key that can have ended its latest run,
 * as long as it is the only task running with that key; null when it takes none.
 */
export function waitingExitFor<Exit extends { fact: RelayFact }>(
  task: RelayTaskState,
  runningWithSource: readonly string[],
  waitingOldestFirst: readonly Exit[],
): Exit | null {
  if (runningWithSource.length !== 1 || runningWithSource[0] !== task.taskId) return null;
  return waitingOldestFirst.find((exit) => exitFitsLatestRun(task, exit.fact)) ?? null;
}
