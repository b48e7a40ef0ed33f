// Order and repeats do not matter: every arrival order of a stream's events, with repeats, gives the same row.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { RelayAlarmTypes } from '../../src/domain/callbackEvents';
import type { ProjectedEvent } from '../../src/readmodels/projectedEvent';
import type { RelayTaskRow } from '../../src/readmodels/relayTasks/relayTask.reducer';
import {
  fileFinished,
  fileStarted,
  foldRelayTask,
  foldSession,
  fromSeed,
  interrupted,
  pushed,
  RECEIVED_AT,
  taskAlarm,
  taskExited,
  taskStarted,
} from '../support/projectedEvents';
import { seedExamples } from '../support/seedExamples';

/** Every ordering of the items (n! of them). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** The order with its `which`-th event delivered once more at position `at`. */
const withRepeat = <T>(order: readonly T[], which: number, at: number): T[] => [
  ...order.slice(0, at),
  order[which]!,
  ...order.slice(at),
];

/** Distinct events by id, first delivery kept: the store holds one event per id and stream. */
const distinct = (events: readonly ProjectedEvent[]): ProjectedEvent[] =>
  events.filter((event, i) => events.findIndex((e) => e.id === event.id) === i);

const label = (events: readonly ProjectedEvent[]) => events.map((e) => `${e.type}:${e.id.slice(0, 8)}`);

/** One expect per failing order only: thousands of passing expects would slow the suite down. */
function expectSameRow<R>(order: readonly ProjectedEvent[], row: R, reference: R): void {
  if (!isDeepStrictEqual(row, reference)) expect({ order: label(order), row }).toEqual({ order: label(order), row: reference });
}

/**
 * Folds every permutation of `events`, and each permutation with every event repeated at every
 * position, and expects each row to equal `reference`.
 */
function expectEveryOrderGives<R>(events: readonly ProjectedEvent[], fold: (events: ProjectedEvent[]) => R, reference: R): void {
  for (const order of permutations(events)) {
    const variants = [order];
    for (let which = 0; which < order.length; which++) {
      for (let at = 0; at <= order.length; at++) variants.push(withRepeat(order, which, at));
    }
    for (const variant of variants) {
      const row = fold(variant);
      expectSameRow(variant, row, reference);
    }
  }
}

describe('the documents examples, in every order', () => {
  // Each distinct example gets its own receipt time, so that a row built from receipt times would show any order dependence.
  const events = distinct(seedExamples().map((e, i) => fromSeed(e.raw, { receivedAt: RECEIVED_AT + i * 1000, position: BigInt(i + 1) })));
  const byStream = new Map<string, ProjectedEvent[]>();
  for (const event of events) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event]);
  const streamOf = (prefix: string) => [...byStream.entries()].find(([stream]) => stream.startsWith(prefix))!;

  it('are 8 distinct events in 4 streams', () => {
    expect(events).toHaveLength(8);
    expect([...byStream.entries()].map(([stream, list]) => [stream.replace(/-[0-9a-f-]{36}$/, '-<id>'), list.length]).sort()).toEqual([
      ['relayexit-<id>', 1],
      ['relaytask-118145', 4],
      ['relaytask-118148', 2],
      ['session-6674468118806626493', 1],
    ]);
  });

  it('session-6674468118806626493: the same LIVE row', () => {
    const [, list] = streamOf('session-');
    const reference = foldSession(list);
    expect(reference).toMatchObject({ status: 'LIVE', pushedAt: 1545115790000 });
    expectEveryOrderGives(list, foldSession, reference);
  });

  it('relaytask-118145 (two file starts, two file finishes): the same row, one file started and finished', () => {
    const [, list] = streamOf('relaytask-118145');
    const fold = (order: ProjectedEvent[]) => foldRelayTask('118145', order);
    const reference = fold(list);
    expect(reference.files).toEqual([expect.objectContaining({ run: 0, index: 0, durationSeconds: 14920 })]);
    expect(reference.files[0]!.startedAt).not.toBeNull();
    expect(reference.files[0]!.finishedAt).not.toBeNull();
    expectEveryOrderGives(list, fold, reference);
  });

  it('relaytask-118148 (two TaskStarts without times): the same RUNNING row with one run', () => {
    const [, list] = streamOf('relaytask-118148');
    const fold = (order: ProjectedEvent[]) => foldRelayTask('118148', order);
    const reference = fold(list);
    expect(reference).toMatchObject({ status: 'RUNNING', restartCount: 0, streamId: 'testvod' });
    expectEveryOrderGives(list, fold, reference);
  });

  it('relayexit (TaskExit without task_id): the same EXITED row, alone or matched to task 118148', () => {
    const [exitStream, exits] = streamOf('relayexit-');
    const [, starts] = streamOf('relaytask-118148');
    const alone = (order: ProjectedEvent[]) => foldRelayTask(exitStream, order);
    const matched = (order: ProjectedEvent[]) => foldRelayTask('118148', order);
    const aloneRow = alone(exits);
    const matchedRow = matched([...starts, ...exits]);
    expect(aloneRow).toMatchObject({ status: 'EXITED', exitCode: -22, startedAt: null });
    expect(matchedRow).toMatchObject({ status: 'EXITED', exitCode: -22, restartCount: 0 });
    expectEveryOrderGives(exits, alone, aloneRow);
    expectEveryOrderGives([...starts, ...exits], matched, matchedRow);
  });
});

// ---- generated relay tasks ----

const TASK = 'gen-task';
const RUN_GAP_MS = 2000; // between a run's last callback and the next TaskStart: CSS retries are not sub-second

interface FileModel {
  index: number;
  startMs: number;
  finishMs: number;
}
interface RunModel {
  startMs: number;
  /** task_start_time sent, or only event_time (whole seconds). */
  startInMs: boolean;
  files: FileModel[];
  alarm: { type: string; atMs: number } | null;
  exit: { code: number; codeAsString: boolean; message: string; atMs: number; inMs: boolean } | null;
}
interface TaskModel {
  runs: RunModel[];
}

const sec = (ms: number) => Math.floor(ms / 1000);
const shownSec = (ms: number) => sec(ms) * 1000;
const urlOf = (index: number) => `http://example.com/vod/file-${index}.mp4`;
const DURATION = 30;

/** One run starting at `startMs`: files played one after the other, an alarm, an exit after them all. */
const runArb = (startMs: number, maxFiles: number, withExit: boolean) =>
  fc
    .record({
      startInMs: fc.boolean(),
      fileGaps: fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 60_000 })), { maxLength: maxFiles }),
      alarm: fc.option(fc.record({ type: fc.constantFrom(...RelayAlarmTypes), offset: fc.nat({ max: 120_000 }) }), { nil: null }),
      exit: withExit
        ? fc.record({
            tail: fc.integer({ min: 1, max: 30_000 }),
            code: fc.integer({ min: -100, max: 100 }),
            codeAsString: fc.boolean(),
            message: fc.constantFrom('write packet error.', 'pull source failed', 'task end'),
            inMs: fc.boolean(),
          })
        : fc.constant(null),
    })
    .map(({ startInMs, fileGaps, alarm, exit }): RunModel => {
      let t = startMs;
      const files = fileGaps.map(([gap, length], index) => {
        const file = { index, startMs: t + gap, finishMs: t + gap + length };
        t = file.finishMs;
        return file;
      });
      const exitAt = t + (exit?.tail ?? 0) + 1;
      return {
        startMs,
        startInMs,
        files,
        alarm: alarm === null ? null : { type: alarm.type, atMs: startMs + (alarm.offset % (exitAt - startMs)) },
        exit: exit === null ? null : { ...exit, atMs: exitAt },
      };
    });

/** The last instant any callback of the run is dated. */
const runEnd = (run: RunModel) =>
  Math.max(run.startMs, run.exit?.atMs ?? 0, run.alarm?.atMs ?? 0, ...run.files.map((f) => f.finishMs));

/** 1..maxRuns runs with increasing starts; every run but the last has exited; the last may still run. */
function taskArb(maxRuns: number, maxFiles: number): fc.Arbitrary<TaskModel> {
  const next = (runs: RunModel[], left: number): fc.Arbitrary<TaskModel> =>
    fc.tuple(fc.integer({ min: RUN_GAP_MS, max: 300_000 }), fc.boolean()).chain(([gap, lastExits]) => {
      const previous = runs[runs.length - 1];
      const startMs = previous === undefined ? 1_700_000_000_000 + gap : runEnd(previous) + gap;
      const isLast = left === 1;
      return runArb(startMs, maxFiles, !isLast || lastExits).chain((run) => {
        const all = [...runs, run];
        return isLast ? fc.constant({ runs: all }) : next(all, left - 1);
      });
    });
  return fc.integer({ min: 1, max: maxRuns }).chain((count) => next([], count));
}

/** The callbacks CSS sends for the model, in the order it sends them; each gets its own receipt time. */
function taskEvents(model: TaskModel): ProjectedEvent[] {
  let received = RECEIVED_AT;
  const at = () => ({ receivedAt: (received += 1000) });
  return model.runs.flatMap((run) => [
    taskStarted(TASK, { ...(run.startInMs ? { task_start_time: run.startMs } : {}), event_time: sec(run.startMs) }, at()),
    ...run.files.flatMap((file) => [
      fileStarted(TASK, { index: file.index, url: urlOf(file.index), duration: DURATION, event_time: sec(file.startMs) }, at()),
      fileFinished(TASK, { index: file.index, url: urlOf(file.index), duration: DURATION, event_time: sec(file.finishMs) }, at()),
    ]),
    ...(run.alarm === null ? [] : [taskAlarm(TASK, { type: run.alarm.type, event_time: sec(run.alarm.atMs) }, at())]),
    ...(run.exit === null
      ? []
      : [
          taskExited(
            TASK,
            {
              code: run.exit.codeAsString ? String(run.exit.code) : run.exit.code,
              message: run.exit.message,
              ...(run.exit.inMs ? { task_exit_time: run.exit.atMs } : {}),
              event_time: sec(run.exit.atMs),
            },
            at(),
          ),
        ]),
  ]);
}

/** The same callbacks without any time (an older CSS, or a copy): they may be matched, never open a run. */
function untimedCopies(model: TaskModel, picks: readonly number[]): ProjectedEvent[] {
  const file = (index: number) => ({ index, url: urlOf(index), duration: DURATION });
  const copies = model.runs.flatMap((run, r) => [
    () => taskStarted(TASK, {}, { receivedAt: RECEIVED_AT + 500_000 + r }),
    ...run.files.flatMap((f) => [
      () => fileStarted(TASK, file(f.index), { receivedAt: RECEIVED_AT + 600_000 + r }),
      () => fileFinished(TASK, file(f.index), { receivedAt: RECEIVED_AT + 700_000 + r }),
    ]),
    ...(run.alarm === null ? [] : [() => taskAlarm(TASK, { type: run.alarm!.type }, { receivedAt: RECEIVED_AT + 800_000 + r })]),
    ...(run.exit === null
      ? []
      : [() => taskExited(TASK, { code: run.exit!.code, message: run.exit!.message }, { receivedAt: RECEIVED_AT + 900_000 + r })]),
  ]);
  return copies.length === 0 ? [] : picks.map((p) => copies[p % copies.length]!());
}

/** What the row must say about the model's runs, files and alarms. */
function expectedOf(model: TaskModel): Pick<RelayTaskRow, 'status' | 'restartCount' | 'runs' | 'files' | 'alarms'> {
  const runs = model.runs.map((run) => ({
    startedAt: run.startInMs ? run.startMs : shownSec(run.startMs),
    exitedAt: run.exit === null ? null : run.exit.inMs ? run.exit.atMs : shownSec(run.exit.atMs),
    exitCode: run.exit?.code ?? null,
    exitMessage: run.exit?.message ?? null,
  }));
  return {
    status: runs[runs.length - 1]!.exitedAt === null ? 'RUNNING' : 'EXITED',
    restartCount: runs.length - 1,
    runs,
    files: model.runs.flatMap((run, r) =>
      run.files.map((file) => ({
        run: r,
        index: file.index,
        url: urlOf(file.index),
        durationSeconds: DURATION,
        startedAt: shownSec(file.startMs),
        finishedAt: shownSec(file.finishMs),
      })),
    ),
    alarms: model.runs.flatMap((run, r) =>
      run.alarm === null ? [] : [{ run: r, type: run.alarm.type, message: null, at: shownSec(run.alarm.atMs) }],
    ),
  };
}

const byRunAndIndex = (files: RelayTaskRow['files']) => [...files].sort((a, b) => a.run - b.run || (a.index ?? -1) - (b.index ?? -1));

/** A random arrival order of the events, with some of them delivered again at random places. */
const arrivalArb = (events: readonly ProjectedEvent[]) =>
  fc
    .tuple(
      fc.shuffledSubarray([...events], { minLength: events.length, maxLength: events.length }),
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
    )
    .map(([order, repeats]) => repeats.reduce((acc, [which, at]) => withRepeat(acc, which % acc.length, at % (acc.length + 1)), order));

describe('generated relay tasks', () => {
  it('the row of the callbacks in the order CSS sends them says what happened: runs, exits, files, alarms', () => {
    fc.assert(
      fc.property(taskArb(3, 2), (model) => {
        const row = foldRelayTask(TASK, taskEvents(model));
        const expected = expectedOf(model);
        expect(row).toMatchObject({ status: expected.status, restartCount: expected.restartCount, runs: expected.runs });
        const { startedAt, exitedAt, exitCode, exitMessage } = expected.runs[expected.runs.length - 1]!;
        expect(row).toMatchObject({ startedAt, exitedAt, exitCode, exitMessage });
        // Files CSS dated to the same second are listed in no particular order.
        expect(byRunAndIndex(row.files)).toEqual(expected.files);
        expect(row.alarms).toEqual(expected.alarms);
      }),
      { numRuns: 100 },
    );
  });

  it('untimed copies of callbacks never open, close or move a run, and keep every dated file and alarm', () => {
    fc.assert(
      fc.property(taskArb(3, 2), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (model, picks) => {
        const expected = expectedOf(model);
        const lastExited = expected.status === 'EXITED';
        const row = foldRelayTask(TASK, distinct([...taskEvents(model), ...untimedCopies(model, picks)]));
        // An untimed exit with nothing to match it to may end the still running last run: CSS gave no time to say otherwise.
        expect(row.runs.slice(0, lastExited ? undefined : -1)).toEqual(expected.runs.slice(0, lastExited ? undefined : -1));
        expect(row.runs.map((r) => r.startedAt)).toEqual(expected.runs.map((r) => r.startedAt));
        expect(row.files).toEqual(expect.arrayContaining(expected.files));
        expect(row.alarms).toEqual(expect.arrayContaining(expected.alarms));
      }),
      { numRuns: 100 },
    );
  });

  it('any arrival order, with repeats, gives the row of the order CSS sends them (untimed copies included)', () => {
    const scenario = fc
      .tuple(taskArb(3, 2), fc.array(fc.nat(), { maxLength: 3 }))
      .map(([model, picks]) => distinct([...taskEvents(model), ...untimedCopies(model, picks)]))
      .chain((events) => fc.tuple(fc.constant(events), fc.array(arrivalArb(events), { minLength: 1, maxLength: 6 })));
    fc.assert(
      fc.property(scenario, ([events, arrivals]) => {
        const reference = foldRelayTask(TASK, events);
        for (const arrival of arrivals) expect(foldRelayTask(TASK, arrival)).toEqual(reference);
      }),
      { numRuns: 100 },
    );
  });

  it('every permutation of a task of 6 or 7 callbacks, each also with a repeat, gives the same row', () => {
    const small = fc
      .tuple(taskArb(2, 1), fc.array(fc.nat(), { maxLength: 2 }))
      .map(([model, picks]) => distinct([...taskEvents(model), ...untimedCopies(model, picks)]))
      .filter((events) => events.length >= 6 && events.length <= 7);
    fc.assert(
      fc.property(small, (events) => {
        const reference = foldRelayTask(TASK, events);
        permutations(events).forEach((order, i) => {
          // 5040 orders: each gets one repeat, the event and the place varying from order to order.
          const variants = [order, withRepeat(order, i % order.length, (i * 7 + 3) % (order.length + 1))];
          for (const variant of variants) {
            const row = foldRelayTask(TASK, variant);
            expectSameRow(variant, row, reference);
          }
        });
      }),
      { numRuns: 3 },
    );
  });
});

// ---- generated sessions ----

const SEQUENCE = '9223372036854775807';

const sessionCallbackArb = fc.record({
  kind: fc.constantFrom('push', 'interruption'),
  /** 0 or absent: not given. */
  eventTime: fc.option(fc.integer({ min: 1_700_000_000, max: 1_700_000_600 }), { nil: undefined }),
  zeroTime: fc.boolean(),
  errcode: fc.constantFrom(1, 12, 18, 21, 999),
  subErrcode: fc.option(fc.constantFrom(0, 102, 503), { nil: undefined }),
  pushDuration: fc.option(fc.integer({ min: 0, max: 600_000 }).map(String), { nil: undefined }),
  node: fc.constantFrom('10.0.0.1', '10.0.0.2'),
  receivedOffset: fc.nat({ max: 1_000_000 }),
});
type SessionCallbackModel = typeof sessionCallbackArb extends fc.Arbitrary<infer T> ? T : never;

function sessionEvent(c: SessionCallbackModel): ProjectedEvent {
  const delivery = { receivedAt: RECEIVED_AT + c.receivedOffset };
  const event_time = c.eventTime ?? (c.zeroTime ? 0 : undefined);
  if (c.kind === 'push') return pushed({ sequence: SEQUENCE, event_time, node: c.node }, delivery);
  return interrupted(
    { sequence: SEQUENCE, event_time, node: c.node, errcode: c.errcode, sub_errcode: c.subErrcode, push_duration: c.pushDuration },
    delivery,
  );
}

describe('generated sessions', () => {
  it('every permutation of 1-4 pushes and interruptions, timed or not, each with every repeat, gives the same row', () => {
    const callbacks = fc.array(sessionCallbackArb, { minLength: 1, maxLength: 4 }).map((list) => distinct(list.map(sessionEvent)));
    fc.assert(
      fc.property(callbacks, (events) => {
        const reference = foldSession(events);
        expect(reference.status).toBe(events.some((e) => e.type === 'StreamInterrupted') ? 'ENDED' : 'LIVE');
        if (reference.pushDurationMs !== null) expect(reference.pushDurationMs).toBeGreaterThanOrEqual(0);
        expectEveryOrderGives(events, foldSession, reference);
      }),
      { numRuns: 100 },
    );
  });

  it('a push and its interruption: ENDED whichever comes first, with the CSS times and duration', () => {
    const pair = fc.record({
      pushAt: fc.option(fc.integer({ min: 1_700_000_000, max: 1_700_000_300 }), { nil: undefined }),
      length: fc.nat({ max: 300 }),
      endTimed: fc.boolean(),
      pushDuration: fc.option(fc.integer({ min: 1, max: 600_000 }), { nil: undefined }),
      pushFirst: fc.boolean(),
    });
    fc.assert(
      fc.property(pair, ({ pushAt, length, endTimed, pushDuration, pushFirst }) => {
        const endAt = pushAt === undefined ? 1_700_000_400 : pushAt + length;
        const push = pushed({ sequence: SEQUENCE, event_time: pushAt }, { receivedAt: RECEIVED_AT });
        const end = interrupted(
          {
            sequence: SEQUENCE,
            event_time: endTimed ? endAt : undefined,
            errcode: 1,
            push_duration: pushDuration === undefined ? undefined : String(pushDuration),
          },
          { receivedAt: RECEIVED_AT + 1000 },
        );
        const row = foldSession(pushFirst ? [push, end] : [end, push]);
        const pushedAt = pushAt === undefined ? RECEIVED_AT : pushAt * 1000;
        const interruptedAt = endTimed ? endAt * 1000 : RECEIVED_AT + 1000;
        expect(row).toMatchObject({ status: 'ENDED', pushedAt, interruptedAt, errcode: 1, reasonCategory: 'CLIENT_STOPPED' });
        const measured = interruptedAt >= pushedAt ? interruptedAt - pushedAt : null;
        expect(row.pushDurationMs).toBe(pushDuration ?? measured);
      }),
      { numRuns: 100 },
    );
  });
});
