// Which task a TaskExit without task_id belongs to: the one task running with its sources, if the exit can have ended its latest run.
import { exitFitsLatestRun, taskForExit, waitingExitFor } from '../../src/readmodels/relayTasks/relayExitMatching';
import { relayFactOf, relayTaskOf, type RelayFact, type RelayTaskState } from '../../src/readmodels/relayTasks/relayTask.reducer';
import { taskExited, taskStarted } from '../support/projectedEvents';

const T = 1_700_000_000_000;
const fact = (event: Parameters<typeof relayFactOf>[0]): RelayFact => relayFactOf(event)!;
const running = (taskId: string, startedAt: number): RelayTaskState => relayTaskOf(taskId, [fact(taskStarted(taskId, { task_start_time: startedAt }))]);
const exitAt = (at: number): RelayFact => fact(taskExited(null, { task_exit_time: at }));

describe('exitFitsLatestRun', () => {
  it('takes an exit dated at or after the latest start, or not dated at all', () => {
    const task = running('T1', T);
    expect(exitFitsLatestRun(task, exitAt(T + 1))).toBe(true);
    expect(exitFitsLatestRun(task, exitAt(T))).toBe(true);
    expect(exitFitsLatestRun(task, exitAt(0))).toBe(true); // task_exit_time 0: CSS gave no time
  });

  it('refuses an exit CSS dated before the latest start: it cannot have ended that run', () => {
    expect(exitFitsLatestRun(running('T1', T), exitAt(T - 1))).toBe(false);
  });
});

describe('taskForExit', () => {
  const tasks = new Map([
    ['T1', running('T1', T)],
    ['T2', running('T2', T)],
  ]);
  const taskOf = (taskId: string) => tasks.get(taskId);

  it('gives the exit to the one task running with its source key', () => {
    expect(taskForExit(exitAt(T + 5), ['T1'], taskOf)?.taskId).toBe('T1');
  });

  it('keeps it waiting when none or several run with that key, or when it cannot have ended the run', () => {
    expect(taskForExit(exitAt(T + 5), [], taskOf)).toBeNull();
    expect(taskForExit(exitAt(T + 5), ['T1', 'T2'], taskOf)).toBeNull();
    expect(taskForExit(exitAt(T - 5), ['T1'], taskOf)).toBeNull();
    expect(taskForExit(exitAt(T + 5), ['unknown'], taskOf)).toBeNull();
  });
});

describe('waitingExitFor', () => {
  const waiting = [
    { eventId: 'early', fact: exitAt(T - 10) },
    { eventId: 'first', fact: exitAt(T + 10) },
    { eventId: 'second', fact: exitAt(T + 20) },
  ];

  it('attaches the oldest waiting exit that can have ended the latest run, when the task is the only one running with the key', () => {
    expect(waitingExitFor(running('T1', T), ['T1'], waiting)?.eventId).toBe('first');
  });

  it('attaches none while another task runs with the same key, or when none fits', () => {
    expect(waitingExitFor(running('T1', T), ['T1', 'T2'], waiting)).toBeNull();
    expect(waitingExitFor(running('T1', T), ['T2'], waiting)).toBeNull();
    expect(waitingExitFor(running('T1', T + 100), ['T1'], waiting)).toBeNull();
  });
});
