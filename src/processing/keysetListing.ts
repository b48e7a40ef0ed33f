// Keyset-paginated listings of a read-model table: SQL built from which filters are given, one prepared statement per shape.
import type { Statement } from 'better-sqlite3';
import { limitBy } from '../eventstore/sqlite/boundLimit';
import { bound } from '../eventstore/sqlite/boundValue';
import { decodeCursor, encodeCursor, type KeyKind, type KeyValue } from './keysetCursor';
import { once, type Page } from './pagination';
import type { ReadModelDatabase } from './projectionDefinition';

/** equals: column = value; oneOf: column IN (values); from / before: column >= value / column < value. */
export type FilterOperator = 'equals' | 'oneOf' | 'from' | 'before';

export interface FilterColumn {
  column: string;
  operator: FilterOperator;
}

/** A sort-key column, sorted in the listing's order. */
export interface SortColumn {
  column: string;
  kind: KeyKind;
}

export type ListingOrder = 'newest first' | 'oldest first';

type FilterValue = string | number | readonly number[];
type RawRow = Record<string, unknown>;

export interface ListingSpec<Filter, Row> {
  /** The tag in this listing's cursors: a cursor of another listing is refused. */
  listing: string;
  /** FROM clause and SELECT list; the select list aliases columns to what toRow reads. */
  from: string;
  columns: string;
  /** A condition every row of the listing meets, whatever the filter. */
  where?: string;
  /** Unique across the listing, and the trailing columns of every index a listing should use. */
  sortKey: readonly SortColumn[];
  /** Newest first (descending, the default) or oldest first (ascending: a timeline). */
  order?: ListingOrder;
  filters: { [K in keyof Filter]-?: FilterColumn };
  /**
   * Filters on columns that lead an index, most selective first: a filter, or the filters that
   * together lead one index (a domain and a status). Only the first entry given in full may choose
   * the index; the other indexed columns are written `+column` so that SQLite, which has no
   * statistics here, cannot pick a weaker index (status) over a stronger one (stream id).
   */
  indexedFilters: ReadonlyArray<keyof Filter | ReadonlyArray<keyof Filter>>;
  /**
   * Counts the projection keeps by some equality filters (`by`): `count` is how many rows have the filter's values of
   * those. They are the total when nothing else is given, and say at once that values which each exist never come
   * together (an errcode never seen on a domain), where the listing would walk every row of its index that has the first.
   */
  keptCounts?: KeptCountsOf<Filter>;
  /** Read integers as bigint: global positions may exceed 2^53. */
  safeIntegers?: boolean;
  toRow(raw: RawRow): Row;
  keyOf(row: Row): KeyValue[];
}

export interface KeptCountsOf<Filter> {
  by: ReadonlyArray<keyof Filter>;
  count(filter: Filter): number;
}

/** `bound`: values of named parameters the spec's own `where` uses (a threshold, "now"), the same for every page. */
export type ListPage<Filter, Row> = (filter: Filter, first: number, after: string | null, bound?: RawRow) => Page<Row>;

type Given<Filter> = Array<[keyof Filter & string, FilterValue]>;

export function keysetListing<Filter extends object, Row>(db: ReadModelDatabase, spec: ListingSpec<Filter, Row>): ListPage<Filter, Row> {
  const statements = statementCache(db);
  const shapes = new Map<string, ShapeChecks<Filter>>();
  const kinds = spec.sortKey.map((c) => c.kind);

  return (filter, first, after, bound = {}) => {
    const key = after === null ? null : decodeCursor(spec.listing, after, kinds);
    const given = givenFilters(spec, filter);
    const shape = given.map(([name]) => name).join(',');
    const params = { ...bound, ...filterParameters(given) };
    let checks = shapes.get(shape);
    if (checks === undefined) shapes.set(shape, (checks = shapeOf(spec, given)));
    const { equalities, onlyCounted, absentChecks } = checks;
    // Values that never come together, or a value no row has (a mistyped app name), would otherwise walk the whole of
    // the index that another filter chose.
    const kept = once(() => spec.keptCounts?.count(filter));
    if (equalities >= 2 && kept() === 0) return EMPTY_PAGE;
    for (const name of absentChecks) {
      const check = statements.get(`has ${shape} ${name}`, () => hasValueSql(spec, given, name), false);
      if (check.get(params) === undefined) return EMPTY_PAGE;
    }

    const page = statements.get(
      `page ${shape} ${key === null ? 'first' : 'after'}`,
      () => pageSql(spec, filterConditions(spec, given, key !== null), key !== null),
      spec.safeIntegers === true,
    );
    // One row more than asked for tells whether there is a next page.
    const raws = page.all({ ...params, ...afterParameters(key), limit: first + 1 }) as RawRow[];
    const edges = raws.slice(0, first).map((raw) => new ListedRow(spec, spec.toRow(raw)));
    const count = () => statements.get(`count ${shape}`, () => countSql(spec, filterConditions(spec, given, false)), false);
    const totalCount = once(() => (onlyCounted ? kept() : undefined) ?? Number(count().pluck().get(params)));
    // Rows before the cursor (the row it was taken from among them): one index seek, only when asked for.
    const before = () => statements.get(`before ${shape}`, () => beforeSql(spec, filterConditions(spec, given, false)), spec.safeIntegers === true);
    const hasPreviousPage = once(() => key !== null && before().get({ ...params, ...afterParameters(key) }) !== undefined);
    return {
      edges,
      hasNextPage: raws.length > first,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage,
      totalCount,
    };
  };
}

const EMPTY_PAGE: Page<never> = {
  edges: [],
  hasNextPage: false,
  startCursor: null,
  endCursor: null,
  hasPreviousPage: () => false,
  totalCount: () => 0,
};

/** A row of a page; its cursor is encoded when asked for, as most clients only want the page's endCursor. */
class ListedRow<Row> {
  constructor(
    private readonly spec: Pick<ListingSpec<unknown, Row>, 'listing' | 'keyOf'>,
    readonly row: Row,
  ) {}

  get cursor(): string {
    return encodeCursor(this.spec.listing, this.spec.keyOf(this.row));
  }
}

/** Prepared statements by filter shape: at most one per combination of given filters, so the cache stays small. */
function statementCache(db: ReadModelDatabase) {
  const statements = new Map<string, Statement<[RawRow], unknown>>();
  return {
    get(shape: string, sql: () => string, safeIntegers: boolean): Statement<[RawRow], unknown> {
      let statement = statements.get(shape);
      if (statement === undefined) {
        statement = db.prepare<[RawRow], unknown>(sql()).safeIntegers(safeIntegers);
        statements.set(shape, statement);
      }
      return statement;
    },
  };
}

/** The filters given (null counts as not given), in the spec's order, so that equal shapes share a statement. */
function givenFilters<Filter extends object, Row>(spec: ListingSpec<Filter, Row>, filter: Filter): Given<Filter> {
  const given: Given<Filter> = [];
  for (const name of Object.keys(spec.filters) as Array<keyof Filter & string>) {
    const value = filter[name] as FilterValue | null | undefined;
    if (value !== undefined && value !== null) given.push([name, value]);
  }
  return given;
}

/**
 * The WHERE terms of the given filters. A term written `+column` still filters but cannot bound an
 * index range: used for the weaker index filters, and for the time bound on the cursor's side (upper
 * newest first, lower oldest first) when a cursor gives a tighter one (SQLite takes one upper bound per range, and the filter's would make every page
 * walk again over the rows of the pages before it).
 */
function filterConditions<Filter extends object, Row>(spec: ListingSpec<Filter, Row>, given: Given<Filter>, afterKey: boolean): string[] {
  const { entries, drivers } = indexEntries(spec, given);
  const demoted = new Set(entries.flat().filter((name) => !drivers.has(name)).map((name) => spec.filters[name].column));
  const leadingSortColumn = spec.sortKey[0]!.column;
  return given.map(([name]) => {
    const { column, operator } = spec.filters[name];
    const boundedByCursor = afterKey && operator === (ascending(spec) ? 'from' : 'before') && column === leadingSortColumn;
    const target = (demoted.has(column) && !drivers.has(name)) || boundedByCursor ? `+${column}` : column;
    switch (operator) {
      case 'equals':
        return `${target} = ${bound(`@${name}`)}`;
      case 'oneOf':
        return `${target} IN (SELECT value FROM json_each(@${name}))`;
      case 'from':
        return `${target} >= @${name}`;
      case 'before':
        return `${target} < @${name}`;
    }
  });
}

/** The indexed filters' entries, each a list of filter names, and the names of the one that chooses the index (the first given in full). */
function indexEntries<Filter extends object, Row>(spec: ListingSpec<Filter, Row>, given: Given<Filter>) {
  const names = new Set<keyof Filter>(given.map(([name]) => name));
  const entries = spec.indexedFilters.map((entry): ReadonlyArray<keyof Filter> => (Array.isArray(entry) ? entry : [entry as keyof Filter]));
  const drivers = new Set(entries.find((entry) => entry.every((name) => names.has(name))) ?? []);
  return { entries, drivers };
}

/** What a listing checks before it lists, by which filters are given: worked out once per shape, as its statements are. */
interface ShapeChecks<Filter> {
  /** How many equality filters are given, a list of counted values (errcodes) as one. */
  equalities: number;
  /** Whether every given filter is one the kept counts are by: they are then the total. */
  onlyCounted: boolean;
  /**
   * The given equality filters that do not choose the index: each is looked up alone first, along an index it leads, as
   * their values are checked row by row along the chosen one.
   */
  absentChecks: Array<keyof Filter & string>;
}

function shapeOf<Filter extends object, Row>(spec: ListingSpec<Filter, Row>, given: Given<Filter>): ShapeChecks<Filter> {
  const { entries, drivers } = indexEntries(spec, given);
  const indexed = new Set(entries.flat());
  const equals = given.map(([name]) => name).filter((name) => spec.filters[name].operator === 'equals');
  const counted = new Set(spec.keptCounts?.by ?? []);
  // A list of values the counts are kept by (errcodes) is counted, and may never come with the others, as a value is.
  const countedLists = given.filter(([name]) => spec.filters[name].operator === 'oneOf' && counted.has(name));
  return {
    equalities: equals.length + countedLists.length,
    onlyCounted: spec.keptCounts !== undefined && given.every(([name]) => counted.has(name)),
    absentChecks: equals.filter((name) => indexed.has(name) && !drivers.has(name)),
  };
}

/**
 * Whether any row has this filter's value: the spec's own condition, the given equality filters that are no indexed
 * filter (those every index leads with, as a destination), and this one.
 */
function hasValueSql<Filter extends object, Row>(spec: ListingSpec<Filter, Row>, given: Given<Filter>, name: keyof Filter & string): string {
  const indexed = new Set(indexEntries(spec, given).entries.flat());
  const conditions = given
    .filter(([other]) => other === name || (!indexed.has(other) && spec.filters[other].operator === 'equals'))
    .map(([other]) => `${spec.filters[other].column} = ${bound(`@${other}`)}`);
  return `SELECT 1 FROM ${spec.from} ${whereClause(baseConditions(spec, conditions))} LIMIT 1`;
}

/** Values bound by name; a list travels as one JSON array, so its length does not make a new statement. */
function filterParameters<Filter>(given: Given<Filter>): RawRow {
  return Object.fromEntries(given.map(([name, value]) => [name, Array.isArray(value) ? JSON.stringify(value) : value]));
}

function afterParameters(key: KeyValue[] | null): RawRow {
  return key === null ? {} : Object.fromEntries(key.map((value, i) => [`after${i}`, value]));
}

const ascending = (spec: Pick<ListingSpec<unknown, unknown>, 'order'>): boolean => spec.order === 'oldest first';

/** The cursor's row against the sort key: a row-value comparison, which SQLite turns into an index range. */
function keyCondition(sortKey: readonly SortColumn[], operator: '<' | '>' | '<=' | '>='): string {
  const columns = sortKey.map((c) => c.column);
  const values = sortKey.map((_c, i) => `@after${i}`);
  return columns.length === 1 ? `${columns[0]} ${operator} ${values[0]}` : `(${columns.join(', ')}) ${operator} (${values.join(', ')})`;
}

/** "After this row" in the listing's order. */
const afterCondition = (spec: Pick<ListingSpec<unknown, unknown>, 'order' | 'sortKey'>): string => keyCondition(spec.sortKey, ascending(spec) ? '>' : '<');
/** "This row or before it" in the listing's order. */
const beforeCondition = (spec: Pick<ListingSpec<unknown, unknown>, 'order' | 'sortKey'>): string => keyCondition(spec.sortKey, ascending(spec) ? '<=' : '>=');

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

function baseConditions<Filter, Row>(spec: ListingSpec<Filter, Row>, conditions: readonly string[]): string[] {
  return spec.where === undefined ? [...conditions] : [spec.where, ...conditions];
}

function pageSql<Filter, Row>(spec: ListingSpec<Filter, Row>, conditions: readonly string[], afterKey: boolean): string {
  const all = baseConditions(spec, conditions);
  if (afterKey) all.push(afterCondition(spec));
  const direction = ascending(spec) ? 'ASC' : 'DESC';
  const order = spec.sortKey.map((c) => `${c.column} ${direction}`).join(', ');
  return `SELECT ${spec.columns} FROM ${spec.from} ${whereClause(all)} ORDER BY ${order} ${limitBy('@limit')}`;
}

function beforeSql<Filter, Row>(spec: ListingSpec<Filter, Row>, conditions: readonly string[]): string {
  const all = [...baseConditions(spec, conditions), beforeCondition(spec)];
  return `SELECT 1 FROM ${spec.from} ${whereClause(all)} LIMIT 1`;
}

function countSql<Filter, Row>(spec: ListingSpec<Filter, Row>, conditions: readonly string[]): string {
  return `SELECT count(*) FROM ${spec.from} ${whereClause(baseConditions(spec, conditions))}`;
}
