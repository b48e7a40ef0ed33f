// Time travel for relay tasks: a task as it stood at an instant, folded a page at a time from the facts the read model keeps.
import { addRelayFact, emptyRelayTask, relayTaskRow, type RelayFact, type RelayTaskRow, type RelayTaskState } from './relayTask.reducer';

/**
 * A task as it stood at an instant, folded from the facts the read model keeps of its events (those of its stream
 * and of exits matched to it), each dated by its receipt.
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
