// A digest of read-model rows: equal digests mean identical read models (a rebuild against the ones kept live).
import { createHash } from 'node:crypto';
import type { ProjectionDefinition, ReadModelDatabase } from './projectionDefinition';
import type { DeclaredTable } from './table';

/** Rows are hashed in chunks of about this many characters: one update per row costs more than the hashing. */
const CHUNK_CHARS = 1 << 16;

/**
 * One column as the digest's JSON array holds it, written by SQLite: integers and text as they are, a REAL with the
 * 17 digits that tell any two doubles apart, a BLOB in hex (JSON holds no bytes), NULL as null.
 */
function digestedColumn(table: DeclaredTable, key: string): string {
  const name = table.column(key);
  switch (table.sqlTypeOf(key)) {
    case 'REAL':
      return `iif(${name} IS NULL, NULL, printf('%!.17g', ${name}))`;
    case 'BLOB':
      return `iif(${name} IS NULL, NULL, hex(${name}))`;
    default:
      return name;
  }
}

/**
 * The rows of the read model's declared tables (but those of how the file was written), each table in primary-key order, each row a JSON array that SQLite
 * writes: no value crosses into JavaScript on its own (a 64-bit integer would be a BigInt each).
 */
export function readModelDigest(db: ReadModelDatabase, definition: Pick<ProjectionDefinition, 'tables'>): string {
  const hash = createHash('sha256');
  for (const table of definition.tables) {
    if (!table.digested) continue;
    hash.update(`${table.name}\n`);
    const order = table.primaryKey.map((key) => table.column(key)).join(', ');
    const rows = db.prepare<[], string>(`SELECT json_array(${table.keys.map((key) => digestedColumn(table, key)).join(', ')}) FROM ${table.name} ORDER BY ${order}`).pluck();
    let chunk = '';
    for (const row of rows.iterate()) {
      chunk += `${row}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        hash.update(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) hash.update(chunk);
  }
  return hash.digest('hex');
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
