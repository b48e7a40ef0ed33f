// A LIMIT bound at each run: each run takes its own count, the statement is compiled once, and no SQL of the service
// binds a bare LIMIT.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { limitBy } from '../../src/eventstore/sqlite/boundLimit';
import { tempDataDir } from '../support/testService';

describe('limitBy', () => {
  const data = tempDataDir();
  const db = new Database(path.join(data.dir, 'limits.db'));
  beforeAll(() => {
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    for (let i = 1; i <= 20; i++) insert.run(`item ${i}`);
  });
  afterAll(() => {
    db.close();
    data.remove();
  });

  it('takes the count bound at each run of one statement, positional or named, -1 for no limit', () => {
    const after = db.prepare<[number, number], number>(`SELECT id FROM items WHERE id > ? ORDER BY id ${limitBy('?')}`).pluck();
    expect(after.all(0, 3)).toEqual([1, 2, 3]);
    expect(after.all(5, 1)).toEqual([6]);
    expect(after.all(15, 10)).toEqual([16, 17, 18, 19, 20]);
    expect(after.all(18, -1)).toEqual([19, 20]);
    expect(after.all(0, 0)).toEqual([]);
    const named = db.prepare<[{ limit: number | bigint }], number>(`SELECT id FROM items ORDER BY id DESC ${limitBy('@limit')}`).pluck();
    expect(named.all({ limit: 2 })).toEqual([20, 19]);
    expect(named.all({ limit: 4n })).toEqual([20, 19, 18, 17]);
  });

  // better-sqlite3 compiles a function that builds the rows of a statement (with `Function`) when the statement is
  // first run and again each time SQLite compiled the statement again: what that costs shows as those calls.
  it('is compiled once, where a bare LIMIT ? is compiled again at every run', () => {
    const compilesOver = (sql: string): number => {
      const statement = db.prepare<[number]>(sql);
      const compiles = jest.spyOn(globalThis, 'Function');
      try {
        for (let limit = 1; limit <= 5; limit++) expect(statement.all(limit)).toHaveLength(limit);
        return compiles.mock.calls.length;
      } finally {
        compiles.mockRestore();
      }
    };
    expect(compilesOver('SELECT id, name FROM items ORDER BY id LIMIT ?')).toBe(5);
    expect(compilesOver(`SELECT id, name FROM items ORDER BY id ${limitBy('?')}`)).toBe(1);
  });
});

describe("the service's SQL", () => {
  // SQLite plans with the value of a bare bound LIMIT: the statement is compiled again at every run (see boundLimit.ts).
  const BARE_BOUND_LIMIT = /\bLIMIT\s+(\?|[@:$]\w)/;

  function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(file);
      return entry.name.endsWith('.ts') ? [file] : [];
    });
  }

  it('binds every LIMIT through limitBy', () => {
    const root = path.join(__dirname, '..', '..', 'src');
    const bare = sourceFiles(root)
      .filter((file) => path.basename(file) !== 'boundLimit.ts')
      .flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (BARE_BOUND_LIMIT.test(line) ? [`${path.relative(root, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(bare).toEqual([]);
  });
});
