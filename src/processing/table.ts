// Read-model tables declared once: from one declaration come the DDL, the positional INSERT, the SELECT list and the row type.
import type { Database, Statement } from 'better-sqlite3';

export type SqlType = 'TEXT' | 'INTEGER' | 'REAL' | 'BLOB';
/** How a value travels between the row and SQLite: as is, an integer read back as bigint, or JSON in a TEXT column. */
type Codec = 'plain' | 'bigint' | 'json';

export interface Column<T> {
  readonly sqlType: SqlType;
  readonly codec: Codec;
  readonly nullable: boolean;
  readonly unique: boolean;
  /** Carries the row's TypeScript type; never set. */
  readonly value?: T;
}

class ColumnBuilder<T> implements Column<T> {
  declare readonly value?: T;
  constructor(
    readonly sqlType: SqlType,
    readonly codec: Codec,
    readonly nullable = false,
    readonly unique = false,
  ) {}

  orNull(): ColumnBuilder<T | null> {
    return new ColumnBuilder<T | null>(this.sqlType, this.codec, true, this.unique);
  }

  isUnique(): ColumnBuilder<T> {
    return new ColumnBuilder<T>(this.sqlType, this.codec, this.nullable, true);
  }
}

/** Column kinds. Each column's SQL name is its key in snake_case (`pushDurationMs` is `push_duration_ms`). */
export const column = {
  text: <T extends string = string>() => new ColumnBuilder<T>('TEXT', 'plain'),
  integer: <T extends number = number>() => new ColumnBuilder<T>('INTEGER', 'plain'),
  /** A number that may have a fraction (a score, a size sent as a decimal). */
  real: <T extends number = number>() => new ColumnBuilder<T>('REAL', 'plain'),
  /** A global log position: 64-bit, read back as bigint. */
  position: () => new ColumnBuilder<bigint>('INTEGER', 'bigint'),
  /** Bytes kept as they are (a packed histogram). */
  blob: () => new ColumnBuilder<Buffer>('BLOB', 'plain'),
  /** A value kept as JSON text. */
  json: <T>() => new ColumnBuilder<T>('TEXT', 'json'),
};

export type Columns = Record<string, Column<unknown>>;

export interface IndexDeclaration<C extends Columns> {
  name: string;
  /** Column keys, each optionally followed by ` DESC`. */
  on: ReadonlyArray<(keyof C & string) | `${keyof C & string} DESC`>;
  /** A partial index's condition, in SQL column names. */
  where?: string;
  /** Serves listings only: a build drops it and creates it once at the end, far cheaper than row by row. */
  forQueriesOnly?: boolean;
}

export interface TableOptions<C extends Columns> {
  primaryKey: ReadonlyArray<keyof C & string>;
  indexes?: ReadonlyArray<IndexDeclaration<C>>;
  withoutRowid?: boolean;
  /**
   * False for a table of how the file was written (which batches changed what), not of what the log holds: two files
   * of the same log built in other batches differ there, so it is left out of the read model's digest.
   */
  digested?: boolean;
}

/** The row of a declared table, as the TypeScript side sees it. */
export type RowOf<T> = T extends Table<infer C> ? { [K in keyof C]: C[K] extends Column<infer V> ? V : never } : never;

export type ConflictRule = 'fail' | 'replace' | 'ignore';

/** Statements a table's writer prepares for the sets of columns an update changes, at most. */
const UPDATE_SHAPES = 64;

export const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** What the processor and the file checks need of any table, whatever its columns. */
export interface DeclaredTable {
  readonly name: string;
  readonly keys: readonly string[];
  readonly primaryKey: readonly string[];
  column(key: string): string;
  sqlTypeOf(key: string): SqlType;
  ddl(withQueryIndexes?: boolean): string;
  queryIndexes(): Array<{ name: string; ddl: string }>;
  selectList(db: Database): string;
  fromStored(stored: Record<string, unknown>): Record<string, unknown>;
  readonly readsBigint: boolean;
  /** Whether its rows are part of the read model's digest (see TableOptions). */
  readonly digested: boolean;
}

export class Table<C extends Columns = Columns> implements DeclaredTable {
  readonly keys: ReadonlyArray<keyof C & string>;

  constructor(
    readonly name: string,
    readonly columns: C,
    readonly options: TableOptions<C>,
  ) {
    this.keys = Object.keys(columns) as Array<keyof C & string>;
  }

  get primaryKey(): ReadonlyArray<keyof C & string> {
    return this.options.primaryKey;
  }

  get digested(): boolean {
    return this.options.digested !== false;
  }

  /** The SQL name of a column. */
  column(key: keyof C & string): string {
    return snakeCase(key);
  }

  /** The SQL type of a column. */
  sqlTypeOf(key: keyof C & string): SqlType {
    return this.columns[key]!.sqlType;
  }

  /** CREATE TABLE, then its indexes (the listing ones unless `withQueryIndexes` is false). */
  ddl(withQueryIndexes = true): string {
    const definitions = this.keys.map((key) => {
      const { sqlType, nullable, unique } = this.columns[key]!;
      return `${snakeCase(key)} ${sqlType}${nullable ? '' : ' NOT NULL'}${unique ? ' UNIQUE' : ''}`;
    });
    definitions.push(`PRIMARY KEY (${this.options.primaryKey.map(snakeCase).join(', ')})`);
    const table = `CREATE TABLE IF NOT EXISTS ${this.name} (\n  ${definitions.join(',\n  ')}\n) STRICT${this.options.withoutRowid === true ? ', WITHOUT ROWID' : ''};`;
    const indexes = (this.options.indexes ?? []).filter((index) => withQueryIndexes || index.forQueriesOnly !== true);
    return [table, ...indexes.map((index) => this.indexDdl(index))].join('\n');
  }

  /** The indexes that serve listings only. */
  queryIndexes(): Array<{ name: string; ddl: string }> {
    return (this.options.indexes ?? []).filter((i) => i.forQueriesOnly === true).map((i) => ({ name: i.name, ddl: this.indexDdl(i) }));
  }

  /** A positional INSERT of every column (binding named values from an object costs more than the insert itself). */
  inserter(db: Database, onConflict: ConflictRule = 'fail'): (row: RowOf<Table<C>>) => void {
    const verb = onConflict === 'replace' ? 'INSERT OR REPLACE' : onConflict === 'ignore' ? 'INSERT OR IGNORE' : 'INSERT';
    const statement = db.prepare(
      `${verb} INTO ${this.name} (${this.keys.map(snakeCase).join(', ')}) VALUES (${this.keys.map(() => '?').join(', ')})`,
    );
    const encoders = this.keys.map((key) => (this.columns[key]!.codec === 'json' ? (value: unknown) => JSON.stringify(value) : null));
    return (row) => {
      const values = this.keys.map((key, i) => {
        const value = (row as Record<string, unknown>)[key];
        return encoders[i] === null ? value : encoders[i]!(value);
      });
      statement.run(values);
    };
  }

  /**
   * Writes rows given with the row each replaces as stored (null: none yet). A new one is inserted; a changed one is
   * updated in place with only its changed columns set, so that SQLite leaves alone every index of the others (an
   * interruption changes a session's status and errcode, not its stream, domain or time) and the row keeps its rowid.
   */
  writer(db: Database): (row: RowOf<Table<C>>, stored: RowOf<Table<C>> | null) => void {
    const insert = this.inserter(db);
    const primaryKey = this.options.primaryKey;
    const others = this.keys.filter((key) => !primaryKey.includes(key));
    const json = new Set(this.keys.filter((key) => this.columns[key]!.codec === 'json'));
    const encoded = (key: string, value: unknown) => (json.has(key) ? JSON.stringify(value) : value);
    const where = primaryKey.map((key) => `${snakeCase(key)} = ?`).join(' AND ');
    const prepareUpdate = (set: readonly string[]) => db.prepare(`UPDATE ${this.name} SET ${set.map((key) => `${snakeCase(key)} = ?`).join(', ')} WHERE ${where}`);
    const setsAll = others.length === 0 ? null : prepareUpdate(others);
    // By the changed columns' names: the sets that occur are few; past UPDATE_SHAPES more, every column is set.
    const updates = new Map<string, Statement>();
    return (row, stored) => {
      if (stored === null) return insert(row);
      const now = row as Record<string, unknown>;
      const was = stored as Record<string, unknown>;
      let changed = others.filter((key) => encoded(key, now[key]) !== encoded(key, was[key]));
      if (changed.length === 0) return;
      const shape = changed.join(',');
      let update = updates.get(shape);
      if (update === undefined && updates.size < UPDATE_SHAPES) updates.set(shape, (update = prepareUpdate(changed)));
      if (update === undefined) [update, changed] = [setsAll!, others];
      update.run([...changed.map((key) => encoded(key, now[key])), ...primaryKey.map((key) => now[key])]);
    };
  }

  /**
   * The SELECT list of the given columns (all by default), aliased to their keys. A column the file does not
   * have (a file of an older version answering while the new one is built) reads as NULL.
   */
  selectList(db: Database, options: { alias?: string; only?: ReadonlyArray<keyof C & string> } = {}): string {
    const present = this.columnsIn(db);
    const prefix = options.alias === undefined ? '' : `${options.alias}.`;
    return (options.only ?? this.keys)
      .map((key) => {
        const name = snakeCase(key);
        if (!present.has(name)) return `NULL AS ${key}`;
        return name === key ? `${prefix}${name}` : `${prefix}${name} AS ${key}`;
      })
      .join(', ');
  }

  /** Whether the file has the table (a file of an older version answering while the new one builds may not). */
  existsIn(db: Database): boolean {
    return db.prepare<[string], number>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(this.name) === 1;
  }

  /** Whether the file has the table's index of that name (declared or not; one of an older version may lack it). */
  hasIndex(db: Database, name: string): boolean {
    return db.prepare<[string, string], number>("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?").pluck().get(this.name, name) === 1;
  }

  /** Whether the file's table has the column (a file of an older version answering while the new one builds may not). */
  hasColumn(db: Database, key: keyof C & string): boolean {
    return this.columnsIn(db).has(snakeCase(key));
  }

  private columnsIn(db: Database): Set<string> {
    return new Set(db.prepare<[], string>(`SELECT name FROM pragma_table_info('${this.name}')`).pluck().all());
  }

  /** A row read through selectList back to its TypeScript shape: JSON parsed, integers as numbers, positions as bigint. */
  fromStored(stored: Record<string, unknown>): RowOf<Table<C>> {
    const row: Record<string, unknown> = { ...stored };
    for (const key of Object.keys(stored)) {
      const declared = this.columns[key];
      const value = stored[key];
      if (declared === undefined || value === null) continue;
      if (declared.codec === 'json') row[key] = JSON.parse(value as string);
      else if (declared.codec === 'bigint') row[key] = BigInt(value as bigint | number);
      else if (typeof value === 'bigint') row[key] = Number(value);
    }
    return row as RowOf<Table<C>>;
  }

  /** Reads rows of this table with `sql` (whose SELECT list is selectList's), converted by fromStored. */
  reader<P extends unknown[]>(statement: Statement<P>): (...params: P) => Array<RowOf<Table<C>>> {
    const hasBigint = this.keys.some((key) => this.columns[key]!.codec === 'bigint');
    statement.safeIntegers(hasBigint);
    return (...params) => (statement.all(...params) as Array<Record<string, unknown>>).map((stored) => this.fromStored(stored));
  }

  /** Whether reads need 64-bit integers (a position column). */
  get readsBigint(): boolean {
    return this.keys.some((key) => this.columns[key]!.codec === 'bigint');
  }

  private indexDdl(index: IndexDeclaration<C>): string {
    const on = index.on.map((part) => {
      const [key, order] = part.split(' ');
      return order === undefined ? snakeCase(key!) : `${snakeCase(key!)} ${order}`;
    });
    return `CREATE INDEX IF NOT EXISTS ${index.name} ON ${this.name} (${on.join(', ')})${index.where === undefined ? '' : ` WHERE ${index.where}`};`;
  }
}

export function table<C extends Columns>(name: string, columns: C, options: TableOptions<C>): Table<C> {
  return new Table(name, columns, options);
}
