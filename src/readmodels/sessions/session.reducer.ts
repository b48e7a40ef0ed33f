// Stream sessions: one per push `sequence`, folded from its push and interruption in any order.
import type { SessionFields } from '../../domain/callbackEvents';
import { describeInterruption } from '../../domain/errcodeCatalogue';
import type { ProjectedEvent } from '../projectedEvent';
import type { SessionRow, SessionStatus } from './sessions.table';

export type { SessionRow, SessionStatus } from './sessions.table';

/** What the session knows: at most one push and one interruption (duplicates resolved deterministically). */
export interface SessionState {
  sequence: string;
  push: SessionFact | null;
  interruption: SessionFact | null;
}

export interface SessionFact {
  id: string;
  receivedAt: number;
  fields: SessionFields;
}

export const emptySession = (sequence: string): SessionState => ({ sequence, push: null, interruption: null });

/** What the fold orders facts of one kind by: CSS's own time, then the id. */
export interface OrderedFact {
  id: string;
  fields: { eventTime: number | null };
}

/** CSS's own time of a fact, or `untimed` when it gave none: a timed fact wins over an untimed one. */
const timeOf = (fact: OrderedFact, untimed: number): number => fact.fields.eventTime ?? untimed;

/** Orders two facts of the same kind by CSS's own time, then id: the outcome cannot depend on arrival. */
function before(a: OrderedFact, b: OrderedFact, untimed: number): boolean {
  const ta = timeOf(a, untimed);
  const tb = timeOf(b, untimed);
  return ta !== tb ? ta < tb : a.id < b.id;
}

/**
 * Folds a push or an interruption into what a session keeps of each (the whole fact, or less of it): the same state
 * when it changes nothing.
 */
export function foldSessionFact<F extends OrderedFact, S extends { push: F | null; interruption: F | null }>(
  state: S,
  type: 'StreamPushed' | 'StreamInterrupted',
  fact: F,
): S {
  if (type === 'StreamPushed') {
    // The first push of an activity is its start.
    return state.push === null || before(fact, state.push, Infinity) ? { ...state, push: fact } : state;
  }
  // The last interruption is its end.
  return state.interruption === null || before(state.interruption, fact, -Infinity) ? { ...state, interruption: fact } : state;
}

export function reduceSession(state: SessionState, event: ProjectedEvent): SessionState {
  if (event.type !== 'StreamPushed' && event.type !== 'StreamInterrupted') return state;
  return foldSessionFact(state, event.type, { id: event.id, receivedAt: event.receivedAt, fields: event.fields });
}

const instantOf = (fact: SessionFact | null): number | null =>
  fact === null ? null : fact.fields.eventTime !== null ? fact.fields.eventTime * 1000 : fact.receivedAt;

/** LIVE until the interruption arrives: a push that arrives after its interruption does not bring the session back to life. */
export const sessionStatus = (state: SessionState): SessionStatus => (state.interruption === null ? 'LIVE' : 'ENDED');

/** What the push and the interruption both carry: the push's, else the interruption's. */
const sharedField = <K extends keyof SessionFields>({ push, interruption }: SessionState, key: K): SessionFields[K] | null =>
  push?.fields[key] ?? interruption?.fields[key] ?? null;

/** Where a session is counted (sessionCountsTable): its row's domain, app name, status and errcode, without building the row. */
export const sessionCountedAs = (state: SessionState): [domain: string | null, appName: string | null, status: SessionStatus, errcode: string | null] => {
  const errcode = state.interruption?.fields.errcode ?? null;
  return [sharedField(state, 'domain'), sharedField(state, 'appName'), sessionStatus(state), errcode === null ? null : String(errcode)];
};

export function sessionRow(state: SessionState): SessionRow {
  const { push, interruption } = state;
  const shared = <K extends keyof SessionFields>(key: K) => sharedField(state, key);
  const pushedAt = instantOf(push);
  const interruptedAt = instantOf(interruption);
  const end = interruption?.fields ?? null;
  const cause = end === null ? null : describeInterruption(end.errcode, end.subErrcode);
  // Measured only when the end is not before the start: an untimed push received after its
  // interruption shows its receipt time, which says nothing about how long the push lasted.
  const measured =
    pushedAt !== null && interruptedAt !== null && interruptedAt >= pushedAt ? interruptedAt - pushedAt : null;
  return {
    sequence: state.sequence,
    appId: shared('appId'),
    domain: shared('domain'),
    appName: shared('appName'),
    streamId: shared('streamId'),
    channelId: shared('channelId'),
    status: sessionStatus(state),
    pushedAt,
    interruptedAt,
    pushDurationMs: end?.pushDurationMs ?? measured,
    errcode: end?.errcode ?? null,
    subErrcode: end?.subErrcode ?? null,
    errmsg: end?.errmsg ?? null,
    reason: cause?.reason ?? null,
    reasonCategory: cause?.category ?? null,
    node: shared('node'),
    userIp: shared('userIp'),
    streamParam: shared('streamParam'),
    setId: shared('setId'),
    width: shared('width'),
    height: shared('height'),
    sessionAt: pushedAt ?? interruptedAt ?? 0,
  };
}
