// What the main thread and a reading thread say to each other.
import type { RecordedEvent } from '../eventstore/eventStore';
import type { SentError } from '../eventstore/sqlite/threadErrors';
import type { GraphqlConfig } from '../graphql/graphqlConfig';
import type { ThreadAnswer, ThreadQuery } from '../graphql/readingThreadAnswers';

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
  /** Close the connections and end. */
  | { kind: 'close' };

export type FromReadingThread =
  | { kind: 'ready' }
  | { kind: 'answer'; id: number; answer: ThreadAnswer }
  | { kind: 'failed'; id: number; message: string }
  /** A stream's events, for time travel: the event store is the main thread's. */
  | { kind: 'history'; id: number; stream: string };
