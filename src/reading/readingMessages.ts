// What the main thread and a reading thread say to each other.
import type { RecordedEvent } from '../eventstore/eventStore';
import type { SentError } from '../eventstore/sqlite/threadErrors';
import type { GraphqlConfig } from '../graphql/graphqlConfig';
import type { ThreadAnswer, ThreadError, ThreadQuery } from '../graphql/readingThreadAnswers';

export interface ReadingWorkerData {
  /** The file each read model is served from when the thread starts; swaps follow as messages. */
  files: Record<string, string>;
  readCacheKiB: Readonly<Record<string, number | undefined>>;
  graphql: GraphqlConfig;
}

export type ToReadingThread =
  | { kind: 'query'; id: number; query: ThreadQuery }
  | { kind: 'swap'; readModel: string; file: string }
  | { kind: 'history'; id: number; events: RecordedEvent[] }
  | { kind: 'history failed'; id: number; error: SentError }
  /** The client of a query in hand went away: its statistic, if any, stops at its next turn. */
  | { kind: 'client gone'; id: number }
  | { kind: 'statistic admitted'; id: number }
  | { kind: 'statistic refused'; id: number; refusal: ThreadError }
  /** Close the connections and end. */
  | { kind: 'close' };

export type FromReadingThread =
  | { kind: 'ready' }
  | { kind: 'answer'; id: number; answer: ThreadAnswer }
  | { kind: 'failed'; id: number; message: string }
  /** A stream's events, for time travel: the event store is the main thread's. */
  | { kind: 'history'; id: number; stream: string }
  /** A statistic asks for its turn in the main thread's admission, and says when it is over. */
  | { kind: 'statistic'; id: number }
  | { kind: 'statistic done'; id: number };
