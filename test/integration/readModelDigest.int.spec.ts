// The digest of read-model rows, on real SQLite files: equal for the same rows however written, different for any changed value.
import Database from 'better-sqlite3';
import { readModelDigest } from '../../src/processing/readModelDigest';
import { column, table } from '../../src/processing/table';

const things = table(
  'things',
  {
    id: column.text(),
    position: column.position().orNull(),
    count: column.integer().orNull(),
    score: column.real().orNull(),
    bytes: column.blob().orNull(),
    note: column.text().orNull(),
  },
  { primaryKey: ['id'] },
);
type Thing = [id: string, position: bigint | null, count: number | null, score: number | null, bytes: Buffer | null, note: string | null];

const BASE: Thing[] = [
  ['a', 9_007_199_254_740_993n, 7, 0.1 + 0.2, Buffer.from([0, 1, 255]), 'say "hi" \u00e9\u{1f600}'],
  ['b', null, null, null, null, null],
  ['c', 1n, 0, 0, Buffer.alloc(0), ''],
];

function digestOf(rows: readonly Thing[]): string {
  const db = new Database(':memory:');
  try {
    db.exec(things.ddl());
    const insert = db.prepare('INSERT INTO things (id, position, count, score, bytes, note) VALUES (?, ?, ?, ?, ?, ?)');
    for (const row of rows) insert.run(...row);
    return readModelDigest(db, { tables: [things] });
  } finally {
    db.close();
  }
}

const changed = (index: number, column: number, value: unknown): Thing[] =>
  BASE.map((row, i) => (i === index ? (row.map((v, c) => (c === column ? value : v)) as Thing) : row));

describe('read-model digest', () => {
  it('is the same for the same rows, whatever order they were written in', () => {
    expect(digestOf([...BASE].reverse())).toBe(digestOf(BASE));
  });

  it.each([
    ['a 64-bit position one apart beyond 2^53', 0, 1, 9_007_199_254_740_992n],
    ['an integer', 0, 2, 8],
    ['a REAL in its last bit', 0, 3, 0.3],
    ['a byte of a BLOB', 0, 4, Buffer.from([0, 1, 254])],
    ['a character of a text', 0, 5, 'say "hi" \u00e9\u{1f601}'],
    ['NULL against 0', 2, 2, null],
    ['NULL against 0.0', 2, 3, null],
    ['NULL against an empty BLOB', 2, 4, null],
    ['NULL against an empty text', 2, 5, null],
    ['a text against the text of a number', 2, 5, '0'],
  ])('changes with %s', (_what, index, column, value) => {
    expect(digestOf(changed(index, column, value))).not.toBe(digestOf(BASE));
  });

  it('changes with a row more or less', () => {
    expect(digestOf(BASE.slice(0, 2))).not.toBe(digestOf(BASE));
  });

  it("leaves out a table of how the file was written, and only that one", () => {
    const writes = table('writes', { start: column.integer(), changes: column.integer() }, { primaryKey: ['start'], withoutRowid: true, digested: false });
    const digestWith = (changes: number) => {
      const db = new Database(':memory:');
      try {
        db.exec(things.ddl());
        db.exec(writes.ddl());
        db.prepare("INSERT INTO things (id) VALUES ('a')").run();
        db.prepare('INSERT INTO writes (start, changes) VALUES (0, ?)').run(changes);
        return [readModelDigest(db, { tables: [things, writes] }), readModelDigest(db, { tables: [things] })];
      } finally {
        db.close();
      }
    };
    const [oneBatch, thingsAlone] = digestWith(1);
    expect(oneBatch).toBe(thingsAlone);
    expect(digestWith(7)[0]).toBe(oneBatch);
  });
});
