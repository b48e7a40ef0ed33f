// `import`: callbacks from JSON Lines through the same interpretation and idempotent append as POST /callbacks.
import { CallbackEventType, type CallbackEventMetadata } from '../domain/callbackEvents';
import { interpretCallback } from '../domain/interpretCallback';
import type { EventStore } from '../eventstore/eventStore';
import { appendCallback } from './acceptCallback';
import { isOverlong, type BoundedLine } from './boundedLines';
import { readImportLine, type ImportLine } from './callbackLogLines';

export interface ImportRejection {
  /** 1-based line number in the input. */
  line: number;
  reason: string;
}

export interface ImportSummary {
  /** Lines read, blank ones aside. */
  lines: number;
  /** Appended as new events. */
  stored: number;
  /** Already in the log (same event id): not stored again. */
  duplicates: number;
  /** Of the stored and duplicate ones, those that became UnrecognizedCallbackReceived. */
  unrecognized: number;
  rejected: number;
  /** The first few rejected lines, with why. */
  rejections: ImportRejection[];
}

export interface ImportOptions {
  /** Appends issued together (in file order) before waiting for them; the SQLite store commits them as a group. */
  batchSize?: number;
  /** How many rejected lines are kept with their reason. */
  keepRejections?: number;
  /** Called after every batch. */
  onProgress?(summary: Readonly<ImportSummary>): void;
  now?: () => Date;
}

/**
 * The longest line an import reads: an exported callback of the largest body CALLBACK_BODY_LIMIT_BYTES allows (16 MiB),
 * its escapes and fields included, with room to spare. A longer one (a binary file's) is rejected, never held whole.
 */
export const MAX_IMPORT_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Reads the lines one at a time (the input is never held whole) and appends each callback to its stream,
 * unauthenticated: whoever has the file is trusted, and old `t` values have expired. Appends are issued
 * in input order, so the embedded store gives them positions in that order. A store failure stops the
 * import (what was appended stays; importing the file again skips it as duplicates).
 */
export async function importCallbacks(store: EventStore, lines: AsyncIterable<BoundedLine>, options: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 500;
  const keepRejections = options.keepRejections ?? 10;
  const now = options.now ?? (() => new Date());
  const importedAt = now().toISOString();
  const summary: ImportSummary = { lines: 0, stored: 0, duplicates: 0, unrecognized: 0, rejected: 0, rejections: [] };
  let batch: Array<Promise<void>> = [];
  // Caught at once (an append may fail while lines are still being read), thrown when the batch settles.
  let failure: { error: unknown } | null = null;
  const settle = async () => {
    await Promise.all(batch);
    batch = [];
    if (failure !== null) throw failure.error;
    options.onProgress?.(summary);
  };

  let lineNumber = 0;
  for await (const line of lines) {
    if (failure !== null) break;
    lineNumber++;
    const read: ImportLine = isOverlong(line)
      ? { kind: 'rejected', reason: `line_too_long: the line is ${line.overlongBytes} bytes, over the ${MAX_IMPORT_LINE_BYTES / 1024 / 1024} MiB a line may hold` }
      : readImportLine(line);
    if (read.kind === 'blank') continue;
    summary.lines++;
    if (read.kind === 'rejected') {
      summary.rejected++;
      if (summary.rejections.length < keepRejections) summary.rejections.push({ line: lineNumber, reason: read.reason });
      continue;
    }
    const event = interpretCallback(read.payload, read.raw);
    const metadata: CallbackEventMetadata = { receivedAt: read.receivedAt ?? now().toISOString(), authenticatedBy: 'import', importedAt };
    batch.push(
      appendCallback(store, event, metadata).then(({ stored }) => {
        if (stored === 'new') summary.stored++;
        else summary.duplicates++;
        if (event.type === CallbackEventType.UnrecognizedCallbackReceived) summary.unrecognized++;
      }, (error: unknown) => {
        failure ??= { error };
      }),
    );
    if (batch.length >= batchSize) await settle();
  }
  await settle();
  return summary;
}
