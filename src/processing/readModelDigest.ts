// A digest of read-model rows: equal digests mean identical read models (a rebuild against the ones kept live).
import { createHash, type Hash } from 'node:crypto';
import type { ProjectionDefinition, ReadModelDatabase } from './projectionDefinition';

/** Rows are hashed in chunks of about this many characters: one update per row costs more than the hashing. */
const CHUNK_CHARS = 1 << 16;

/**
 * One column's value as JSON.stringify writes it, 64-bit integers as quoted decimals: the digest's text is what
 * `JSON.stringify(row, bigintsAsStrings)` gives, written without a replacer called for every value.
 */
function valueJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return `"${value}"`;
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    default:
      if (value === null) return 'null';
      // A BLOB: a Buffer, which JSON.stringify writes through its toJSON.
      if (Buffer.isBuffer(value)) return `{"type":"Buffer","data":[${value.join(',')}]}`;
      return JSON.stringify(value);
  }
}

function rowJson(row: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < row.length; i++) text += (i === 0 ? '' : ',') + valueJson(row[i]);
  return `${text}]`;
}

/** The rows of the read model's declared tables, each table in primary-key order. */
export function readModelDigest(db: ReadModelDatabase, definition: ProjectionDefinition): string {
  const hash = createHash('sha256');
  for (const table of definition.tables) {
    hash.update(`${table.name}\n`);
    const order = table.primaryKey.map((key) => table.column(key)).join(', ');
    const rows = db.prepare(`SELECT ${table.keys.map((key) => table.column(key)).join(', ')} FROM ${table.name} ORDER BY ${order}`).raw(true).safeIntegers(true);
    hashRows(hash, rows.iterate() as Iterable<unknown[]>);
  }
  return hash.digest('hex');
}

function hashRows(hash: Hash, rows: Iterable<unknown[]>): void {
  let chunk = '';
  for (const row of rows) {
    chunk += `${rowJson(row)}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      hash.update(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) hash.update(chunk);
}

/** One digest for several read models, in the order given. */
export function readModelsDigest(models: ReadonlyArray<{ definition: ProjectionDefinition; db: ReadModelDatabase }>): string {
  return combinedDigest(models.map(({ definition, db }) => ({ name: definition.name, digest: readModelDigest(db, definition) })));
}

/** The digest of several read models from each one's digest, in the order given. */
export function combinedDigest(digests: ReadonlyArray<{ name: string; digest: string }>): string {
  const hash = createHash('sha256');
  for (const { name, digest } of digests) hash.update(`${name} ${digest}\n`);
  return hash.digest('hex');
}
