// The projector keeps the relay-task states it last committed, the most recently used first, within a budget of facts.
import { CommittedRelayTasks } from '../../src/readmodels/relayTasks/committedRelayTasks';
import { relayFactOf, relayTaskOf, type RelayFact } from '../../src/readmodels/relayTasks/relayTask.reducer';
import { fileStarted } from '../support/projectedEvents';

/** A task state of `count` facts. */
function taskOf(taskId: string, count: number) {
  const facts = Array.from({ length: count }, (_, i) => relayFactOf(fileStarted(taskId, { index: i, event_time: 1_700_000_000 + i }))!) as RelayFact[];
  return relayTaskOf(taskId, facts);
}

describe('committed relay tasks', () => {
  it('keeps tasks until their facts pass the budget, then lets the least recently used go', () => {
    const kept = new CommittedRelayTasks(10);
    kept.set(taskOf('a', 4));
    kept.set(taskOf('b', 4));
    expect(kept.get('a')?.size).toBe(4); // a is now the most recently used
    kept.set(taskOf('c', 4));
    expect([kept.get('a')?.size, kept.get('b'), kept.get('c')?.size]).toEqual([4, undefined, 4]);
  });

  it('counts a task once when a later state of it replaces the earlier', () => {
    const kept = new CommittedRelayTasks(10);
    kept.set(taskOf('a', 4));
    kept.set(taskOf('a', 6));
    kept.set(taskOf('b', 4));
    expect([kept.get('a')?.size, kept.get('b')?.size]).toEqual([6, 4]);
  });

  it('keeps the most recently used task whatever its size', () => {
    const kept = new CommittedRelayTasks(10);
    kept.set(taskOf('a', 4));
    kept.set(taskOf('long', 25));
    expect([kept.get('a'), kept.get('long')?.size]).toEqual([undefined, 25]);
  });
});
