// The log's commands: export and import callbacks as JSON Lines, promote quarantined callbacks into the log.
import { createReadStream, createWriteStream, fstatSync, openSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import type { Config } from './config';
import { exportedLines, type ExportCounts } from './ingest/exportCallbacks';
import { boundedLines } from './ingest/boundedLines';
import { importCallbacks, MAX_IMPORT_LINE_BYTES, type ImportSummary } from './ingest/importCallbacks';
import { describePromotion, promoteAll } from './ingest/promoteQuarantined';
import { legacyReadModelFile, openEventStore, readModelsRoot, requireEventLog } from './ledger/openLedger';
import { openForReading } from './processing/readModelFile';
import { findLiveFile, folderOf } from './processing/readModelFolder';
import { READ_MODELS } from './readmodels';
import { quarantineQueries } from './readmodels/quarantine/quarantine.queries';
import { terminalSafe } from './terminalText';

/** An error of the file system as words about the file: not "ENOENT: no such file or directory, open '<file>'". */
function fileError(doing: string, file: string, error: unknown): Error {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = code === 'EISDIR' ? 'it is a folder' : code === undefined ? message : message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/s, '');
  return new Error(`${doing} ${file}: ${reason}`);
}

/** Opens a file for the command before the log is: a path that will not do is said at once, in words. */
function openFile(doing: string, file: string, flags: 'r' | 'w'): { fd: number; size: number } {
  try {
    const fd = openSync(file, flags);
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    return { fd, size: stats.size };
  } catch (error) {
    throw fileError(doing, file, error);
  }
}

export async function exportLog(config: Config, file: string): Promise<void> {
  requireEventLog(config, 'to export');
  const store = await openEventStore(config);
  try {
    const output = file === '-' ? null : openFile('export: cannot write', file, 'w');
    const counts: ExportCounts = { exported: 0, skipped: 0, quarantined: 0 };
    const lines = Readable.from(exportedLines(store, counts));
    if (file === '-') {
      await pipeline(lines, process.stdout, { end: false }).catch((error: unknown) => {
        // `export | head`: the reader went away; said as that rather than as "write EPIPE".
        if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
        throw new Error('export stopped: the reader of stdout closed it before the last callback (EPIPE)');
      });
    } else await pipeline(lines, createWriteStream(file, { fd: output!.fd }));
    const skipped = counts.skipped === 0 ? '' : ` (${counts.skipped} events not written by this service left out)`;
    const quarantined = counts.quarantined === 0 ? '' : ` (${counts.quarantined} quarantine events left out: promote them first to export them)`;
    process.stderr.write(
      `exported ${counts.exported} callbacks from ${store.description} to ${file === '-' ? 'stdout' : file}${skipped}${quarantined}\n`,
    );
  } finally {
    await store.close();
  }
}

/** A bar on a terminal (by bytes of the file read); otherwise a plain line every few seconds. */
function importProgress(input: NodeJS.ReadableStream & { bytesRead?: number }, totalBytes: number | null) {
  const counts = (s: Readonly<ImportSummary>) => ({ lines: s.lines, stored: s.stored, duplicates: s.duplicates, rejected: s.rejected });
  if (process.stderr.isTTY && totalBytes !== null) {
    const bar = new SingleBar({
      format: 'import |{bar}| {percentage}% | {lines} lines: {stored} stored, {duplicates} duplicates, {rejected} rejected',
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(totalBytes, 0, { lines: 0, stored: 0, duplicates: 0, rejected: 0 });
    return {
      update: (s: Readonly<ImportSummary>) => bar.update(input.bytesRead ?? 0, counts(s)),
      stop: () => bar.stop(),
    };
  }
  let lastAt = performance.now();
  return {
    update: (s: Readonly<ImportSummary>) => {
      if (performance.now() - lastAt < 2000) return;
      lastAt = performance.now();
      process.stderr.write(`import: ${s.lines} lines, ${s.stored} stored, ${s.duplicates} duplicates, ${s.rejected} rejected\n`);
    },
    stop: () => undefined,
  };
}

export async function importLog(config: Config, file: string): Promise<void> {
  const opened = file === '-' ? null : openFile('import: cannot read', file, 'r');
  const input = opened === null ? process.stdin : createReadStream(file, { fd: opened.fd });
  const totalBytes = opened === null ? null : opened.size;
  const store = await openEventStore(config);
  const progress = importProgress(input, totalBytes);
  let summary: ImportSummary;
  try {
    summary = await importCallbacks(store, boundedLines(input, MAX_IMPORT_LINE_BYTES), { onProgress: progress.update });
  } finally {
    progress.stop();
    await store.close();
  }
  const unrecognized = summary.unrecognized === 0 ? '' : ` (${summary.unrecognized} of them unrecognized)`;
  process.stdout.write(
    `imported ${file === '-' ? 'stdin' : file} into ${store.description}: ${summary.lines} lines, ` +
      `${summary.stored} stored, ${summary.duplicates} duplicates${unrecognized}, ${summary.rejected} rejected\n`,
  );
  // A reason quotes the line it refuses (JSON.parse's excerpt): the file's bytes, shown safely.
  for (const { line, reason } of summary.rejections) process.stdout.write(`  line ${line}: ${terminalSafe(reason)}\n`);
  if (summary.rejected > summary.rejections.length) process.stdout.write(`  ... and ${summary.rejected - summary.rejections.length} more\n`);
  process.exitCode = summary.rejected === 0 ? 0 : 1;
}

/** The entries the read models list as not yet promoted, oldest first. */
function unpromotedIds(config: Config): string[] {
  const folder = folderOf(readModelsRoot(config), READ_MODELS.quarantine.projection.name);
  const file = findLiveFile(folder) ?? legacyReadModelFile(config);
  if (file === null) throw new Error(`no quarantine listing in ${folder}: start the service once, or name the ids`);
  const db = openForReading(file);
  try {
    return quarantineQueries(db).unpromotedIds();
  } finally {
    db.close();
  }
}

export async function promote(config: Config, ids: string[], flags: { all?: boolean }): Promise<void> {
  const eventIds = flags.all === true ? unpromotedIds(config) : ids;
  const store = await openEventStore(config);
  try {
    const summary = await promoteAll(store, eventIds, (result) => process.stdout.write(`${describePromotion(result)}\n`));
    const inLog = summary.alreadyInLog === 0 ? '' : ` (${summary.alreadyInLog} of them in the log already)`;
    process.stdout.write(
      `promote into ${store.description}: ${summary.promoted} promoted${inLog}, ${summary.alreadyPromoted} promoted before, ${summary.notFound} not found\n`,
    );
    process.exitCode = summary.notFound === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}
