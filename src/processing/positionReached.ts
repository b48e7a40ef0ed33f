// Waiting for a processor to reach a log position, checked each time it reports a batch handled.

/** Subscribes a listener to "a batch was handled"; returns the unsubscribe. */
export type AppliedWatch = (listener: () => void) => () => void;

/** Resolves once `current()` reaches `position`, checked after every batch `watch` reports; an abort resolves it too. */
export function positionReached(watch: AppliedWatch, current: () => bigint, position: bigint, signal?: AbortSignal): Promise<void> {
  if (current() >= position || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      unwatch();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const unwatch = watch(() => {
      if (current() >= position) done();
    });
    signal?.addEventListener('abort', done, { once: true });
  });
}
