// Start-up check of a SQLite file: is it a database at all, can its schema and last rows be read, and (when small enough) are all its pages sound.
import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Files up to this size get PRAGMA quick_check at start-up (every page read: about 2 ms per MB on a warm cache,
 * so about a second here), unless the caller gives its own bound (the read models share WHOLE_CHECK_BYTES). Larger
 * files get the cheap part only: header, schema and the last rows of each table, which is where a truncated or
 * overwritten file shows.
 */
export const FULL_CHECK_MAX_BYTES = 512 * 1024 * 1024;

/** SQLite's words for a file that is damaged or is not a database at all. */
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/**
 * A table and the statement that reads its last row (the rightmost path of its b-tree); without one, the last row along
 * the primary key the file itself declares (a file of an older version may key a table differently).
 */
export interface LastRowProbe {
  table: string;
  sql?: string;
}

/** Reads the table's last row along its declared primary key (its rowid when it declares none). */
function lastRowSql(db: Database.Database, table: string): string {
  const keys = db.prepare<[string], string>('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck().all(table);
  const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const order = keys.length === 0 ? 'rowid DESC' : keys.map((key) => `${quoted(key)} DESC`).join(', ');
  return `SELECT * FROM ${quoted(table)} ORDER BY ${order} LIMIT 1`;
}

/**
 * What is wrong with the file, or null when nothing was found (or there is no file yet). Opens it read-only, so the
 * check never writes: a damaged file keeps its bytes for whoever salvages it. Errors that are not corruption
 * (permissions, a folder in its place) are thrown as they are.
 */
export function findCorruption(file: string, probes: LastRowProbe[], fullCheckMaxBytes = FULL_CHECK_MAX_BYTES): string | null {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (size === 0) return null; // SQLite makes an empty file a new database
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const tables = new Set(db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all());
    for (const probe of probes) if (tables.has(probe.table)) db.prepare(probe.sql ?? lastRowSql(db, probe.table)).all();
    if (size <= fullCheckMaxBytes) {
      const problems = db.prepare<[], string>('PRAGMA quick_check(3)').pluck().all();
      if (problems.length !== 1 || problems[0] !== 'ok') return `quick_check: ${problems.join('; ').replace(/\s+/g, ' ')}`;
    }
    return null;
  } catch (error) {
    if (isCorruptionError(error)) return `${(error as { code: string }).code}: ${(error as Error).message}`;
    throw error;
  } finally {
    db?.close();
  }
}
