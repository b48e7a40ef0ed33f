// Time travel: a session's or task's row as it stood at an instant, folded from its events received by then.
import type { RecordedEvent } from '../eventstore/eventStore';
import { toProjectedEvent, type ProjectedEvent } from './projectedEvent';
import { emptyRelayTask, reduceRelayTask, relayTaskRow, type RelayTaskRow, type RelayTaskState } from './relayTask.reducer';
import { emptySession, reduceSession, sessionRow, type SessionRow } from './session.reducer';

function receivedBy(events: readonly RecordedEvent[], asOf: number): ProjectedEvent[] {
  return events.map(toProjectedEvent).filter((e): e is ProjectedEvent => e !== null && e.receivedAt <= asOf);
}

/** Null when none of the session's events had been received at that instant. */
export function sessionAsOf(sequence: string, events: readonly RecordedEvent[], asOf: number): SessionRow | null {
  const known = receivedBy(events, asOf);
  return known.length === 0 ? null : sessionRow(known.reduce(reduceSession, emptySession(sequence)));
}

/** A task as it stood at an instant, folded from its events a page at a time: those of its stream and of exits matched to it. */
export class RelayTaskAsOf {
  private state: RelayTaskState;
  private received = 0;

  constructor(
    taskId: string,
    private readonly asOf: number,
  ) {
    this.state = emptyRelayTask(taskId);
  }

  add(events: readonly RecordedEvent[]): void {
    const known = receivedBy(events, this.asOf);
    this.received += known.length;
    this.state = known.reduce(reduceRelayTask, this.state);
  }

  /** Null when none of its events had been received at that instant. */
  row(): RelayTaskRow | null {
    return this.received === 0 ? null : relayTaskRow(this.state);
  }
}
