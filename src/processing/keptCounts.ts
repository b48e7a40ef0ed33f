// Counts a projection keeps per value of one column (callbacks per type, sessions per status), read instead of counting rows.
import type { Database } from 'better-sqlite3';
import { column, table, type Table } from './table';

type CountsColumns<K extends string> = Record<K, ReturnType<typeof column.text>> & { count: ReturnType<typeof column.integer> };

/** A table of a count per value of `key`, one row per value seen. */
export function countsTable<K extends string>(name: string, key: K): Table<CountsColumns<K>> {
  const columns = { [key]: column.text(), count: column.integer() } as CountsColumns<K>;
  return table(name, columns, { primaryKey: [key], withoutRowid: true });
}

/** Adds to the count of a value, in the projection's transaction: `add(value, n)` with n negative for rows gone. */
export function countAdder<K extends string>(db: Database, counts: Table<CountsColumns<K>>, key: K): (value: string, n: number) => void {
  const k = counts.column(key);
  const add = db.prepare<[string, number]>(`INSERT INTO ${counts.name} (${k}, count) VALUES (?, ?) ON CONFLICT (${k}) DO UPDATE SET count = count + excluded.count`);
  return (value, n) => {
    if (n !== 0) add.run(value, n);
  };
}

export interface KeptCounts {
  /** Every row counted. */
  all(): number;
  /** The rows with this value. */
  of(value: string): number;
}

/** The kept counts; null in a file of an older version, which has none (its rows are counted meanwhile). */
export function keptCounts<K extends string>(db: Database, counts: Table<CountsColumns<K>>, key: K): KeptCounts | null {
  if (!counts.hasColumn(db, 'count')) return null;
  const all = db.prepare<[], number>(`SELECT coalesce(sum(count), 0) FROM ${counts.name}`).pluck();
  const of = db.prepare<[string], number>(`SELECT count FROM ${counts.name} WHERE ${counts.column(key)} = ?`).pluck();
  return { all: () => all.get()!, of: (value) => of.get(value) ?? 0 };
}
