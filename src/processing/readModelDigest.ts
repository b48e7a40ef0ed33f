// A digest of read-model rows: equal digests mean identical read models (a rebuild against the ones kept live).
import { createHash } from 'node:crypto';
import type { ProjectionDefinition, ReadModelDatabase } from './projectionDefinition';

/** The rows of the read model's declared tables, each table in primary-key order. */
export function readModelDigest(db: ReadModelDatabase, definition: ProjectionDefinition): string {
  const hash = createHash('sha256');
  for (const table of definition.tables) {
    hash.update(`${table.name}\n`);
    const order = table.primaryKey.map((key) => table.column(key)).join(', ');
    const rows = db.prepare(`SELECT ${table.keys.map((key) => table.column(key)).join(', ')} FROM ${table.name} ORDER BY ${order}`).raw(true).safeIntegers(true);
    for (const row of rows.iterate()) {
      hash.update(JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
      hash.update('\n');
    }
  }
  return hash.digest('hex');
}

/** One digest for several read models, in the order given. */
export function readModelsDigest(models: ReadonlyArray<{ definition: ProjectionDefinition; db: ReadModelDatabase }>): string {
  const hash = createHash('sha256');
  for (const { definition, db } of models) hash.update(`${definition.name} ${readModelDigest(db, definition)}\n`);
  return hash.digest('hex');
}
