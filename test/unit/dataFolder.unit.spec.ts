// DATA_DIR: files written by another user, named with their owner and mode before any of them is opened; who holds it, as its holder said.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFolderError, dataFolderHolder, ensureDataFolder } from '../../src/dataFolder';

describe('ensureDataFolder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'data-folder-'));
    mkdirSync(path.join(dir, 'readmodels', 'sessions'), { recursive: true });
    for (const file of ['events.db', 'events.db-wal', 'service.lock', 'readmodels/sessions/v8.1.db']) writeFileSync(path.join(dir, file), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes a folder whose files and folders can all be written', () => {
    expect(() => ensureDataFolder(dir, () => true)).not.toThrow();
  });

  it('refuses one holding files or folders this process cannot write, naming them with owner and mode, deepest included', () => {
    const unwritable = new Set(['events.db', 'readmodels/sessions', 'readmodels/sessions/v8.1.db'].map((file) => path.join(dir, file)));
    const refusal = catchError(() => ensureDataFolder(dir, (file) => !unwritable.has(file)));
    expect(refusal).toBeInstanceOf(DataFolderError);
    expect(refusal.message).toMatch(new RegExp(`^DATA_DIR ${dir} cannot be used: 3 of its files and folders cannot be written by this process \\(uid \\d+\\): `));
    expect(refusal.message).toMatch(/events\.db \(owner uid \d+, mode 6\d\d\), readmodels\/sessions \(owner uid \d+, mode 7\d\d\), readmodels\/sessions\/v8\.1\.db \(/);
    expect(refusal.message).toContain('chown -R');
    expect(refusal.message).not.toContain('events.db-wal');
  });

  it('names five and counts the rest; a symbolic link is left alone', () => {
    for (let i = 0; i < 7; i++) writeFileSync(path.join(dir, 'readmodels', 'sessions', `extra-${i}.db`), '');
    symlinkSync('/nowhere', path.join(dir, 'readmodels', 'link'));
    const refusal = catchError(() => ensureDataFolder(dir, (file) => !path.basename(file).startsWith('extra-') && path.basename(file) !== 'link'));
    expect(refusal.message).toContain('7 of its files and folders');
    expect(refusal.message).toContain('readmodels/sessions/extra-4.db (owner uid');
    expect(refusal.message).not.toContain('extra-5.db');
    expect(refusal.message).toContain(', and 2 more.');
  });

  it("leaves alone what in DATA_DIR itself is not the service's (an operator's copy, notes)", () => {
    for (const file of ['events.db.bak', 'notes.txt']) writeFileSync(path.join(dir, file), '');
    mkdirSync(path.join(dir, 'exports'));
    const ownOnly = (file: string) => !['events.db.bak', 'notes.txt', 'exports'].includes(path.basename(file));
    expect(() => ensureDataFolder(dir, ownOnly)).not.toThrow();
    expect(catchError(() => ensureDataFolder(dir, (file) => ownOnly(file) && !file.endsWith('service.lock'))).message).toContain(': service.lock (owner uid');
  });
});

function catchError(run: () => void): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

describe('dataFolderHolder', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'data-folder-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const holderSaying = (text: string) => {
    writeFileSync(path.join(dir, 'service.lock.json'), text);
    return dataFolderHolder(dir);
  };

  it('reads who holds DATA_DIR as the holder wrote it', () => {
    const holder = { command: 'serve', pid: 4242, host: 'box', since: '2026-11-27T10:00:00.000Z' };
    expect(holderSaying(JSON.stringify(holder))).toEqual(holder);
  });

  // A refused start would name `undefined` (pid undefined on undefined), and rebuild would ask no one.
  it.each(['5', 'null', '[]', '{"pid":"x"}', '{"command":"serve","pid":"4242","host":"box","since":"now"}', '{"command":"reb', ''])(
    'takes %j for no word from the holder',
    (text) => expect(holderSaying(text)).toBeNull(),
  );
});
