// Appends made in one event-loop turn, or while the previous commit is on its way, share one commit (one fsync): the
// only place the embedded store batches.
import { StoreUnavailableError, type AppendResult, type ExpectedRevision, type NewEvent } from '../eventStore';
import { serializeEvents, type BatchOutcome, type SerializedAppend } from './sqliteEventLog';

/** Counters for observability and metrics (read-only snapshot; `appends / commits` is the group-commit factor). */
export interface GroupCommitStats {
  /** Batch transactions committed, i.e. fsyncs paid by appends. */
  readonly commits: number;
  /** Append calls that resolved successfully. */
  readonly appends: number;
  /** Batches rolled back as a whole (every append in them rejected with StoreUnavailableError). */
  readonly failedBatches: number;
}

interface PendingAppend extends SerializedAppend {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A commit on another thread that does not return in time: its appends, and those after it, are refused. */
export interface CommitDeadline {
  timeoutMs: number;
  /** The store, as the refusal names it. */
  description: string;
}

export class GroupCommit {
  private queue: PendingAppend[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  /** The commit on its way (to a writer thread); appends meanwhile wait for it and go in the next one together. */
  private inFlight: Promise<void> | null = null;
  /** Set while the commit on its way is past its deadline: appends are refused at once until it returns. */
  private overdue: StoreUnavailableError | null = null;
  private readonly counters = { commits: 0, appends: 0, failedBatches: 0 };

  /**
   * `commit` writes a batch, here (synchronously) or on another thread; `wrote` hears of each committed batch
   * that stored something new. With a `deadline`, a commit on another thread that takes longer (a disk that stalls,
   * a lock another process holds) has its appends refused then, not when it returns; it goes on, and what it stores
   * is stored (a retry of it is a duplicate). Nothing queues behind it meanwhile, so memory stays bounded.
   */
  constructor(
    private readonly commit: (batch: SerializedAppend[]) => BatchOutcome | Promise<BatchOutcome>,
    private readonly wrote?: () => void,
    private readonly deadline?: CommitDeadline,
  ) {}

  /** Why appends are refused now (a commit past its deadline), or null. */
  get stalled(): StoreUnavailableError | null {
    return this.overdue;
  }

  get stats(): GroupCommitStats {
    return { ...this.counters };
  }

  /** Serialized here, once, so the commit only binds strings; an append that cannot be serialized fails alone. */
  append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    let serialized;
    try {
      serialized = serializeEvents(events);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.overdue !== null) return Promise.reject(this.overdue);
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events: serialized, expected, resolve, reject });
      if (this.inFlight === null) this.scheduled ??= setImmediate(() => void this.flush());
    });
  }

  /**
   * Commits what is queued now, after the commit on its way if there is one (at close: appends accepted before it
   * still get their answer). A commit's end sends what queued meanwhile at once: a steady trickle of appends makes
   * batches of several, each waiting no longer than it would have behind the commits before it.
   */
  flush(): Promise<void> {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.inFlight !== null) return this.inFlight.then(() => this.flush());
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return Promise.resolve();
    let answer: BatchOutcome | Promise<BatchOutcome>;
    try {
      answer = this.commit(batch.map(({ stream, events, expected }) => ({ stream, events, expected })));
    } catch (error) {
      answer = Promise.reject(error);
    }
    const done = Promise.resolve(answer).then(
      (outcome) => this.settle(batch, outcome),
      (error: unknown) => this.settle(batch, { committed: false, outcomes: batch.map(() => ({ ok: false, error })) }),
    );
    // Committed here, synchronously: nothing was on its way meanwhile.
    if (!(answer instanceof Promise)) return done;
    const overdue = this.deadline === undefined ? undefined : setTimeout(() => this.refuseOverdue(batch), this.deadline.timeoutMs);
    const next = () => {
      clearTimeout(overdue);
      this.overdue = null;
      this.inFlight = null;
      if (this.queue.length > 0) void this.flush();
    };
    this.inFlight = done.then(next, next);
    return this.inFlight;
  }

  /** The commit on its way is past its deadline: its appends and those queued behind it are answered now. */
  private refuseOverdue(batch: PendingAppend[]): void {
    const { timeoutMs, description } = this.deadline!;
    this.overdue = new StoreUnavailableError(
      `${description}: a commit has not returned in ${timeoutMs} ms (the disk stalls, or another process holds the log's write lock); ` +
        'appends are refused until it does, and a retry of one it stores is a duplicate',
    );
    const waiting = [...batch, ...this.queue];
    this.queue = [];
    for (const append of waiting) append.reject(this.overdue);
  }

  private settle(batch: PendingAppend[], { committed, outcomes }: BatchOutcome): void {
    if (committed) this.counters.commits++;
    else this.counters.failedBatches++;
    let wrote = false;
    outcomes.forEach((outcome, i) => {
      const append = batch[i]!;
      if (!outcome.ok) return append.reject(outcome.error);
      this.counters.appends++;
      wrote ||= outcome.result.appended.length > 0;
      append.resolve(outcome.result);
    });
    if (wrote) this.wrote?.();
  }
}
