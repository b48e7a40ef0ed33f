// The authenticated callbacks being handled, and how long the oldest of them has waited for its answer.

/** Callbacks counted from their admission (authenticated) to their answer, oldest first. */
export class CallbacksInFlight {
  // A Map keeps its insertion order: its first entry is the oldest callback still unanswered.
  private readonly admittedAt = new Map<object, number>();

  constructor(private readonly now: () => number = performance.now.bind(performance)) {}

  /** Callbacks being answered now. */
  get count(): number {
    return this.admittedAt.size;
  }

  admit(request: object): void {
    this.admittedAt.set(request, this.now());
  }

  /** Whether the request was admitted (and is no longer counted). */
  release(request: object): boolean {
    return this.admittedAt.delete(request);
  }

  /** Milliseconds the oldest unanswered callback has waited; 0 when none waits. */
  oldestWaitMs(): number {
    const oldest = this.admittedAt.values().next();
    return oldest.done === true ? 0 : this.now() - oldest.value;
  }
}
