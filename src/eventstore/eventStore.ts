// The event store port: what the service needs from any append-only log (SQLite or EventStoreDB).

/** A JSON object, as stored in an event's data or metadata. */
export type JsonObject = { [key: string]: unknown };

/**
 * An event to append. `id` is a UUID derived from the content, which makes appends idempotent.
 * `data` and `metadata` must be JSON-serializable (no bigint: 64-bit numbers travel as strings).
 */
export interface NewEvent {
  id: string;
  type: string;
  data: JsonObject;
  metadata?: JsonObject;
}

/** An event as read back: where it sits in its stream (`revision`, from 0) and in the global log (`position`). */
export interface RecordedEvent {
  id: string;
  type: string;
  stream: string;
  revision: bigint;
  position: bigint;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: Date;
}

/**
 * What the stream must look like for an append to go through:
 * `any`, `no_stream` (it has no events yet), or the exact revision of its last event.
 */
export type ExpectedRevision = 'any' | 'no_stream' | bigint;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: bigint;
  /** Global position of the last event this append wrote, or undefined when it wrote none. */
  position: bigint | undefined;
  /** Ids written by this append, in order. */
  appended: string[];
  /** Ids skipped because the stream already held them (a retry); an id repeated within one call is stored once and not listed. */
  duplicates: string[];
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive); default 0. */
  fromRevision?: bigint;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events after this global position (exclusive); default: from the start. */
  after?: bigint;
  maxCount?: number;
  /**
   * Only events of these types need their data and metadata: the others may come hollow (data and metadata empty),
   * which is enough for a follower that passes over them (a build whose read models read none of them). A store may
   * deliver them whole. Default: every event whole.
   */
  typesWithData?: ReadonlySet<string>;
}

export interface SubscribeToAllOptions {
  /** Deliver events after this global position (exclusive); default: from the start. */
  after?: bigint;
  /** Ends the subscription: the iterator finishes after the current event. */
  signal?: AbortSignal;
  /**
   * Only events of these types need their data and metadata: the others may come hollow (data and metadata empty),
   * which is enough for a follower that passes over them (a build whose read models read none of them). A store may
   * deliver them whole. Default: every event whole.
   */
  typesWithData?: ReadonlySet<string>;
}

/**
 * Semantics every adapter honours (pinned down by test/contract/eventStore.contract.ts):
 * - an event whose id the stream already holds is skipped, whatever the expected revision,
 *   so retrying an append never stores a second copy;
 * - the expected revision is checked only when something new is written;
 * - an append is durable when its promise resolves.
 */
export interface EventStore {
  /** Short name for logs: "sqlite:/path/events.db", "eventstoredb:host:port". */
  readonly description: string;
  appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of the global log in position order; at most 1000 when `maxCount` is not given. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The position of the last event readAll would deliver (0 for an empty log): how far a processor has to go.
   * Positions grow but need not be consecutive (EventStoreDB's are offsets in its log).
   */
  headPosition(): Promise<bigint>;
  /** Follows the global log: catches up from `after`, then delivers new events as they are appended. */
  subscribeToAll(options?: SubscribeToAllOptions): AsyncIterable<RecordedEvent>;
  /** Resolves when the store can take appends; rejects with StoreUnavailableError otherwise. */
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

/** The stream was not at the revision the append expected. */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream} expected at revision ${String(expected)} but is at ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The store cannot take or serve events right now (unreachable, full, timed out); the caller may retry. */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
