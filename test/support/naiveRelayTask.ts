// The relay-task fold as it was first written: copy and re-sort the facts per event, derive the row from them all.
// Slow on purpose (O(n² log n) to fold n events) and kept only as the reference the service's fold must equal.
import type { RelayVodFile } from '../../src/domain/callbackEvents';
import type { ProjectedEvent } from '../../src/readmodels/projectedEvent';
import {
  relayFactOf,
  type RelayAlarmRow,
  type RelayFact,
  type RelayFileRow,
  type RelayRunRow,
  type RelayTaskRow,
} from '../../src/readmodels/relayTasks/relayTask.reducer';

interface NaiveState {
  taskId: string;
  facts: RelayFact[];
}

/** Canonical order: own time (untimed first), then id. */
function compareFacts(a: RelayFact, b: RelayFact): number {
  const ta = a.at ?? Number.NEGATIVE_INFINITY;
  const tb = b.at ?? Number.NEGATIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Adds a fact once; a repeat changes nothing. */
function addRelayFact(state: NaiveState, fact: RelayFact): NaiveState {
  if (state.facts.some((f) => f.id === fact.id)) return state;
  const facts = [...state.facts, fact].sort(compareFacts);
  return { ...state, facts };
}

function reduceRelayTask(state: NaiveState, event: ProjectedEvent): NaiveState {
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
function relayRuns(facts: readonly RelayFact[]): Run[] {
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
const latestAt = (fact: Pick<RelayFact, 'at' | 'atWholeSecond'>): number => fact.at! + (fact.atWholeSecond === true ? 999 : 0);

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

function naiveRow(state: NaiveState): RelayTaskRow {
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

/** The row of these events, folded the slow way: the reference for the service's own fold. */
export function naiveRelayTaskFold(taskId: string, events: readonly ProjectedEvent[]): RelayTaskRow {
  return naiveRow(events.reduce(reduceRelayTask, { taskId, facts: [] }));
}
