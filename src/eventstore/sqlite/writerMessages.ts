// What the embedded store's main side and its writer thread say to each other.
import type { AppendResult } from '../eventStore';
import type { SerializedAppend } from './sqliteEventLog';
import type { SentError } from './threadErrors';

export interface WriterWorkerData {
  eventsFile: string;
}

export type ToWriter = { kind: 'commit'; id: number; batch: SerializedAppend[] } | { kind: 'close' };

export type SentOutcome = { ok: true; result: AppendResult } | { ok: false; error: SentError };

export type FromWriter =
  | { kind: 'ready' }
  | { kind: 'failed'; error: SentError }
  | { kind: 'committed'; id: number; committed: boolean; outcomes: SentOutcome[] }
  | { kind: 'closed' };
