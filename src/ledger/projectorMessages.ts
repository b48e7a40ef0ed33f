// What the service's main thread and the ledger thread say to each other, and how errors cross between them.
import { StoreUnavailableError, WrongExpectedRevisionError, type AppendResult, type ExpectedRevision } from '../eventstore/eventStore';
import type { SerializedEvent } from '../eventstore/sqliteEventStore';
import type { MessagePort } from 'node:worker_threads';
import type { ServingChange } from '../processing/projectionHost';
import type { ReadModelChange } from '../processing/projectionDefinition';
import type { ProjectionsStatus } from '../processing/projectionsStatus';

/** Where the read models live: one folder per read model, and the previous layout's file, if any, to answer meanwhile. */
export interface ReadModelFiles {
  readModelsRoot: string;
  legacyFile: string | null;
}

/** The ledger runs as two threads: one writes the event log, the other projects it into the read models. */
export type LedgerWorkerData =
  | { role: 'writer'; eventsFile: string; logLevel: string; commits: MessagePort }
  | ({ role: 'projector'; eventsFile: string; logLevel: string; commits: MessagePort } & ReadModelFiles);

export interface AppendRequest {
  id: number;
  stream: string;
  events: SerializedEvent[];
  expected: ExpectedRevision;
}

export type AppendOutcome = { id: number; ok: true; result: AppendResult } | { id: number; ok: false; error: SentError };

export type ToLedger =
  | { kind: 'append'; requests: AppendRequest[] }
  /** Writer: closes the event store; appends fail from now on. */
  | { kind: 'closeStore' }
  /** Writer: closes the store. Projector: applies what is committed, persists the checkpoint, closes both files. */
  | { kind: 'shutdown' };

export type FromLedger =
  | { kind: 'ready'; projections: { status: ProjectionsStatus; serving: Record<string, string> } | null; storeDescription: string }
  | { kind: 'failed'; error: SentError }
  | { kind: 'appended'; outcomes: AppendOutcome[] }
  | { kind: 'projected'; changes: ReadModelChange[]; status: ProjectionsStatus }
  | { kind: 'status'; status: ProjectionsStatus }
  | { kind: 'serving'; change: ServingChange; status: ProjectionsStatus }
  | { kind: 'storeClosed' }
  | { kind: 'stopped' };

/** An error as plain data: class instances lose their prototype when posted to another thread. */
export interface SentError {
  name: string;
  message: string;
  stream?: string;
  expected?: ExpectedRevision;
  actual?: bigint | 'no_stream';
}

export function sendableError(error: unknown): SentError {
  if (error instanceof WrongExpectedRevisionError) {
    return { name: error.name, message: error.message, stream: error.stream, expected: error.expected, actual: error.actual };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The error class the caller would have seen had the store run on its own thread. */
export function receivedError(sent: SentError): Error {
  switch (sent.name) {
    case 'WrongExpectedRevisionError':
      return new WrongExpectedRevisionError(sent.stream!, sent.expected!, sent.actual!);
    case 'StoreUnavailableError':
      return new StoreUnavailableError(sent.message);
    case 'TypeError':
      return new TypeError(sent.message);
    case 'RangeError':
      return new RangeError(sent.message);
    default: {
      const error = new Error(sent.message);
      error.name = sent.name;
      return error;
    }
  }
}
