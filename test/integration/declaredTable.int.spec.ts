// A declared table's writer against a real SQLite file: rows inserted, or updated in place with only what changed.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { column, table, type RowOf } from '../../src/processing/table';

const sessions = table(
  'sessions',
  {
    sequence: column.text(),
    status: column.text(),
    interruptedAt: column.integer().orNull(),
    streamId: column.text().orNull(),
    facts: column.json<{ node: string | null }>(),
  },
  {
    primaryKey: ['sequence'],
    indexes: [
      { name: 'sessions_by_stream', on: ['streamId'] },
      { name: 'sessions_by_interruption', on: ['interruptedAt'], where: 'interrupted_at IS NOT NULL' },
    ],
  },
);
type Row = RowOf<typeof sessions>;

/** Eight columns besides the key: 255 sets of them an update may change, more than the writer prepares statements for. */
const wide = table(
  'wide',
  { id: column.integer(), a: column.integer(), b: column.integer(), c: column.integer(), d: column.integer(), e: column.integer(), f: column.integer(), g: column.integer(), h: column.integer() },
  { primaryKey: ['id'] },
);
type WideRow = RowOf<typeof wide>;

describe("a declared table's writer", () => {
  let dir: string;
  let db: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'declared-table-'));
    db = new Database(path.join(dir, 'file.db'));
    db.exec(sessions.ddl());
    db.exec(wide.ddl());
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => db.prepare('SELECT rowid, sequence, status, interrupted_at, stream_id, facts FROM sessions ORDER BY rowid').raw().all();

  it('inserts a new row, and updates a stored one in place: the same rowid, its new values, the other rows as they were', () => {
    const save = sessions.writer(db);
    const live: Row = { sequence: 's1', status: 'LIVE', interruptedAt: null, streamId: 'cam1', facts: { node: null } };
    save(live, null);
    save({ sequence: 's2', status: 'LIVE', interruptedAt: null, streamId: 'cam2', facts: { node: null } }, null);
    save({ ...live, status: 'INTERRUPTED', interruptedAt: 1_000, streamId: null, facts: { node: 'n1' } }, live);
    expect(rows()).toEqual([
      [1, 's1', 'INTERRUPTED', 1_000, null, '{"node":"n1"}'],
      [2, 's2', 'LIVE', null, 'cam2', '{"node":null}'],
    ]);
    // The indexes follow.
    expect(db.prepare('SELECT sequence FROM sessions INDEXED BY sessions_by_interruption WHERE interrupted_at IS NOT NULL').pluck().all()).toEqual(['s1']);
    expect(db.prepare('SELECT sequence FROM sessions INDEXED BY sessions_by_stream WHERE stream_id IS NULL').pluck().all()).toEqual(['s1']);
  });

  it('writes nothing for a row as it is stored, a JSON column compared by its JSON', () => {
    const save = sessions.writer(db);
    const row: Row = { sequence: 's1', status: 'LIVE', interruptedAt: null, streamId: 'cam1', facts: { node: 'n1' } };
    save(row, null);
    const before = db.prepare('SELECT total_changes()').pluck().get();
    save({ ...row, facts: { node: 'n1' } }, row);
    expect(db.prepare('SELECT total_changes()').pluck().get()).toBe(before);
  });

  it('leaves every row as the values last given, whichever columns each update changes', () => {
    const values = fc.integer({ min: 0, max: 2 });
    const update = fc.record({ id: fc.integer({ min: 1, max: 4 }), a: values, b: values, c: values, d: values, e: values, f: values, g: values, h: values });
    fc.assert(
      fc.property(fc.array(update, { minLength: 200, maxLength: 400 }), (updates) => {
        db.exec('DELETE FROM wide');
        const save = wide.writer(db);
        const stored = new Map<number, WideRow>();
        // In one transaction, as a projection's batch is written.
        db.transaction(() => {
          for (const row of updates) {
            save(row, stored.get(row.id) ?? null);
            stored.set(row.id, row);
          }
        })();
        const read = db.prepare('SELECT id, a, b, c, d, e, f, g, h FROM wide ORDER BY id').all();
        expect(read).toEqual([...stored.values()].sort((x, y) => x.id - y.id));
      }),
      { numRuns: 40 },
    );
  });
});
