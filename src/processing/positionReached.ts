// Waiting for a processor to reach a log position, checked each time it reports a batch handled.
import type { EventEmitter } from 'node:events';

/** Resolves once `current()` reaches `position`, checked on every 'applied' event of `changes`. */
export function positionReached(changes: EventEmitter, current: () => bigint, position: bigint): Promise<void> {
  if (current() >= position) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (current() < position) return;
      changes.off('applied', check);
      resolve();
    };
    changes.on('applied', check);
  });
}
