// A LIMIT bound at each run: each run takes its own count, the statement is compiled once, and no SQL of the service
// binds a bare LIMIT.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
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
  // first run and again each time SQLite compiled the statement again: what that costs shows as those calls. The
  // addon keeps the row factory of the first module that loaded it in a process, so the calls are counted in a process
  // of their own rather than in this test's sandbox, which may not be that first one.
  it('is compiled once, where a bare LIMIT ? is compiled again at every run', () => {
    const compilesOver = (sql: string): number => {
      const counted = execFileSync(process.execPath, ['-e', COUNT_COMPILES, path.join(data.dir, 'limits.db'), sql], {
        cwd: path.join(__dirname, '..', '..'),
        encoding: 'utf8',
      });
      return Number(counted.trim());
    };
    expect(compilesOver('SELECT id, name FROM items ORDER BY id LIMIT ?')).toBe(5);
    expect(compilesOver(`SELECT id, name FROM items ORDER BY id ${limitBy('?')}`)).toBe(1);
  });
});

// Runs a statement five times with limits 1..5 and prints how many functions were compiled meanwhile.
const COUNT_COMPILES = `
const Database = require('better-sqlite3');
const [file, sql] = process.argv.slice(1);
const db = new Database(file, { readonly: true });
const statement = db.prepare(sql);
const compile = globalThis.Function;
let compiles = 0;
globalThis.Function = function (...args) { compiles++; return compile(...args); };
for (let limit = 1; limit <= 5; limit++) {
  if (statement.all(limit).length !== limit) throw new Error('limit ' + limit + ' not honored');
}
globalThis.Function = compile;
db.close();
console.log(compiles);
`;

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
