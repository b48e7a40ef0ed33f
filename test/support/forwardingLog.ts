// Logged callbacks for forwarding tests: recorded events as the store reads them back, an in-memory log, a temp state file, and waiting.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { loadForwardConfig, type ForwardConfig, type LogReader } from '../../src/forwarding';

export interface LoggedCallbackOptions {
  type?: string;
  domain?: string;
  streamId?: string;
  recordedAt?: Date;
  contentType?: string;
}

/** A session callback at `position` of `stream`, its raw body naming both, as the event store reads it back. */
export function loggedCallback(position: number, stream: string, options: LoggedCallbackOptions = {}): RecordedEvent {
  const recordedAt = options.recordedAt ?? new Date(1_700_000_000_000 + position * 1000);
  const raw = `{"event_type":1,"sequence":"${stream}","position":${position},"app":"${options.domain ?? 'push.example.com'}"}`;
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: options.type ?? 'StreamPushed',
    stream,
    revision: 0n,
    position: BigInt(position),
    data: { fields: { sequence: stream, domain: options.domain ?? 'push.example.com', streamId: options.streamId ?? 'live1' }, raw },
    metadata: { receivedAt: recordedAt.toISOString(), authenticatedBy: 'signature', ...(options.contentType ? { contentType: options.contentType } : {}) },
    recordedAt,
  };
}

/** `count` callbacks at positions 1..count, spread over `streams` streams round robin. */
export function loggedCallbacks(count: number, streams: number): RecordedEvent[] {
  return Array.from({ length: count }, (_, i) => loggedCallback(i + 1, `session-s${i % streams}`));
}

/** A log reader over events in position order, as EventStore.readAll reads. */
export function memoryLog(events: readonly RecordedEvent[]): LogReader & { reads: number } {
  const log = {
    reads: 0,
    async readAll({ after, maxCount = 1000 }: { after?: bigint; maxCount?: number }) {
      log.reads++;
      return events.filter((event) => after === undefined || event.position > after).slice(0, maxCount);
    },
  };
  return log;
}

export function tempForwardingFile(): { file: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'css-ledger-forwarding-'));
  return { file: path.join(dir, 'forwarding.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `condition` every few ms until it holds; rejects after timeoutMs with `what`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  // The monotonic clock: a test may set the wall clock (Date.now) back or forth.
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A validated forwarding config from destinations written as in the file (defaults filled in); throws on a mistake. */
export function forwardConfigOf(destinations: Array<Record<string, unknown>>, retention?: Record<string, unknown>): ForwardConfig {
  const result = loadForwardConfig(JSON.stringify({ destinations, ...(retention ? { retention } : {}) }), 'test.json');
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** Retry settings small enough for tests: a few ms between attempts. */
export const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 1000 };
