// The relay-task projection against a real read-model file: a task's runs from its facts in any order, exits without task_id matched or kept waiting.
import { relayTasksProjection, type RelayTaskChange } from '../../src/readmodels/relayTasks/relayTasks.projection';
import { relayCallback } from '../support/callbackBodies';
import { callback, projectionSpec } from '../support/projectionSpec';

const SOURCE = '["http://origin.example/live/a.m3u8"]\n';
const start = (taskId: string, at: number, source = SOURCE) => callback(relayCallback('TaskStart', { task_id: taskId, source_urls: source, msg: JSON.stringify({ task_start_time: at }) }));
const exit = (extra: Record<string, unknown>, at: number, code = -22) =>
  callback(relayCallback('TaskExit', { source_urls: SOURCE, msg: JSON.stringify({ code, message: 'write packet error.', task_exit_time: at }), ...extra }));
const file = (taskId: string, kind: 'VodSourceFileStart' | 'VodSourceFileFinish', eventTime: number) =>
  callback(relayCallback(kind, { task_id: taskId, source_urls: SOURCE, event_time: String(eventTime), msg: JSON.stringify({ index: 0, url: 'http://vod/0.mp4', duration: 30 }) }));

const T = 1_700_000_000_000;

describe('relay-task projection', () => {
  const spec = projectionSpec(relayTasksProjection);

  it('folds a task: started, a file played, exited', () => {
    spec
      .given(start('T1', T))
      .when([file('T1', 'VodSourceFileStart', T / 1000 + 1), file('T1', 'VodSourceFileFinish', T / 1000 + 31), exit({ task_id: 'T1' }, T + 40_000)])
      .then({
        relay_tasks: [
          {
            taskId: 'T1',
            status: 'EXITED',
            sourceUrls: ['http://origin.example/live/a.m3u8'],
            startedAt: T,
            exitedAt: T + 40_000,
            exitCode: -22,
            restartCount: 0,
            files: [{ run: 0, index: 0, url: 'http://vod/0.mp4', durationSeconds: 30, startedAt: T + 1000, finishedAt: T + 31_000 }],
          },
        ],
        relay_task_facts: [{ taskId: 'T1' }, { taskId: 'T1' }, { taskId: 'T1' }, { taskId: 'T1' }],
      });
  });

  it('gives the same rows whatever order the facts arrive in, and when they arrive twice', () => {
    const facts = [start('T1', T), file('T1', 'VodSourceFileStart', T / 1000 + 1), exit({ task_id: 'T1' }, T + 40_000), start('T1', T + 60_000)];
    let inOrder: unknown;
    spec.given().when(facts).then(({ rows }) => (inOrder = rows('relay_tasks')));
    expect(inOrder).toEqual([expect.objectContaining({ status: 'RUNNING', restartCount: 1 })]);
    spec.given().when(facts, { order: 'reversed' }).then(({ rows }) => expect(rows('relay_tasks')).toEqual(inOrder));
    spec.given().when(facts, { times: 2 }).then(({ rows }) => expect(rows('relay_tasks')).toEqual(inOrder));
  });

  it('attaches a TaskExit without task_id to the one running task with its app id and sources', () => {
    spec
      .given(start('T1', T))
      .when([exit({}, T + 1000)])
      .then(({ rows, changes }) => {
        expect(rows('relay_tasks')).toEqual([expect.objectContaining({ taskId: 'T1', status: 'EXITED', exitCode: -22 })]);
        expect(rows('relay_exits')).toEqual([expect.objectContaining({ taskId: 'T1', exitCode: -22, raw: expect.stringContaining('TaskExit') })]);
        expect(changes.map((c: RelayTaskChange) => c.kind)).toEqual(['relayExit', 'relayTask']);
      });
  });

  it('keeps an exit waiting while two tasks run with its sources, and attaches it when the only one left running shows up', () => {
    spec
      .given(start('S1', T), start('S2', T))
      .when([exit({}, T + 1000)])
      .then({ relay_exits: [{ taskId: null, exitCode: -22 }], relay_tasks: [{ taskId: 'S1', status: 'RUNNING' }, { taskId: 'S2', status: 'RUNNING' }] });
    spec
      .given(start('S1', T), start('S2', T), exit({}, T + 1000, -5))
      .when([exit({ task_id: 'S2' }, T + 500), file('S1', 'VodSourceFileStart', T / 1000 + 1)])
      .then({ relay_exits: [{ taskId: 'S1', exitCode: -5 }], relay_tasks: [{ taskId: 'S1', status: 'EXITED', exitCode: -5 }, { taskId: 'S2', status: 'EXITED' }] });
  });

  it('attaches a waiting exit when its task shows up later', () => {
    spec
      .given(exit({}, T + 1000, -1))
      .when([start('L1', T)])
      .then({ relay_exits: [{ taskId: 'L1', exitCode: -1 }], relay_tasks: [{ taskId: 'L1', status: 'EXITED', exitCode: -1 }] });
  });

  it('attaches an exit that waited before the file was closed when its task shows up after it opened again', () => {
    spec
      .given(exit({}, T + 1000, -1))
      .when([start('L1', T)], { reopened: true })
      .then({ relay_exits: [{ taskId: 'L1', exitCode: -1 }], relay_tasks: [{ taskId: 'L1', status: 'EXITED', exitCode: -1 }] });
  });
});
