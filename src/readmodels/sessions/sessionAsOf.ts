// Time travel for sessions: a session's row as it stood at an instant, folded from its events received by then.
import type { RecordedEvent } from '../../eventstore/eventStore';
import { toProjectedEvent, type ProjectedEvent } from '../projectedEvent';
import { emptySession, reduceSession, sessionRow, type SessionRow } from './session.reducer';

function receivedBy(events: readonly RecordedEvent[], asOf: number): ProjectedEvent[] {
  return events.map(toProjectedEvent).filter((e): e is ProjectedEvent => e !== null && e.receivedAt <= asOf);
}

/** Null when neither the push nor the interruption had been received at that instant (push anomaly reports share the stream). */
export function sessionAsOf(sequence: string, events: readonly RecordedEvent[], asOf: number): SessionRow | null {
  const state = receivedBy(events, asOf).reduce(reduceSession, emptySession(sequence));
  return state.push === null && state.interruption === null ? null : sessionRow(state);
}
