// One task at a time per key (a stream), in call order; other keys run in parallel.

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly counts = new Map<string, number>();

  /** `onIdle(key)` runs whenever the last task running or waiting for `key` leaves. */
  constructor(private readonly onIdle: (key: string) => void = () => undefined) {}

  /**
   * Runs `task` once every earlier task for `key` has settled. Waiting for the turn ends early when the
   * signal aborts (the task does not run then); later callers still wait for the earlier tasks.
   */
  async run<T>(key: string, signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    try {
      await waitOrAbort(previous, signal);
      signal.throwIfAborted();
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key); // keeps the maps as small as the set of busy keys
      const count = this.counts.get(key)! - 1;
      if (count > 0) {
        this.counts.set(key, count);
      } else {
        this.counts.delete(key);
        this.onIdle(key);
      }
    }
  }
}

function waitOrAbort(turn: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void turn.then(done);
  });
}
