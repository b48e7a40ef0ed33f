import { emptyRelayTask, reduceRelayTask, relayTaskRow } from '../../src/readmodels/relayTasks/relayTask.reducer';
import {
  fileFinished,
  fileStarted,
  foldRelayTask,
  fromSeed,
  RECEIVED_AT,
  SOURCE_URLS,
  taskAlarm,
  taskExited,
  taskStarted,
  TO_URL,
} from '../support/projectedEvents';
import { seedExamples } from '../support/seedExamples';

const TASK = '118148';
const T0 = 1_700_000_000_000; // a task_start_time, ms
const seconds = (ms: number) => Math.floor(ms / 1000); // event_time is whole unix seconds
const FILE = 'http://example.com/vod/file-0.mp4';

describe('relay task reducer', () => {
  it('given TaskStart, VodSourceFileStart and VodSourceFileFinish, then there is one RUNNING run with the file', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0, event_time: seconds(T0) }),
      fileStarted(TASK, { index: 0, url: FILE, duration: 14920, event_time: seconds(T0) + 1 }),
      fileFinished(TASK, { index: 0, url: FILE, duration: 14920, event_time: seconds(T0) + 14921 }),
    ]);

    expect(row).toEqual({
      taskId: TASK,
      appId: '4',
      streamId: 'testvod',
      sourceUrls: SOURCE_URLS,
      toUrl: TO_URL,
      status: 'RUNNING',
      startedAt: T0,
      exitedAt: null,
      exitCode: null,
      exitMessage: null,
      restartCount: 0,
      runs: [{ startedAt: T0, exitedAt: null, exitCode: null, exitMessage: null }],
      files: [
        {
          run: 0,
          index: 0,
          url: FILE,
          durationSeconds: 14920,
          startedAt: (seconds(T0) + 1) * 1000,
          finishedAt: (seconds(T0) + 14921) * 1000,
        },
      ],
      alarms: [],
      lastEventAt: (seconds(T0) + 14921) * 1000,
    });
  });

  it('given a TaskStart in ms, when its first file starts within the same second (event_time), then the file is in that run', () => {
    const start = T0 + 700; // CSS: VodSourceFileStart comes within 2 s of TaskStart
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: start, event_time: seconds(start) }),
      fileStarted(TASK, { index: 0, url: FILE, event_time: seconds(start + 200) }),
      taskAlarm(TASK, { type: 'PullFileUnstable', event_time: seconds(start + 250) }),
    ]);

    expect(row.runs).toHaveLength(1);
    expect(row.restartCount).toBe(0);
    expect(row.files).toEqual([expect.objectContaining({ run: 0, index: 0, startedAt: seconds(start) * 1000 })]);
    expect(row.alarms).toEqual([expect.objectContaining({ run: 0 })]);
  });

  it('given the documents examples, then source_urls is a real array, and a file start and finish of one index are one file', () => {
    const seeds = seedExamples().map((e, i) => fromSeed(e.raw, { receivedAt: RECEIVED_AT + i * 1000 }));
    const row = foldRelayTask('118145', seeds.filter((e) => e.stream === 'relaytask-118145'));

    expect(row.sourceUrls).toEqual(['http://yourURL.cn/live/normal_466247620*****3100448-upload-216b/playlist.m3u8']);
    // The examples' Start and Finish of index 0 were anonymized with different URLs: one file still.
    expect(row.files).toHaveLength(1);
    expect(row.files[0]).toMatchObject({ run: 0, index: 0, durationSeconds: 14920 });
    expect(row.files[0]!.startedAt).not.toBeNull();
    expect(row.files[0]!.finishedAt).not.toBeNull();
    // No TaskStart of this task was seen: one run, its start unknown.
    expect(row.runs).toEqual([{ startedAt: null, exitedAt: null, exitCode: null, exitMessage: null }]);
    expect(row.status).toBe('RUNNING');
  });

  it('given a TaskExit whose code is the string "-22", then the exit code is the integer -22 and the task EXITED', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0 }),
      taskExited(TASK, { code: '-22', message: 'write packet error.', task_exit_time: T0 + 60_000 }),
    ]);

    expect(row).toMatchObject({ status: 'EXITED', exitCode: -22, exitMessage: 'write packet error.', exitedAt: T0 + 60_000 });
    expect(row.runs).toEqual([{ startedAt: T0, exitedAt: T0 + 60_000, exitCode: -22, exitMessage: 'write packet error.' }]);
  });

  it('given a TaskExit with a numeric code, then the exit code is that integer', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0 }),
      taskExited(TASK, { code: 0, message: 'ok', task_exit_time: T0 + 1 }),
    ]);

    expect(row).toMatchObject({ status: 'EXITED', exitCode: 0, exitMessage: 'ok' });
  });

  it('given an exited run, when a TaskStart with a later task_start_time arrives, then the task runs again with its runs kept', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0 }),
      taskExited(TASK, { code: -22, message: 'write packet error.', task_exit_time: T0 + 60_000 }),
      taskStarted(TASK, { task_start_time: T0 + 65_000 }),
    ]);

    expect(row).toMatchObject({ status: 'RUNNING', startedAt: T0 + 65_000, exitedAt: null, exitCode: null, restartCount: 1 });
    expect(row.runs).toEqual([
      { startedAt: T0, exitedAt: T0 + 60_000, exitCode: -22, exitMessage: 'write packet error.' },
      { startedAt: T0 + 65_000, exitedAt: null, exitCode: null, exitMessage: null },
    ]);
  });

  it('given two runs, then a timed exit belongs to the run whose start precedes it, whatever the arrival order', () => {
    const events = [
      taskExited(TASK, { code: -1, message: 'second', task_exit_time: T0 + 200_000 }),
      taskStarted(TASK, { task_start_time: T0 + 100_000 }),
      taskExited(TASK, { code: -22, message: 'first', task_exit_time: T0 + 50_000 }),
      taskStarted(TASK, { task_start_time: T0 }),
    ];

    const row = foldRelayTask(TASK, events);

    expect(row.runs.map((r) => [r.startedAt, r.exitCode])).toEqual([
      [T0, -22],
      [T0 + 100_000, -1],
    ]);
    expect(row).toMatchObject({ status: 'EXITED', exitCode: -1, exitMessage: 'second', restartCount: 1 });
  });

  it('given a timed exit dated before every known start, then it ends a run whose start was never seen', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0 }),
      taskExited(TASK, { code: -5, message: 'earlier run', task_exit_time: T0 - 10_000 }),
    ]);

    expect(row.runs).toEqual([
      { startedAt: null, exitedAt: T0 - 10_000, exitCode: -5, exitMessage: 'earlier run' },
      { startedAt: T0, exitedAt: null, exitCode: null, exitMessage: null },
    ]);
    expect(row).toMatchObject({ status: 'RUNNING', restartCount: 1, exitCode: null });
  });

  it('given one run, when an exit without any time arrives, then it ends that run and shows when it was received', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0 }),
      taskExited(TASK, { code: -22, task_exit_time: 0 }, { receivedAt: RECEIVED_AT + 9000 }),
    ]);

    expect(row.runs).toEqual([{ startedAt: T0, exitedAt: RECEIVED_AT + 9000, exitCode: -22, exitMessage: 'write packet error.' }]);
    expect(row.status).toBe('EXITED');
  });

  it('given the documents examples (no times at all), then starts and the matched exit make one run shown at receipt', () => {
    const seeds = seedExamples().map((e, i) => fromSeed(e.raw, { receivedAt: RECEIVED_AT + i * 1000 }));
    const starts = seeds.filter((e) => e.stream === `relaytask-${TASK}`);
    const exit = seeds.find((e) => e.type === 'RelayTaskExited')!;

    const running = foldRelayTask(TASK, starts);
    const exited = foldRelayTask(TASK, [...starts, exit]);

    expect(running).toMatchObject({ status: 'RUNNING', streamId: 'testvod', restartCount: 0 });
    expect(running.runs).toHaveLength(1);
    expect(running.runs[0]!.startedAt).toBeGreaterThanOrEqual(RECEIVED_AT);
    expect(exited).toMatchObject({ status: 'EXITED', exitCode: -22, exitMessage: 'write packet error.', restartCount: 0 });
    expect(exited.runs).toHaveLength(1);
  });

  it('given an exit without task_id alone, then it is kept as an exited run whose start was never seen', () => {
    const exit = fromSeed(seedExamples().find((e) => e.raw.includes('"TaskExit"'))!.raw, { receivedAt: RECEIVED_AT });

    const row = foldRelayTask('unmatched', [exit]);

    expect(row).toMatchObject({ status: 'EXITED', exitCode: -22, startedAt: null, exitedAt: RECEIVED_AT, restartCount: 0, toUrl: null });
    expect(row.sourceUrls).toEqual(['http://yourURL.cn/live/normal_230753472*****21162358-upload-4']);
  });

  it('given alarms, then they are listed with their type and message in their run', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0 }),
      taskAlarm(TASK, { type: 'PushStreamUnstable', message: 'push jitter', event_time: seconds(T0) + 30 }),
      taskAlarm(TASK, { type: 'FileEndEarly', event_time: seconds(T0) + 40 }),
      taskAlarm(TASK, { type: 'SomethingNew', event_time: seconds(T0) + 50 }),
    ]);

    expect(row.alarms).toEqual([
      { run: 0, type: 'PushStreamUnstable', message: 'push jitter', at: (seconds(T0) + 30) * 1000 },
      { run: 0, type: 'FileEndEarly', message: null, at: (seconds(T0) + 40) * 1000 },
      { run: 0, type: 'SomethingNew', message: null, at: (seconds(T0) + 50) * 1000 },
    ]);
  });

  it('given files of two runs, then each file is listed under the run it played in', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0 }),
      fileStarted(TASK, { index: 0, url: FILE, event_time: seconds(T0) + 1 }),
      taskExited(TASK, { task_exit_time: T0 + 10_000 }),
      taskStarted(TASK, { task_start_time: T0 + 20_000 }),
      fileStarted(TASK, { index: 0, url: FILE, event_time: seconds(T0) + 21 }),
      fileFinished(TASK, { index: 0, url: FILE, event_time: seconds(T0) + 31 }),
    ]);

    expect(row.files.map((f) => [f.run, f.index, f.startedAt, f.finishedAt])).toEqual([
      [0, 0, (seconds(T0) + 1) * 1000, null],
      [1, 0, (seconds(T0) + 21) * 1000, (seconds(T0) + 31) * 1000],
    ]);
  });

  it('given a timed file finish, when an untimed copy of it arrives, then CSS own finish time is kept', () => {
    const timed = [
      taskStarted(TASK, { task_start_time: T0 }),
      fileStarted(TASK, { index: 0, url: FILE, event_time: seconds(T0) + 1 }),
      fileFinished(TASK, { index: 0, url: FILE, event_time: seconds(T0) + 31 }),
    ];
    const untimedCopy = fileFinished(TASK, { index: 0, url: FILE }, { receivedAt: RECEIVED_AT });

    expect(foldRelayTask(TASK, [...timed, untimedCopy]).files).toEqual(foldRelayTask(TASK, timed).files);
  });

  it('given two runs, when an untimed file finish arrives, then it joins the run where that file started', () => {
    const row = foldRelayTask(TASK, [
      taskStarted(TASK, { task_start_time: T0 }),
      fileStarted(TASK, { index: 3, url: FILE, event_time: seconds(T0) + 1 }),
      taskExited(TASK, { task_exit_time: T0 + 10_000 }),
      taskStarted(TASK, { task_start_time: T0 + 20_000 }),
      fileFinished(TASK, { index: 3, url: FILE }, { receivedAt: RECEIVED_AT }),
    ]);

    expect(row.files).toEqual([expect.objectContaining({ run: 0, index: 3, finishedAt: RECEIVED_AT })]);
  });

  it('given a task, when any of its events is repeated, then the state is the same object', () => {
    const events = [
      taskStarted(TASK, { task_start_time: T0 }),
      fileStarted(TASK, { index: 0, url: FILE, event_time: seconds(T0) + 1 }),
      taskAlarm(TASK, { event_time: seconds(T0) + 2 }),
      taskExited(TASK, { task_exit_time: T0 + 10_000 }),
    ];
    const state = events.reduce(reduceRelayTask, emptyRelayTask(TASK));

    for (const event of events) expect(reduceRelayTask(state, event)).toBe(state);
    expect(relayTaskRow(events.reduce(reduceRelayTask, state))).toEqual(relayTaskRow(state));
  });

  it('given a task, when a session event arrives, then the state is the same object', () => {
    const state = reduceRelayTask(emptyRelayTask(TASK), taskStarted(TASK, { task_start_time: T0 }));
    const push = fromSeed(seedExamples().find((e) => e.raw.includes('"sequence"'))!.raw);

    expect(reduceRelayTask(state, push)).toBe(state);
  });
});
