// A relay task's runs, VOD files and alarms, derived from its facts: built at once here, kept up to date
// fact by fact in relayTaskRunsUpdate.ts.
//
// A TaskStart with a start time not seen before opens a run; facts with a time belong to the run whose
// start precedes them, to the second when CSS gave only event_time (or to a run whose start was never
// seen); facts without one belong to the only run, or to the run they can be matched to. Within a run,
// each file and the run's exit keep the first or last fact that says something, in the run's order
// (timed facts by time, then untimed ones by id), so the order facts are added in does not matter.
import type { RelayVodFile } from '../../domain/callbackEvents';
import type { RelayFact, RelayFileRow, RelayRunRow, RelayTaskRow } from './relayTask.reducer';

/** Canonical order: own time (untimed first), then id. */
export function compareFacts(a: RelayFact, b: RelayFact): number {
  const ta = a.at ?? Number.NEGATIVE_INFINITY;
  const tb = b.at ?? Number.NEGATIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A run's order: its timed facts by time, then its untimed ones by id. */
function compareInRun(a: RelayFact, b: RelayFact): number {
  if ((a.at === null) !== (b.at === null)) return a.at === null ? 1 : -1;
  return compareFacts(a, b);
}

/**
 * The last instant a fact's time can stand for. A VodSourceFileStart CSS dates to the same second as
 * its TaskStart (task_start_time, ms) came after that start, not before it.
 */
export const latestAt = (fact: Pick<RelayFact, 'at' | 'atWholeSecond'>): number => fact.at! + (fact.atWholeSecond === true ? 999 : 0);

/**
 * A run's file is its index in source_urls; the URL only when CSS gave no index. (The documents'
 * Start and Finish of index 0 carry different URLs: keyed by URL, one file became two halves.)
 */
export const fileKey = (file: RelayVodFile | undefined): string =>
  file !== undefined && file.index !== null ? `index ${file.index}` : `url ${file?.url ?? ''}`;
const shownAt = (fact: RelayFact): number => fact.at ?? fact.receivedAt;

const firstInRun = (kept: RelayFact | null, fact: RelayFact): RelayFact => (kept === null || compareInRun(fact, kept) < 0 ? fact : kept);
const lastInRun = (kept: RelayFact | null, fact: RelayFact): RelayFact => (kept === null || compareInRun(fact, kept) > 0 ? fact : kept);
const latestOf = (kept: RelayFact | null, fact: RelayFact): RelayFact => (kept === null || compareFacts(fact, kept) > 0 ? fact : kept);

/** What a run's facts say about one file: the fact that gives each value. */
interface FileTally {
  index: number | null;
  /** Its first fact: where the file stands in the run's list. */
  first: RelayFact;
  withUrl: RelayFact | null;
  withDuration: RelayFact | null;
  start: RelayFact | null;
  /** The last finish CSS dated; an undated one (the first) shows only when there is none. */
  datedFinish: RelayFact | null;
  undatedFinish: RelayFact | null;
}

export interface Run {
  start: RelayFact | null;
  startAt: number | null;
  exits: number;
  /** The exit that ends it: the latest by own time (a timed exit over an untimed one), then id. */
  finalExit: RelayFact | null;
  files: Map<string, FileTally>;
  /** In the run's order. */
  alarms: RelayFact[];
  /** The latest instant its timed facts can stand for: a later start takes none of them. */
  lastDatedAt: number;
}

export interface RelayRuns {
  /** How many facts it is derived from. */
  size: number;
  /** Oldest first; the run whose start was never seen, when there is one, first of all. */
  runs: Run[];
  unseen: Run | null;
  undated: number;
  undatedExits: number;
  /** Per file, the smallest id of its undated VodSourceFileStarts and the largest of its undated finishes. */
  undatedStarts: Map<string, string>;
  undatedFinishes: Map<string, string>;
  /** The latest fact (canonical order) giving each: the task's app id, stream id, target URL and source URLs. */
  latest: Record<'appId' | 'streamId' | 'toUrl' | 'sourceUrls', RelayFact | null>;
  lastEventAt: number;
}

export const newRun = (start: RelayFact | null, startAt: number | null): Run => ({
  start, startAt, exits: 0, finalExit: null, files: new Map(), alarms: [], lastDatedAt: Number.NEGATIVE_INFINITY,
});

export function addToRun(run: Run, fact: RelayFact): void {
  if (fact.at !== null) run.lastDatedAt = Math.max(run.lastDatedAt, latestAt(fact));
  if (fact.kind === 'exit') {
    run.exits++;
    run.finalExit = latestOf(run.finalExit, fact);
  } else if (fact.kind === 'alarm') {
    let low = 0;
    let high = run.alarms.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareInRun(run.alarms[middle]!, fact) < 0) low = middle + 1;
      else high = middle;
    }
    run.alarms.splice(low, 0, fact);
  } else if (fact.kind === 'fileStart' || fact.kind === 'fileFinish') {
    const key = fileKey(fact.file);
    const tally = run.files.get(key) ?? { index: fact.file?.index ?? null, first: fact, withUrl: null, withDuration: null, start: null, datedFinish: null, undatedFinish: null };
    tally.first = firstInRun(tally.first, fact);
    if (fact.file?.url != null) tally.withUrl = firstInRun(tally.withUrl, fact);
    if (fact.file?.durationSeconds != null) tally.withDuration = lastInRun(tally.withDuration, fact);
    if (fact.kind === 'fileStart') tally.start = firstInRun(tally.start, fact);
    else if (fact.at !== null) tally.datedFinish = lastInRun(tally.datedFinish, fact);
    else tally.undatedFinish = firstInRun(tally.undatedFinish, fact);
    run.files.set(key, tally);
  }
}

/** What the task as a whole shows, whichever run a fact is in. */
export function noteTask(view: RelayRuns, fact: RelayFact): void {
  view.lastEventAt = Math.max(view.lastEventAt, shownAt(fact));
  const { latest } = view;
  if (fact.appId !== null) latest.appId = latestOf(latest.appId, fact);
  if (fact.streamId !== null) latest.streamId = latestOf(latest.streamId, fact);
  if (fact.toUrl !== null) latest.toUrl = latestOf(latest.toUrl, fact);
  if (fact.sourceUrls.length > 0) latest.sourceUrls = latestOf(latest.sourceUrls, fact);
}

export function countUndated(view: RelayRuns, fact: RelayFact): void {
  view.undated++;
  const key = fileKey(fact.file);
  if (fact.kind === 'exit') view.undatedExits++;
  if (fact.kind === 'fileFinish') {
    const greatest = view.undatedFinishes.get(key);
    if (greatest === undefined || fact.id > greatest) view.undatedFinishes.set(key, fact.id);
  }
  if (fact.kind === 'fileStart') {
    const smallest = view.undatedStarts.get(key);
    if (smallest === undefined || fact.id < smallest) view.undatedStarts.set(key, fact.id);
  }
}

export const hasDatedRuns = (view: RelayRuns): boolean => view.runs.length > 0 && view.runs[view.runs.length - 1]!.startAt !== null;

/** Index of the last dated run started at or before `instant`, or -1: a binary search over the starts. */
export function runAt(view: RelayRuns, instant: number): number {
  let low = view.unseen === null ? 0 : 1;
  let high = view.runs.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (view.runs[middle]!.startAt! <= instant) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

const emptyRuns = (): RelayRuns => ({
  size: 0, runs: [], unseen: null, undated: 0, undatedExits: 0, undatedFinishes: new Map(), undatedStarts: new Map(),
  latest: { appId: null, streamId: null, toUrl: null, sourceUrls: null }, lastEventAt: 0,
});

/** The runs of a set of facts (distinct ids), in O(n log n). */
export function buildRelayRuns(facts: readonly RelayFact[]): RelayRuns {
  const view = emptyRuns();
  view.size = facts.length;
  const startsByTime = new Map<number, RelayFact>();
  let firstUndatedStart: RelayFact | null = null;
  for (const fact of facts) {
    noteTask(view, fact);
    if (fact.kind !== 'start') continue;
    if (fact.at === null) {
      if (firstUndatedStart === null || fact.id < firstUndatedStart.id) firstUndatedStart = fact;
    } else {
      const known = startsByTime.get(fact.at);
      if (known === undefined || fact.id < known.id) startsByTime.set(fact.at, fact);
    }
  }
  view.runs = [...startsByTime.entries()].sort(([a], [b]) => a - b).map(([at, start]) => newRun(start, at));
  if (view.runs.length === 0 && firstUndatedStart !== null) view.runs.push(newRun(firstUndatedStart, null));

  const dated = hasDatedRuns(view);
  let unseen: Run | null = null;
  const undated: RelayFact[] = [];
  for (const fact of facts) {
    if (fact.kind === 'start') continue;
    if (fact.at === null) {
      undated.push(fact);
      continue;
    }
    const owner = dated ? view.runs[runAt(view, latestAt(fact))] : view.runs[0];
    addToRun(owner ?? (unseen ??= newRun(null, null)), fact);
  }
  if (unseen !== null) view.runs.unshift((view.unseen = unseen));

  undated.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (undated.length > 0 && view.runs.length === 0) view.runs.push((view.unseen = newRun(null, null)));
  const { runs } = view;
  const latest = runs.length - 1;
  // Undated facts in id order, each matched with what the runs hold by then: an exit ends the newest
  // run without one, a finish joins the newest run where its file started.
  const newestWithStart = new Map<string, number>();
  runs.forEach((run, i) => run.files.forEach((tally, key) => tally.start !== null && newestWithStart.set(key, i)));
  let withoutExit = latest;
  for (const fact of undated) {
    let target = latest;
    if (runs.length > 1 && fact.kind === 'exit') {
      while (withoutExit >= 0 && runs[withoutExit]!.exits > 0) withoutExit--;
      if (withoutExit >= 0) target = withoutExit;
    } else if (runs.length > 1 && fact.kind === 'fileFinish') {
      target = newestWithStart.get(fileKey(fact.file)) ?? latest;
    } else if (fact.kind === 'fileStart') newestWithStart.set(fileKey(fact.file), latest);
    addToRun(runs[target]!, fact);
    countUndated(view, fact);
  }
  return view;
}

function fileRows(run: Run, runIndex: number): RelayFileRow[] {
  return [...run.files.values()]
    .sort((a, b) => compareInRun(a.first, b.first))
    .map((tally) => {
      const finish = tally.datedFinish ?? tally.undatedFinish;
      return {
        run: runIndex,
        index: tally.index,
        url: tally.withUrl?.file?.url ?? null,
        durationSeconds: tally.withDuration?.file?.durationSeconds ?? null,
        startedAt: tally.start === null ? null : shownAt(tally.start),
        finishedAt: finish === null ? null : shownAt(finish),
      };
    });
}

/** The read-model row: O(runs + files + alarms), whatever the number of facts. */
export function relayRunsRow(view: RelayRuns, taskId: string): RelayTaskRow {
  const runRows: RelayRunRow[] = view.runs.map((run) => {
    const exit = run.finalExit;
    return {
      startedAt: run.start === null ? null : shownAt(run.start),
      exitedAt: exit === null ? null : shownAt(exit),
      exitCode: exit?.exitCode ?? null,
      exitMessage: exit?.exitMessage ?? null,
    };
  });
  const latest = runRows[runRows.length - 1];
  return {
    taskId,
    appId: view.latest.appId?.appId ?? null,
    streamId: view.latest.streamId?.streamId ?? null,
    sourceUrls: view.latest.sourceUrls?.sourceUrls ?? [],
    toUrl: view.latest.toUrl?.toUrl ?? null,
    // The task's status and exit are those of its latest run.
    status: latest !== undefined && latest.exitedAt !== null ? 'EXITED' : 'RUNNING',
    startedAt: latest?.startedAt ?? null,
    exitedAt: latest?.exitedAt ?? null,
    exitCode: latest?.exitCode ?? null,
    exitMessage: latest?.exitMessage ?? null,
    restartCount: Math.max(0, view.runs.length - 1),
    runs: runRows,
    files: view.runs.flatMap(fileRows),
    alarms: view.runs.flatMap((run, runIndex) =>
      run.alarms.map((f) => ({ run: runIndex, type: f.alarmType ?? null, message: f.alarmMessage ?? null, at: shownAt(f) })),
    ),
    lastEventAt: view.lastEventAt,
  };
}
