// Subscriptions to the embedded log: read on from a position, and when caught up wait for a commit to the same file.
import { BroadcastChannel } from 'node:worker_threads';
import type { RecordedEvent } from '../eventStore';

const SUBSCRIPTION_BATCH_SIZE = 500;

/**
 * The channel commits to `file` are announced on: every connection to the file in this process hears them, whichever
 * thread it is on. A listener only, it never keeps a process or thread alive.
 */
export function commitChannel(file: string): BroadcastChannel {
  const channel = new BroadcastChannel(`css-ledger-commits:${file}`);
  channel.unref();
  return channel;
}

/**
 * Commits to one file are announced on a channel named after it, which every connection to that file in this
 * process hears, whichever thread it is on: a caught-up subscription reads on at once. Other processes' appends
 * are seen at the poll interval.
 */
export class LogFollower {
  /** Bumped at every commit that wrote events; a subscription compares it before it sleeps. */
  private generation = 0;
  private readonly waiters = new Set<() => void>();
  /**
   * Opened with the first subscription: every commit wakes each thread listening, so a connection that follows
   * nothing (the background lane's, which is told where to read) does not listen.
   */
  private listening: BroadcastChannel | null = null;
  /** Opened with the first commit through this connection while it listens to none. */
  private announcing: BroadcastChannel | null = null;
  private open = true;

  constructor(
    private readonly file: string,
    private readonly readAfter: (after: bigint, limit: number, typesWithData?: ReadonlySet<string>) => RecordedEvent[],
    private readonly pollIntervalMs: number,
  ) {}

  /** A commit through this connection wrote events: its subscriptions and every other connection's read on. */
  committed(): void {
    this.wake();
    if (!this.open) return;
    // Through the listening channel when there is one: a channel does not hear its own messages.
    (this.listening ?? (this.announcing ??= commitChannel(this.file))).postMessage(null);
  }

  follow(after: bigint, signal: AbortSignal | undefined, typesWithData?: ReadonlySet<string>): AsyncIterable<RecordedEvent> {
    if (this.open && this.listening === null) {
      // Before the subscription's first read: a commit after that read is heard.
      this.listening = commitChannel(this.file);
      this.listening.onmessage = () => this.wake();
    }
    return this.iterate(after, signal, typesWithData);
  }

  close(): void {
    this.open = false;
    this.listening?.close();
    this.announcing?.close();
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
