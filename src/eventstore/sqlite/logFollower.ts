// Subscriptions to the embedded log: read on from a position, and when caught up wait for a commit to the same file.
import { BroadcastChannel } from 'node:worker_threads';
import type { RecordedEvent } from '../eventStore';

const SUBSCRIPTION_BATCH_SIZE = 500;

/**
 * Commits to one file are announced on a channel named after it, which every connection to that file in this
 * process hears, whichever thread it is on: a caught-up subscription reads on at once. Other processes' appends
 * are seen at the poll interval.
 */
export class LogFollower {
  /** Bumped at every commit that wrote events; a subscription compares it before it sleeps. */
  private generation = 0;
  private readonly waiters = new Set<() => void>();
  private readonly channel: BroadcastChannel;
  private open = true;

  constructor(
    file: string,
    private readonly readAfter: (after: bigint, limit: number, typesWithData?: ReadonlySet<string>) => RecordedEvent[],
    private readonly pollIntervalMs: number,
  ) {
    this.channel = new BroadcastChannel(`css-ledger-commits:${file}`);
    this.channel.onmessage = () => this.wake();
    // A listener only: it never keeps a process or thread alive.
    this.channel.unref();
  }

  /** A commit through this connection wrote events: its subscriptions and every other connection's read on. */
  committed(): void {
    this.wake();
    if (this.open) this.channel.postMessage(null);
  }

  follow(after: bigint, signal: AbortSignal | undefined, typesWithData?: ReadonlySet<string>): AsyncIterable<RecordedEvent> {
    return this.iterate(after, signal, typesWithData);
  }

  close(): void {
    this.open = false;
    this.channel.close();
    this.wake();
  }

  private async *iterate(after: bigint, signal: AbortSignal | undefined, typesWithData: ReadonlySet<string> | undefined): AsyncGenerator<RecordedEvent> {
    let last = after;
    while (this.isFollowing(signal)) {
      const seen = this.generation; // taken before the read, so an append during our yields is not missed
      const batch = this.readAfter(last, SUBSCRIPTION_BATCH_SIZE, typesWithData);
      for (const event of batch) {
        yield event;
        last = event.position;
        if (!this.isFollowing(signal)) return;
      }
      if (batch.length < SUBSCRIPTION_BATCH_SIZE) await this.waitForCommit(seen, signal);
    }
  }

  private isFollowing(signal: AbortSignal | undefined): boolean {
    return this.open && !signal?.aborted;
  }

  /** Resolves on a commit to the file, the poll interval (appends by other processes), abort, or close. */
  private waitForCommit(seen: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.generation !== seen || !this.isFollowing(signal)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    this.generation++;
    for (const wake of this.waiters) wake();
  }
}
