// The relay-task fold equals the reference fold on any set of callbacks, asked fact by fact or at once, and stays fast on long tasks.
import fc from 'fast-check';
import type { ProjectedEvent } from '../../src/readmodels/projectedEvent';
import { emptyRelayTask, reduceRelayTask, relayTaskRow, type RelayTaskRow } from '../../src/readmodels/relayTasks/relayTask.reducer';
import { naiveRelayTaskFold } from '../support/naiveRelayTask';
import { fileFinished, fileStarted, foldRelayTask, RECEIVED_AT, taskAlarm, taskExited, taskStarted } from '../support/projectedEvents';

const TASK = 'fold-task';
const T0 = 1_700_000_000_000;
const sec = (ms: number) => Math.floor(ms / 1000);

/** One relay callback, with times from a few seconds so that starts, whole seconds and untimed callbacks collide. */
const callbackFields = {
  kind: fc.constantFrom('start', 'start', 'fileStart', 'fileFinish', 'exit', 'alarm'),
  ms: fc.option(fc.integer({ min: 0, max: 6_000 }), { nil: undefined }),
  seconds: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  index: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  url: fc.constantFrom('a.mp4', 'b.mp4', undefined),
  duration: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  code: fc.integer({ min: -3, max: 3 }),
  streamId: fc.constantFrom('s1', 's2', undefined),
  sourceUrls: fc.constantFrom(['http://a/1.m3u8'], ['http://b/2.m3u8'], [], undefined),
  received: fc.nat({ max: 100_000 }),
};
const callbackArb = fc.record(callbackFields);
type CallbackModel = typeof callbackArb extends fc.Arbitrary<infer T> ? T : never;

function relayEvent(c: CallbackModel): ProjectedEvent {
  const outer = {
    ...(c.seconds === undefined ? {} : { event_time: sec(T0) + c.seconds }),
    ...(c.streamId === undefined ? {} : { stream_id: c.streamId }),
    ...(c.sourceUrls === undefined ? {} : { source_urls: [...c.sourceUrls] }),
  };
  const delivery = { receivedAt: RECEIVED_AT + c.received };
  const file = { ...outer, ...(c.index === undefined ? {} : { index: c.index }), ...(c.url === undefined ? {} : { url: c.url }), duration: c.duration };
  switch (c.kind) {
    case 'start':
      return taskStarted(TASK, { ...outer, ...(c.ms === undefined ? {} : { task_start_time: T0 + c.ms }) }, delivery);
    case 'fileStart':
      return fileStarted(TASK, file, delivery);
    case 'fileFinish':
      return fileFinished(TASK, file, delivery);
    case 'exit':
      return taskExited(TASK, { ...outer, code: c.code, ...(c.ms === undefined ? {} : { task_exit_time: T0 + c.ms }) }, delivery);
    default:
      return taskAlarm(TASK, { ...outer, type: c.code < 0 ? 'PullFileUnstable' : 'PushStreamFailed' }, delivery);
  }
}

/** The events in an arrival order, some delivered twice: shuffled, or in the order of their times (the common case). */
const arrivalsArb = fc
  .array(callbackArb, { minLength: 1, maxLength: 14 })
  .chain((models) =>
    fc.tuple(
      fc.constant(models.map(relayEvent)),
      fc.boolean(),
      fc.shuffledSubarray(models.map((_, i) => i), { minLength: models.length, maxLength: models.length }),
      fc.array(fc.nat(), { maxLength: 3 }),
    ),
  )
  .map(([events, chronological, shuffled, repeats]) => {
    const timeOf = (e: ProjectedEvent) => ('fields' in e && 'eventTime' in e.fields ? Number(e.fields.eventTime ?? 0) : 0);
    const order = chronological ? events.map((e, i) => [e, i] as const).sort(([a, i], [b, j]) => timeOf(a) - timeOf(b) || i - j).map(([e]) => e) : shuffled.map((i) => events[i]!);
    return repeats.reduce((list, r) => [...list.slice(0, r % (list.length + 1)), list[r % list.length]!, ...list.slice(r % (list.length + 1))], order);
  });

/** The row after each event, as the projector asks for it. */
function rowsEventByEvent(events: readonly ProjectedEvent[]): RelayTaskRow[] {
  let state = emptyRelayTask(TASK);
  return events.map((event) => relayTaskRow((state = reduceRelayTask(state, event))));
}

describe('relay-task fold', () => {
  it('gives the reference row after every event, asked event by event or folded at once', () => {
    fc.assert(
      fc.property(arrivalsArb, (events) => {
        const rows = rowsEventByEvent(events);
        rows.forEach((row, i) => expect(row).toEqual(naiveRelayTaskFold(TASK, events.slice(0, i + 1))));
        expect(foldRelayTask(TASK, events)).toEqual(rows[rows.length - 1]);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the reference row after every event when CSS dates its starts but few other callbacks (older CSS)', () => {
    const olderCss = fc.array(
      fc.record({
        ...callbackFields,
        ms: fc.integer({ min: 0, max: 4_000 }),
        seconds: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 1 }),
      }),
      { minLength: 1, maxLength: 16 },
    );
    fc.assert(
      fc.property(olderCss, (models) => {
        const events = models.map((model) => relayEvent({ ...model, ms: model.kind === 'start' ? model.ms : undefined }));
        rowsEventByEvent(events).forEach((row, i) => expect(row).toEqual(naiveRelayTaskFold(TASK, events.slice(0, i + 1))));
      }),
      { numRuns: 300 },
    );
  });

  it('gives an earlier state its own row after later states were folded from it, and lets it fold on its own', () => {
    fc.assert(
      fc.property(arrivalsArb, fc.nat(), (events, cut) => {
        const at = cut % events.length;
        const earlier = events.slice(0, at).reduce(reduceRelayTask, emptyRelayTask(TASK));
        relayTaskRow(events.slice(at).reduce(reduceRelayTask, earlier));
        expect(relayTaskRow(earlier)).toEqual(naiveRelayTaskFold(TASK, events.slice(0, at)));
        // Folded onto the earlier state: every event again, newest first. A repeat keeps its first delivery's
        // receipt time, so the reference folds the same sequence.
        const again = [...events].reverse();
        const branched = again.reduce(reduceRelayTask, earlier);
        expect(relayTaskRow(branched)).toEqual(naiveRelayTaskFold(TASK, [...events.slice(0, at), ...again]));
      }),
      { numRuns: 200 },
    );
  });
});

/** A VOD playlist of 10 files played in a loop for `count` callbacks, an alarm now and then, a restart every 1,000. */
function loopingTask(count: number, dated: boolean): ProjectedEvent[] {
  const events: ProjectedEvent[] = [];
  let t = T0;
  const time = () => (dated ? { event_time: sec((t += 30_000)) } : {});
  const delivery = () => ({ receivedAt: RECEIVED_AT + events.length * 1000 });
  events.push(taskStarted(TASK, { task_start_time: t }, delivery()));
  for (let i = 0; events.length < count; i++) {
    const file = { index: i % 10, url: `http://example.com/vod/${i % 10}.mp4`, duration: 30 };
    events.push(fileStarted(TASK, { ...file, ...time() }, delivery()));
    events.push(fileFinished(TASK, { ...file, ...time() }, delivery()));
    if (i % 50 === 49) events.push(taskAlarm(TASK, { type: 'PullFileUnstable', message: `loop ${i}`, ...time() }, delivery()));
    if (i % 500 === 499) {
      events.push(taskExited(TASK, { code: -1, task_exit_time: (t += 30_000) }, delivery()));
      events.push(taskStarted(TASK, { task_start_time: (t += 60_000) }, delivery()));
    }
  }
  return events;
}

describe('relay-task fold on a long task', () => {
  // Generous bounds for a loaded machine (it takes tens of ms): the fold that re-sorted every fact per
  // event took 6.7 s for 5,000 events, before asking for any row.
  it.each([
    ['dated callbacks', true],
    ['callbacks without event_time', false],
  ])('folds 5,000 %s in well under a second, asking for the row after every event', (_label, dated) => {
    const events = loopingTask(5_000, dated);
    const started = performance.now();
    const rows = rowsEventByEvent(events);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(rows[rows.length - 1]).toEqual(foldRelayTask(TASK, events));
    expect(rows[rows.length - 1]!.runs).toHaveLength(events.filter((e) => e.type === 'RelayTaskStarted').length);
  });

  it('folds 5,000 callbacks at once (time travel) in well under a second', () => {
    const events = loopingTask(5_000, true);
    const started = performance.now();
    const row = foldRelayTask(TASK, events);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(row.files).toHaveLength(10 * row.runs.length);
  });
});
