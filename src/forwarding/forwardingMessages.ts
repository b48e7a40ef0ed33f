// What the service's main thread and the forwarding thread say to each other (values cross as structured clones: bigint and Date survive).
import type { ForwardConfig } from './forwardConfig';
import type { ForwardingMetrics } from './forwardingMetrics';
import type { ForwardingOperation } from './forwardingControl';

export interface ForwardingWorkerData {
  eventsFile: string;
  forwardingFile: string;
  config: ForwardConfig;
  logLevel: string;
  shutdownGraceMs: number;
}

export interface SentError {
  name: string;
  message: string;
  code?: string;
}

/** A metrics call made on the forwarding thread, replayed on the main thread where Prometheus is scraped. */
export type MetricCall = { [Method in keyof ForwardingMetrics]: [Method, Parameters<ForwardingMetrics[Method]>] }[keyof ForwardingMetrics];

export type ToForwarding = { kind: 'call'; id: number; operation: ForwardingOperation; args: unknown[] } | { kind: 'shutdown' };

export type FromForwarding =
  | { kind: 'ready' }
  | { kind: 'failed'; error: SentError }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: SentError }
  | { kind: 'metrics'; calls: MetricCall[] }
  | { kind: 'stopped' };

export function sendableError(error: unknown): SentError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}

/** The error as the caller would have seen it on its own thread: same name, message and code. */
export function receivedError(sent: SentError): Error {
  const error = Object.assign(new Error(sent.message), sent.code === undefined ? {} : { code: sent.code });
  error.name = sent.name;
  return error;
}
