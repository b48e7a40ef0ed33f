// A damaged read-model file is derived data: set aside (never deleted) at start-up, so the projector rebuilds it from the log.
import fs from 'node:fs';
import type { Logger } from 'pino';
import { findCorruption, type LastRowProbe } from '../eventstore/sqliteFileCheck';

/** The checkpoint and the last row of each read model: a truncated or overwritten file fails here, whatever its size. */
const PROBES: LastRowProbe[] = [
  { table: 'projector_checkpoint', sql: 'SELECT * FROM projector_checkpoint' },
  { table: 'callback_log', sql: 'SELECT * FROM callback_log ORDER BY position DESC LIMIT 1' },
  { table: 'sessions', sql: 'SELECT * FROM sessions ORDER BY sequence DESC LIMIT 1' },
  { table: 'relay_tasks', sql: 'SELECT * FROM relay_tasks ORDER BY task_id DESC LIMIT 1' },
  { table: 'relay_exits', sql: 'SELECT * FROM relay_exits ORDER BY event_id DESC LIMIT 1' },
];

/** `readmodels.db.corrupt-20240501T100000Z`: sorts by time, and says why it is there. */
export function setAsideName(file: string, now: Date): string {
  return `${file}.corrupt-${now.toISOString().replace(/[-:]|\.\d+/g, '')}`;
}

/**
 * Checks the read-model file before anything opens it. When it is damaged, renames it (with its -wal and -shm, so
 * the copy stays readable for a post-mortem) and says so; the projector then starts from an empty file and
 * replays the log. Returns where the damaged file went, or null when it was sound or missing.
 */
export function setAsideDamagedReadModels(file: string, logger: Logger, now = new Date()): string | null {
  const problem = findCorruption(file, PROBES);
  if (problem === null) return null;
  const aside = setAsideName(file, now);
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      fs.renameSync(`${file}${suffix}`, `${aside}${suffix}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || suffix === '') throw error;
    }
  }
  logger.warn(
    { readModels: file, setAside: aside, problem },
    `read models ${file} are damaged (${problem}): moved to ${aside} (with its -wal/-shm); rebuilding them from the event log`,
  );
  return aside;
}
