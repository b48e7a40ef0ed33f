// Relay tasks: one per `task_id`, with its runs (each start with its exit), VOD files and alarms.
//
// The state is the set of the task's facts, kept in a canonical order; the row is derived from
// that set alone. So the row is the same for any arrival order of the events, repeats included.
import type { RelayFields, RelayVodFile } from '../domain/callbackEvents';
import type { ProjectedEvent } from './projectedEvent';

export type RelayTaskStatus = 'RUNNING' | 'EXITED';

export interface RelayFact {
  id: string;
  kind: 'start' | 'fileStart' | 'fileFinish' | 'exit' | 'alarm';
  /** CSS's own time of the fact (ms): task_start_time / task_exit_time, else event_time; null when it gave none. */
  at: number | null;
  /** Set when `at` is event_time: CSS gave whole seconds, so the fact happened within [at, at + 999]. */
  atWholeSecond?: true;
  receivedAt: number;
  appId: string | null;
  streamId: string | null;
  sourceUrls: string[];
  toUrl: string | null;
  file?: RelayVodFile;
  exitCode?: number | null;
  exitMessage?: string | null;
  alarmType?: string | null;
  alarmMessage?: string | null;
  /** Set on a TaskExit that carried no task_id and was matched to this task: the stream it was stored in. */
  matchedFrom?: string;
}

export interface RelayTaskState {
  taskId: string;
  facts: RelayFact[];
}

export interface RelayFileRow {
  run: number;
  index: number | null;
  url: string | null;
  durationSeconds: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface RelayAlarmRow {
  run: number;
  type: string | null;
  message: string | null;
  at: number;
}

export interface RelayRunRow {
  /** Own start time, or when its TaskStart was received; null when no TaskStart of this run was seen. */
  startedAt: number | null;
  exitedAt: number | null;
  exitCode: number | null;
  exitMessage: string | null;
}

export interface RelayTaskRow {
  taskId: string;
  appId: string | null;
  streamId: string | null;
  sourceUrls: string[];
  toUrl: string | null;
  status: RelayTaskStatus;
  startedAt: number | null;
  exitedAt: number | null;
  exitCode: number | null;
  exitMessage: string | null;
  restartCount: number;
  runs: RelayRunRow[];
  files: RelayFileRow[];
  alarms: RelayAlarmRow[];
  lastEventAt: number;
}

export const emptyRelayTask = (taskId: string): RelayTaskState => ({ taskId, facts: [] });

type OwnTime = Pick<RelayFact, 'at' | 'atWholeSecond'>;

/** CSS's own time: a millisecond field when given, else event_time (whole seconds), else none. */
const ownTime = (ms: number | null, eventTime: number | null): OwnTime =>
  ms !== null ? { at: ms } : eventTime !== null ? { at: eventTime * 1000, atWholeSecond: true } : { at: null };

/** The fact a relay event contributes, or null for events that are not about a task's life. */
export function relayFactOf(event: ProjectedEvent): RelayFact | null {
  const base = (fields: RelayFields, kind: RelayFact['kind'], time: OwnTime): RelayFact => ({
    id: event.id,
    kind,
    ...time,
    receivedAt: event.receivedAt,
    appId: fields.appId,
    streamId: fields.streamId,
    sourceUrls: fields.sourceUrls,
    toUrl: fields.toUrl,
  });
  switch (event.type) {
    case 'RelayTaskStarted':
      return base(event.fields, 'start', ownTime(event.fields.taskStartTime, event.fields.eventTime));
    case 'RelayVodFileStarted':
    case 'RelayVodFileFinished': {
      const kind = event.type === 'RelayVodFileStarted' ? 'fileStart' : 'fileFinish';
      return { ...base(event.fields, kind, ownTime(null, event.fields.eventTime)), file: event.fields.file };
    }
    case 'RelayTaskExited': {
      const { exitCode, exitMessage, taskExitTime, eventTime } = event.fields;
      return { ...base(event.fields, 'exit', ownTime(taskExitTime, eventTime)), exitCode, exitMessage };
    }
    case 'RelayTaskAlarmRaised': {
      const { alarmType, alarmMessage, eventTime } = event.fields;
      return { ...base(event.fields, 'alarm', ownTime(null, eventTime)), alarmType, alarmMessage };
    }
    default:
      return null;
  }
}

/** Canonical order: own time (untimed first), then id. */
function compareFacts(a: RelayFact, b: RelayFact): number {
  const ta = a.at ?? Number.NEGATIVE_INFINITY;
  const tb = b.at ?? Number.NEGATIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Adds a fact once; a repeat changes nothing. */
export function addRelayFact(state: RelayTaskState, fact: RelayFact): RelayTaskState {
  if (state.facts.some((f) => f.id === fact.id)) return state;
  const facts = [...state.facts, fact].sort(compareFacts);
  return { ...state, facts };
}

export function reduceRelayTask(state: RelayTaskState, event: ProjectedEvent): RelayTaskState {
  const fact = relayFactOf(event);
  return fact === null ? state : addRelayFact(state, fact);
}

interface Run {
  start: RelayFact | null;
  startAt: number | null;
  exits: RelayFact[];
  facts: RelayFact[];
}

/**
 * Runs from the facts. A TaskStart with a start time not seen before opens a run; facts with a
 * time belong to the run whose start precedes them, to the second when CSS gave only event_time
 * (or to a run whose start was never seen);
 * facts without one belong to the only run, or to the run they can be matched to.
 */
export function relayRuns(facts: readonly RelayFact[]): Run[] {
  const starts = facts.filter((f) => f.kind === 'start');
  const timedStarts = new Map<number, RelayFact>();
  for (const start of starts) if (start.at !== null && !timedStarts.has(start.at)) timedStarts.set(start.at, start);

  const runs: Run[] = [...timedStarts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, start]) => ({ start, startAt: at, exits: [], facts: [] }));
  if (runs.length === 0 && starts.length > 0) runs.push({ start: starts[0]!, startAt: null, exits: [], facts: [] });

  let unseenStart: Run | null = null;
  const runWithoutStart = (): Run => {
    if (unseenStart === null) {
      unseenStart = { start: null, startAt: null, exits: [], facts: [] };
      runs.unshift(unseenStart);
    }
    return unseenStart;
  };
  const place = (run: Run, fact: RelayFact) => (fact.kind === 'exit' ? run.exits : run.facts).push(fact);

  const others = facts.filter((f) => f.kind !== 'start');
  // Timed facts first: they decide which runs have exits before untimed facts are matched.
  for (const fact of others.filter((f) => f.at !== null)) {
    const timedRuns = runs.filter((r) => r.startAt !== null);
    if (timedRuns.length === 0) {
      place(runs.length === 1 ? runs[0]! : runWithoutStart(), fact);
      continue;
    }
    const owner = [...timedRuns].reverse().find((r) => r.startAt! <= latestAt(fact));
    place(owner ?? runWithoutStart(), fact);
  }
  for (const fact of others.filter((f) => f.at === null)) {
    if (runs.length === 0) runWithoutStart();
    place(matchUntimed(runs, fact), fact);
  }
  return runs;
}

/**
 * The last instant a fact's time can stand for. A VodSourceFileStart CSS dates to the same second as
 * its TaskStart (task_start_time, ms) came after that start, not before it.
 */
export const latestAt = (fact: Pick<RelayFact, 'at' | 'atWholeSecond'>): number => fact.at! + (fact.atWholeSecond === true ? 999 : 0);

function matchUntimed(runs: Run[], fact: RelayFact): Run {
  const latest = runs[runs.length - 1]!;
  if (runs.length === 1) return latest;
  const newestFirst = [...runs].reverse();
  if (fact.kind === 'exit') return newestFirst.find((r) => r.exits.length === 0) ?? latest;
  if (fact.kind === 'fileFinish') {
    const key = fileKey(fact.file);
    return newestFirst.find((r) => r.facts.some((f) => f.kind === 'fileStart' && fileKey(f.file) === key)) ?? latest;
  }
  return latest;
}

/**
 * A run's file is its index in source_urls; the URL only when CSS gave no index. (The documents'
 * Start and Finish of index 0 carry different URLs: keyed by URL, one file became two halves.)
 */
const fileKey = (file: RelayVodFile | undefined): string =>
  file !== undefined && file.index !== null ? `index ${file.index}` : `url ${file?.url ?? ''}`;
const shownAt = (fact: RelayFact): number => fact.at ?? fact.receivedAt;

/** The exit that ends a run: the latest by own time (a timed exit over an untimed one), then id. */
const finalExit = (run: Run): RelayFact | null => [...run.exits].sort(compareFacts).pop() ?? null;

function runFiles(run: Run, runIndex: number): RelayFileRow[] {
  const files = new Map<string, RelayFileRow>();
  for (const fact of run.facts) {
    if (fact.kind !== 'fileStart' && fact.kind !== 'fileFinish') continue;
    const key = fileKey(fact.file);
    const file = files.get(key) ?? {
      run: runIndex,
      index: fact.file?.index ?? null,
      url: null,
      durationSeconds: null,
      startedAt: null,
      finishedAt: null,
    };
    file.url ??= fact.file?.url ?? null;
    file.durationSeconds = fact.file?.durationSeconds ?? file.durationSeconds;
    // run.facts holds the timed facts by time, then the untimed: the earliest start, and the
    // latest finish CSS dated (an untimed copy's receipt time never replaces CSS's own).
    if (fact.kind === 'fileStart' && file.startedAt === null) file.startedAt = shownAt(fact);
    if (fact.kind === 'fileFinish' && (fact.at !== null || file.finishedAt === null)) file.finishedAt = shownAt(fact);
    files.set(key, file);
  }
  return [...files.values()];
}

/** The latest non-empty value among the facts, by own time. */
function latestOf<K extends 'appId' | 'streamId' | 'toUrl'>(facts: readonly RelayFact[], key: K): RelayFact[K] {
  for (let i = facts.length - 1; i >= 0; i--) {
    const value = facts[i]![key];
    if (value !== null) return value;
  }
  return null;
}

export function relayTaskRow(state: RelayTaskState): RelayTaskRow {
  const runs = relayRuns(state.facts);
  const runRows: RelayRunRow[] = runs.map((run) => {
    const exit = finalExit(run);
    return {
      startedAt: run.start === null ? null : shownAt(run.start),
      exitedAt: exit === null ? null : shownAt(exit),
      exitCode: exit?.exitCode ?? null,
      exitMessage: exit?.exitMessage ?? null,
    };
  });
  const latest = runRows[runRows.length - 1];
  const sourceUrls = [...state.facts].reverse().find((f) => f.sourceUrls.length > 0)?.sourceUrls ?? [];
  return {
    taskId: state.taskId,
    appId: latestOf(state.facts, 'appId'),
    streamId: latestOf(state.facts, 'streamId'),
    sourceUrls,
    toUrl: latestOf(state.facts, 'toUrl'),
    // The task's status and exit are those of its latest run.
    status: latest !== undefined && latest.exitedAt !== null ? 'EXITED' : 'RUNNING',
    startedAt: latest?.startedAt ?? null,
    exitedAt: latest?.exitedAt ?? null,
    exitCode: latest?.exitCode ?? null,
    exitMessage: latest?.exitMessage ?? null,
    restartCount: Math.max(0, runs.length - 1),
    runs: runRows,
    files: runs.flatMap(runFiles),
    alarms: runs.flatMap((run, runIndex) =>
      run.facts
        .filter((f) => f.kind === 'alarm')
        .map((f) => ({ run: runIndex, type: f.alarmType ?? null, message: f.alarmMessage ?? null, at: shownAt(f) })),
    ),
    lastEventAt: state.facts.reduce((max, f) => Math.max(max, shownAt(f)), 0),
  };
}
