// Counts a projection keeps per combination of a few columns' values (callbacks per type; sessions per domain, app name
// and status), read instead of counting rows.
import type { Database, Statement } from 'better-sqlite3';
import { column, Table, type Columns } from './table';

type Values = ReadonlyArray<string | null>;

/**
 * A table of a count per combination of values of `countedBy`, one row per combination seen. A primary key cannot hold
 * NULL (the tables are STRICT), so when a value may be missing (a session without a domain) the row is keyed by the
 * values' JSON (`combination`), and each value has a column of its own for the reads to filter on (where, as in the
 * listings, NULL equals no value given).
 */
export class CountsTable<K extends string> extends Table<Columns> {
  constructor(
    name: string,
    readonly countedBy: readonly K[],
    readonly keyedByJson: boolean,
  ) {
    const value = keyedByJson ? column.text().orNull() : column.text();
    const columns: Columns = keyedByJson ? { combination: column.text() } : {};
    for (const key of countedBy) columns[key] = value;
    columns.count = column.integer();
    super(name, columns, { primaryKey: keyedByJson ? ['combination'] : countedBy, withoutRowid: true });
  }
}

/** Counts per value of `countedBy`; `nullable` when some of those values may be missing. */
export function countsTable<K extends string>(name: string, countedBy: readonly [K, ...K[]], options: { nullable?: boolean } = {}): CountsTable<K> {
  return new CountsTable(name, countedBy, options.nullable === true);
}

export interface CountChanges {
  /** Adds n (negative for rows gone or moved away) to the count of these values, given in `countedBy`'s order. */
  add(values: Values, n: number): void;
  /** Writes what was added, in the projection's transaction: a statement per combination whose count changed. */
  write(): void;
}

/** A batch's changes to the counts: `const counted = countChanges(); counted.add(...); counted.write()`. */
export function countWriter<K extends string>(db: Database, counts: CountsTable<K>): () => CountChanges {
  const valueColumns = counts.countedBy.map((key) => counts.column(key));
  const inserted = counts.keyedByJson ? ['combination', ...valueColumns] : valueColumns;
  const primaryKey = counts.keyedByJson ? ['combination'] : valueColumns;
  const upsert = db
    .prepare<unknown[], number>(
      `INSERT INTO ${counts.name} (${inserted.join(', ')}, count) VALUES (${inserted.map(() => '?').join(', ')}, ?) ` +
        `ON CONFLICT (${primaryKey.join(', ')}) DO UPDATE SET count = count + excluded.count RETURNING count`,
    )
    .pluck();
  const remove = db.prepare(`DELETE FROM ${counts.name} WHERE ${primaryKey.map((name) => `${name} = ?`).join(' AND ')}`);
  return () => {
    const pending = new Map<string, { values: Values; n: number }>();
    return {
      add(values, n) {
        const key = JSON.stringify(values);
        const entry = pending.get(key);
        if (entry === undefined) pending.set(key, { values, n });
        else entry.n += n;
      },
      write() {
        for (const [key, { values, n }] of pending) {
          if (n === 0) continue;
          // A count back at 0 goes: the rows are then the same however the events were batched (the digest compares them).
          if (upsert.get(...(counts.keyedByJson ? [key, ...values] : values), n) === 0) remove.run(...(counts.keyedByJson ? [key] : values));
        }
      },
    };
  };
}

export interface KeptCounts<K extends string> {
  /** The rows with the given values (every row when none is given; null or undefined: not given). */
  count(given: Partial<Record<K, string | null>>): number;
}

/** The kept counts; null in a file of an older version, which has none or fewer (its rows are counted meanwhile). */
export function keptCounts<K extends string>(db: Database, counts: CountsTable<K>): KeptCounts<K> | null {
  if (!counts.keys.every((key) => counts.hasColumn(db, key))) return null;
  // One statement per set of given values: a listing's filters come in a few shapes.
  const statements = new Map<string, Statement<string[], number>>();
  return {
    count(given) {
      const keys = counts.countedBy.filter((key) => given[key] != null);
      const shape = keys.join(',');
      let statement = statements.get(shape);
      if (statement === undefined) {
        const where = keys.length === 0 ? '' : ` WHERE ${keys.map((key) => `${counts.column(key)} = ?`).join(' AND ')}`;
        statement = db.prepare<string[], number>(`SELECT coalesce(sum(count), 0) FROM ${counts.name}${where}`).pluck();
        statements.set(shape, statement);
      }
      return statement.get(...keys.map((key) => given[key]!))!;
    },
  };
}
