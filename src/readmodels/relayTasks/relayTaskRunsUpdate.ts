// A relay task's runs kept up to date one fact at a time, in O(log runs) for a fact that moves no other.
//
// Adding a fact compares it with what its run keeps. A fact that could move facts already placed (a start
// inside a run, an undated exit among several runs, ...) is not added: the caller builds the runs again.
import {
  addToRun,
  countUndated,
  fileKey,
  hasDatedRuns,
  latestAt,
  newRun,
  noteTask,
  runAt,
  type RelayRuns,
  type Run,
} from './relayTaskRuns';
import type { RelayFact } from './relayTask.reducer';

/** Whether a dated fact placed in `owner` changes where an undated fact already placed belongs. */
function movesUndated(view: RelayRuns, owner: Run, fact: RelayFact): boolean {
  if (view.undated === 0 || view.runs.length < 2) return false;
  // Undated exits go to the newest runs without a dated exit: one more run with a dated exit shifts them.
  if (fact.kind === 'exit') return owner.finalExit?.at == null && view.undatedExits > 0;
  if (fact.kind !== 'fileStart') return false;
  const key = fileKey(fact.file);
  return view.undatedFinishes.has(key) && owner.files.get(key)?.start?.at == null;
}

function addStart(view: RelayRuns, fact: RelayFact): boolean {
  const { runs } = view;
  if (fact.at === null) {
    if (hasDatedRuns(view)) return true; // undated starts open no run beside dated ones
    const only = runs[0];
    if (only === undefined) runs.push(newRun(fact, null));
    else if (only.start === null) {
      only.start = fact; // the run whose start was never seen is the only run either way
      view.unseen = null;
    } else if (fact.id < only.start.id) only.start = fact;
    return true;
  }
  if (!hasDatedRuns(view)) return false;
  const i = runAt(view, fact.at);
  const run = runs[i];
  if (run !== undefined && run.startAt === fact.at) {
    if (fact.id < run.start!.id) run.start = fact;
    return true;
  }
  const last = runs[runs.length - 1]!;
  if (fact.at <= last.startAt! || last.lastDatedAt >= fact.at || view.undated > 0) return false;
  runs.push(newRun(fact, fact.at)); // a restart after everything known: no fact changes run
  return true;
}

function addDated(view: RelayRuns, fact: RelayFact): boolean {
  const { runs } = view;
  let owner = hasDatedRuns(view) ? (runs[runAt(view, latestAt(fact))] ?? view.unseen) : runs[0];
  if (owner === undefined || owner === null) {
    // A run whose start was never seen comes first; undated facts, matched by where runs stand, could move.
    if (view.undated > 0) return false;
    owner = view.unseen = newRun(null, null);
    runs.unshift(owner);
  }
  if (movesUndated(view, owner, fact)) return false;
  addToRun(owner, fact);
  return true;
}

function addUndated(view: RelayRuns, fact: RelayFact): boolean {
  const { runs } = view;
  if (runs.length === 0) runs.push((view.unseen = newRun(null, null)));
  let target = runs[runs.length - 1]!;
  if (runs.length > 1) {
    const key = fileKey(fact.file);
    if (fact.kind === 'exit') return false;
    if (fact.kind === 'fileStart' && startMovesFinishes(view, fact, key)) return false;
    if (fact.kind === 'fileFinish') target = runOfUndatedFinish(view, fact, key);
  }
  addToRun(target, fact);
  countUndated(view, fact);
  return true;
}

/**
 * Whether an undated VodSourceFileStart (it goes to the latest run) changes where undated finishes of its
 * file belong: only those with a greater id that saw no start of the file in the latest run before it.
 */
function startMovesFinishes(view: RelayRuns, fact: RelayFact, key: string): boolean {
  const earliest = view.undatedStarts.get(key);
  if (view.runs[view.runs.length - 1]!.files.get(key)?.start?.at != null || (earliest !== undefined && earliest < fact.id)) return false;
  return (view.undatedFinishes.get(key) ?? '') > fact.id;
}

/** The newest run where the file started before this finish (undated starts, all in the latest run, by id). */
function runOfUndatedFinish(view: RelayRuns, fact: RelayFact, key: string): Run {
  const { runs } = view;
  const latest = runs[runs.length - 1]!;
  const undatedStart = view.undatedStarts.get(key);
  if (latest.files.get(key)?.start?.at != null || (undatedStart !== undefined && undatedStart < fact.id)) return latest;
  for (let i = runs.length - 2; i >= 0; i--) if (runs[i]!.files.get(key)?.start != null) return runs[i]!;
  return latest;
}

/** Adds one more fact (a new id); false when it could move facts already placed: build the runs again. */
export function addToRelayRuns(view: RelayRuns, fact: RelayFact): boolean {
  const placed = fact.kind === 'start' ? addStart(view, fact) : fact.at !== null ? addDated(view, fact) : addUndated(view, fact);
  if (!placed) return false;
  noteTask(view, fact);
  view.size++;
  return true;
}
