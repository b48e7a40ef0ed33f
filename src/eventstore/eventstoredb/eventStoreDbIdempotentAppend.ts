// Idempotent appends to EventStoreDB: the stream's ids read (or remembered), only new events written, at exactly the revision read.
import { NO_STREAM, StreamNotFoundError, WrongExpectedVersionError, type EventStoreDBClient, type ResolvedEvent } from '@eventstore/db-client';
import type { Logger } from 'pino';
import { abortable } from '../deadline';
import { StoreUnavailableError, WrongExpectedRevisionError, type AppendResult, type ExpectedRevision, type NewEvent } from '../eventStore';
import { KeyedMutex } from '../keyedMutex';
import { collect } from './eventStoreDbCalls';
import { idKey, toEventData } from './eventStoreDbMapping';

/** Read-then-append rounds before an `any` append gives up on a stream other writers keep changing. */
const MAX_APPEND_ATTEMPTS = 5;

/** What an append found in the stream: its last revision (undefined: no stream) and the ids it holds. */
interface StreamState {
  revision: bigint | undefined;
  ids: Set<string>;
}

export class IdempotentAppends {
  /**
   * A stream's state as our last append to it left it, kept only while more appends to it wait their turn:
   * a burst of appends to one stream then reads it once. Trusting it is safe because the append still
   * expects that exact revision: had anyone else written since, the server refuses and we read afresh.
   */
  private readonly knownStates = new Map<string, StreamState>();
  /** Appends to one stream from this process take turns, so they do not race each other's read-then-write. */
  private readonly appendTurns = new KeyedMutex((stream) => this.knownStates.delete(stream));

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly description: string,
    private readonly logger: Logger,
  ) {}

  /** Runs `append` when the appends to `stream` queued before it are done. */
  inTurn<T>(stream: string, signal: AbortSignal, append: () => Promise<T>): Promise<T> {
    return this.appendTurns.run(stream, signal, append);
  }

  /**
   * Guaranteed idempotency: EventStoreDB drops a repeated event id appended with `any` only while the id
   * is in its cache of recent writes, so a CSS retry minutes later could be stored twice. Instead we read
   * the stream (ours are short), leave out ids it already holds, and append the rest expecting exactly
   * the revision we read: anything written in between makes the server refuse, and we start over.
   */
  async appendNew(
    stream: string,
    proposed: NewEvent[],
    expected: ExpectedRevision,
    deadlineAt: number,
    signal: AbortSignal,
  ): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const remembered = this.knownStates.get(stream);
      this.knownStates.delete(stream); // trusted again only once the server has accepted a write on top of it
      const current = remembered ?? (await this.readStreamState(stream, signal));
      const fresh = proposed.filter((e) => !current.ids.has(idKey(e.id)));
      const duplicates = proposed.filter((e) => current.ids.has(idKey(e.id))).map((e) => e.id);
      const nothingNew = fresh.length === 0;
      if (nothingNew || !matchesExpected(expected, current.revision)) {
        // Answers without a write report the stream as it is: on what the server says, not on our memory.
        if (remembered) continue;
        if (!nothingNew) throw new WrongExpectedRevisionError(stream, expected, current.revision ?? 'no_stream');
        this.knownStates.set(stream, current);
        return { nextExpectedRevision: current.revision ?? -1n, position: undefined, appended: [], duplicates };
      }
      try {
        const written = await abortable(
          this.client.appendToStream(stream, fresh.map(toEventData), {
            expectedRevision: current.revision ?? NO_STREAM,
            deadline: Math.max(1, deadlineAt - performance.now()),
          }),
          signal,
        );
        for (const event of fresh) current.ids.add(idKey(event.id));
        this.knownStates.set(stream, { revision: written.nextExpectedRevision, ids: current.ids });
        return {
          nextExpectedRevision: written.nextExpectedRevision,
          position: written.position?.commit,
          appended: fresh.map((e) => e.id),
          duplicates,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Another writer got in between our read and our write. The next round re-reads: an exact or
        // no_stream expectation is then checked against what is there now; `any` simply tries again.
        if (attempt >= MAX_APPEND_ATTEMPTS) {
          throw new StoreUnavailableError(`${this.description}: ${stream} kept changing during ${attempt} append attempts`, { cause: error });
        }
        this.logger.debug({ stream, attempt }, `${this.description}: ${stream} changed between read and append, retrying`);
      }
    }
  }

  private async readStreamState(stream: string, signal: AbortSignal): Promise<StreamState> {
    let events: ResolvedEvent[];
    try {
      // From the leader: a lagging follower would only cost us a conflict and a retry, but why pay it.
      events = await collect(this.client.readStream(stream, { requiresLeader: true }), signal);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { revision: undefined, ids: new Set() };
      throw error;
    }
    const ids = new Set<string>();
    for (const resolved of events) if (resolved.event) ids.add(idKey(resolved.event.id));
    return { revision: events.at(-1)?.event?.revision, ids };
  }
}

/** The caller's expectation, checked (as the port says) only when something new is to be written. */
function matchesExpected(expected: ExpectedRevision, current: bigint | undefined): boolean {
  if (expected === 'any') return true;
  return expected === 'no_stream' ? current === undefined : current === expected;
}
