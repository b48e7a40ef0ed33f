// A damaged events.db stops whoever opens it first, with the file's name and what to do; the file is left exactly as it is.
import path from 'node:path';
import { findCorruption, type LastRowProbe } from './sqliteFileCheck';

/** The event log is the only copy of what CSS sent: nothing starts on a damaged one, and nothing repairs it in place. */
export class CorruptEventLogError extends Error {
  override name = 'CorruptEventLogError';
  readonly code = 'CORRUPT_EVENT_LOG';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    const folder = path.join(path.dirname(file), 'salvaged');
    super(
      `the event log ${file} is damaged (${detail}); nothing was started and the file was not changed. ` +
        `Restore it from a backup, or salvage what SQLite can still read into a new folder ` +
        `(mkdir ${folder} && sqlite3 ${file} .recover | sqlite3 ${path.join(folder, 'events.db')}; .dump where .recover is missing), ` +
        `then export it (DATA_DIR=${folder} node dist/cli.js export salvaged.jsonl) and import that into an empty DATA_DIR: ` +
        `README, "Start-up checks"`,
    );
  }
}

/**
 * The last entries of the log and of its two stream indexes (and of the table of streams a file of schema version 1
 * still has): a truncated file fails here even when too large for quick_check.
 */
const PROBES: LastRowProbe[] = [
  { table: 'events', sql: 'SELECT * FROM events ORDER BY position DESC LIMIT 1' },
  { table: 'events', sql: 'SELECT stream, revision FROM events ORDER BY stream DESC, revision DESC LIMIT 1' },
  { table: 'events', sql: 'SELECT stream, event_id FROM events ORDER BY stream DESC, event_id DESC LIMIT 1' },
  { table: 'streams', sql: 'SELECT * FROM streams ORDER BY stream DESC LIMIT 1' },
];

/** Throws CorruptEventLogError when the file is damaged; a missing or empty file is a new log. */
export function refuseCorruptEventLog(file: string): void {
  const problem = findCorruption(file, PROBES);
  if (problem !== null) throw new CorruptEventLogError(file, problem);
}

