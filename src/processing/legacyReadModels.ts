// The previous layout's read models (DATA_DIR/readmodels.db, every read model in one file): they answer until each read model is built anew.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { findCorruption } from '../eventstore/sqlite/sqliteFileCheck';
import { removeFile } from './readModelFile';
import { setAside } from './readModelFolder';

/** The schema version of the last release that kept every read model in one file. */
const LEGACY_SCHEMA_VERSION = 5;
const PROBES = ['callback_log', 'sessions', 'relay_tasks', 'quarantined_callbacks'].map((table) => ({ table, sql: `SELECT * FROM ${table} LIMIT 1` }));

/**
 * The file when it can answer queries (sound, of the last one-file version); otherwise null, and a damaged file is set
 * aside, one of another version removed (it is derived data: the log rebuilds it).
 */
export function usableLegacyFile(file: string, logger?: Logger): string | null {
  if (!fs.existsSync(file)) return null;
  const problem = findCorruption(file, PROBES);
  if (problem !== null) {
    setAside(file, problem, logger);
    return null;
  }
  const db = new Database(file, { fileMustExist: true });
  let version: number;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
  if (version === LEGACY_SCHEMA_VERSION) return file;
  removeFile(file);
  logger?.info({ file, version }, `removed ${file}: read models of version ${version}, which nothing reads`);
  return null;
}
