// Relay tasks: one per `task_id`, with its runs (each start with its exit), VOD files and alarms.
//
// The state is the set of the task's facts; the row is derived from that set alone (relayTaskRuns.ts).
// So the row is the same for any arrival order of the events, repeats included.
import type { RelayFields, RelayVodFile } from '../../domain/callbackEvents';
import type { ProjectedEvent } from '../projectedEvent';
import { buildRelayRuns, relayRunsRow, type RelayRuns } from './relayTaskRuns';
import { addToRelayRuns } from './relayTaskRunsUpdate';
import { fileStartTiming, type FileStartTiming } from './relayFileStarts';
import type { RelayTaskRow } from './relayTasks.table';

export type { RelayTaskRow } from './relayTasks.table';

export { latestAt } from './relayTaskRuns';

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

/**
 * The facts of a task in the order they were added, shared by the states folded one from another
 * (each state sees its first `size`): adding a fact appends to it instead of copying it.
 */
interface RelayFactLog {
  facts: RelayFact[];
  indexOf: Map<string, number>;
  /** The runs derived from the first `runs.size` facts, brought up to date when a row is asked for. */
  runs: RelayRuns | null;
}

/** A task's set of facts. Immutable for its users: a state never sees a fact added after it. */
export interface RelayTaskState {
  readonly taskId: string;
  readonly size: number;
  readonly log: RelayFactLog;
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

export const emptyRelayTask = (taskId: string): RelayTaskState => ({ taskId, size: 0, log: { facts: [], indexOf: new Map(), runs: null } });

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

/** Adds a fact once; a repeat changes nothing. O(1), but O(n) when `state` was folded further already. */
export function addRelayFact(state: RelayTaskState, fact: RelayFact): RelayTaskState {
  const known = state.log.indexOf.get(fact.id);
  if (known !== undefined && known < state.size) return state;
  let log = state.log;
  if (log.facts.length !== state.size) {
    // Another state was folded from this one: this one goes its own way, with its own copy.
    const facts = log.facts.slice(0, state.size);
    log = { facts, indexOf: new Map(facts.map((f, i) => [f.id, i])), runs: null };
  }
  log.indexOf.set(fact.id, log.facts.length);
  log.facts.push(fact);
  return { taskId: state.taskId, size: state.size + 1, log };
}

export function reduceRelayTask(state: RelayTaskState, event: ProjectedEvent): RelayTaskState {
  const fact = relayFactOf(event);
  return fact === null ? state : addRelayFact(state, fact);
}

/** The state of a task whose facts were stored. */
export function relayTaskOf(taskId: string, facts: readonly RelayFact[]): RelayTaskState {
  return facts.reduce(addRelayFact, emptyRelayTask(taskId));
}

/** The state's facts from the `from`-th on, in the order they were added (to store the new ones). */
export function relayFactsSince(state: RelayTaskState, from: number): RelayFact[] {
  return state.log.facts.slice(from, state.size);
}

/** The runs of the state's facts: those derived for an earlier state brought up to date fact by fact, or built anew. */
function runsOf(state: RelayTaskState): RelayRuns {
  const { log, size } = state;
  let runs = log.runs;
  // Built anew when most facts are new (a fold): once, in O(n log n), rather than fact by fact.
  if (runs !== null && (runs.size > size || size - runs.size > Math.max(64, runs.size))) runs = null;
  for (let i = runs?.size ?? size; runs !== null && i < size; i++) if (!addToRelayRuns(runs, log.facts[i]!)) runs = null;
  runs ??= buildRelayRuns(size === log.facts.length ? log.facts : log.facts.slice(0, size));
  if (log.runs === null || runs.size >= log.runs.size) log.runs = runs;
  return runs;
}

export function relayTaskRow(state: RelayTaskState): RelayTaskRow {
  return relayRunsRow(runsOf(state), state.taskId);
}

/** How soon the task's runs played their first VOD file, for the anomaly views. */
export function relayTaskTiming(state: RelayTaskState, row: RelayTaskRow): FileStartTiming {
  return fileStartTiming(runsOf(state), row.toUrl, row.sourceUrls);
}
