// Relay-task states as last committed, the most recently used kept in memory: a long task is not read back per batch.
import type { RelayTaskState } from './relayTask.reducer';

/** Facts kept in all (under a kilobyte each); the most recently used task is kept whatever its size. */
export const COMMITTED_FACTS_KEPT = 50_000;

export class CommittedRelayTasks {
  private readonly states = new Map<string, RelayTaskState>();
  private facts = 0;

  constructor(private readonly maxFacts = COMMITTED_FACTS_KEPT) {}

  get(taskId: string): RelayTaskState | undefined {
    const state = this.states.get(taskId);
    if (state !== undefined) {
      this.states.delete(taskId); // a Map iterates in insertion order: the least recently used come first
      this.states.set(taskId, state);
    }
    return state;
  }

  /** Only states whose facts are all committed: a rolled-back batch leaves the earlier ones in place. */
  set(state: RelayTaskState): void {
    this.facts += state.size - (this.states.get(state.taskId)?.size ?? 0);
    this.states.delete(state.taskId);
    this.states.set(state.taskId, state);
    for (const [taskId, oldest] of this.states) {
      if (this.facts <= this.maxFacts || this.states.size === 1) break;
      this.states.delete(taskId);
      this.facts -= oldest.size;
    }
  }
}
