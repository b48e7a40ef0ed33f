// Time travel: a session's or task's row as it stood at an instant, folded from its events received by then.
import type { RecordedEvent } from '../eventstore/eventStore';
import { toProjectedEvent, type ProjectedEvent } from './projectedEvent';
import { addRelayFact, emptyRelayTask, relayTaskRow, type RelayFact, type RelayTaskRow, type RelayTaskState } from './relayTask.reducer';
import { emptySession, reduceSession, sessionRow, type SessionRow } from './session.reducer';

function receivedBy(events: readonly RecordedEvent[], asOf: number): ProjectedEvent[] {
  return events.map(toProjectedEvent).filter((e): e is ProjectedEvent => e !== null && e.receivedAt <= asOf);
}

/** Null when neither the push nor the interruption had been received at that instant (push anomaly reports share the stream). */
export function sessionAsOf(sequence: string, events: readonly RecordedEvent[], asOf: number): SessionRow | null {
  const state = receivedBy(events, asOf).reduce(reduceSession, emptySession(sequence));
  return state.push === null && state.interruption === null ? null : sessionRow(state);
}

/**
 * A task as it stood at an instant, folded a page at a time from the facts the projector keeps of its
 * events (those of its stream and of exits matched to it), each dated by its receipt.
 */
export class RelayTaskAsOf {
  private state: RelayTaskState;
  private received = 0;

  constructor(
    taskId: string,
    private readonly asOf: number,
  ) {
    this.state = emptyRelayTask(taskId);
  }

  add(facts: readonly RelayFact[]): void {
    for (const fact of facts) {
      if (fact.receivedAt > this.asOf) continue;
      this.received++;
      this.state = addRelayFact(this.state, fact);
    }
  }

  /** Null when none of its events had been received at that instant. */
  row(): RelayTaskRow | null {
    return this.received === 0 ? null : relayTaskRow(this.state);
  }
}
