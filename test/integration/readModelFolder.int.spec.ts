// A read model's folder at start-up: a file of an older version, keyed differently from this one, is planned as the older
// file; a file built from another log is set aside.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planFolder } from '../../src/processing/readModelFolder';
import { ProjectionFile, removeFileAside } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { callback } from '../support/projectionSpec';

describe('a read-model folder at start-up', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'read-model-folder-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checks a file of an older version along the keys it declares: it answers while the new version builds, not set aside', () => {
    const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
    const screenshot = callback({ event_type: 200, stream_id: 'cam', app: 'a.example', appname: 'live', create_time: 1_700_000_000, pic_url: '/s.jpg' });
    file.apply([{ ...screenshot, position: 1n, revision: 1n }]);
    const name = path.basename(file.file);
    file.close();
    // As version 7 kept it: signs of life by stream name alone (no `domain`, a column of this version's key).
    const db = new Database(path.join(dir, name));
    db.prepare('UPDATE read_model SET version = ?').run(insightsProjection.version - 1);
    db.exec('DROP TABLE insight_stream_signs');
    db.exec('CREATE TABLE insight_stream_signs (stream_id TEXT NOT NULL PRIMARY KEY, last_sign_at INTEGER NOT NULL) STRICT, WITHOUT ROWID');
    db.prepare('INSERT INTO insight_stream_signs VALUES (?, ?)').run('cam', 1_700_000_000_000);
    db.close();

    const plan = planFolder(dir, insightsProjection);
    expect(plan).toMatchObject({ live: null, building: null, older: { version: insightsProjection.version - 1, file: path.join(dir, name) } });
    expect(readdirSync(dir).filter((entry) => entry.includes('corrupt'))).toEqual([]);
    expect(existsSync(path.join(dir, name))).toBe(true);
  });

  describe('which log a file was built from', () => {
    const screenshot = callback({ event_type: 200, stream_id: 'cam', app: 'a.example', appname: 'live', create_time: 1_700_000_000, pic_url: '/s.jpg' });
    const log = (firstEvent: string, head = 10n) => ({ head, firstEvent });
    const asideIn = (folder: string) => readdirSync(folder).filter((entry) => entry.includes('.another-log-'));

    it("records the log's first event even when a live file's first batches held nothing it handles", () => {
      const folder = path.join(dir, 'first-event');
      const file = ProjectionFile.create(folder, insightsProjection, 1, 'live');
      // Passed over in memory (no transaction), then one it handles: the file is written from the second batch on.
      file.apply([{ ...screenshot, id: 'first-of-the-log', type: 'NothingInsightsReads', position: 1n, revision: 0n }]);
      file.apply([{ ...screenshot, position: 2n, revision: 1n }]);
      file.close();

      expect(planFolder(folder, insightsProjection, { log: log('first-of-the-log@1') })).toMatchObject({ live: { file: file.file, logFirstEvent: 'first-of-the-log@1' } });
      // The same callbacks imported into another store: the same event ids, at other positions.
      const plan = planFolder(folder, insightsProjection, { log: log('first-of-the-log@2048', 1_000_000n) });
      expect(plan).toMatchObject({ live: null, building: null });
      expect(asideIn(folder)).toHaveLength(1);
    });

    it('takes a file that does not say (made before files said) as built from the log in place, and says so from then on', () => {
      const folder = path.join(dir, 'unsaid');
      const file = ProjectionFile.create(folder, insightsProjection, 1, 'live');
      file.apply([{ ...screenshot, position: 1n, revision: 0n }]);
      file.close();
      const db = new Database(file.file);
      db.exec('ALTER TABLE read_model DROP COLUMN log_first_event');
      db.close();

      expect(planFolder(folder, insightsProjection, { log: log('in-place') })).toMatchObject({ live: { file: file.file, logFirstEvent: 'in-place' } });
      expect(planFolder(folder, insightsProjection, { log: log('in-place') })).toMatchObject({ live: { file: file.file } });
      expect(planFolder(folder, insightsProjection, { log: log('copied-in') })).toMatchObject({ live: null });
      expect(asideIn(folder)).toHaveLength(1);
    });
  });

  it('finishes deleting a replaced file whose deletion a stop cut short (renamed aside, half freed), and keeps the live one', () => {
    const folder = path.join(dir, 'cut-short');
    const live = ProjectionFile.create(folder, insightsProjection, 2, 'live');
    live.close();
    // What removeFileAside leaves when stopped between its steps: the old file under its aside name, partly freed.
    writeFileSync(path.join(folder, 'v1.1.db.removing'), 'SQLite format 3\0');
    truncateSync(path.join(folder, 'v1.1.db.removing'), 1024 * 1024);

    const plan = planFolder(folder, insightsProjection);
    expect(plan).toMatchObject({ live: { file: live.file }, building: null, older: null });
    expect(readdirSync(folder)).toEqual([path.basename(live.file)]);
  });
});

describe('deleting a replaced read-model file beside the threads that answer', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'read-model-removal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes a file larger than one step, with its -wal and -shm, and leaves nothing aside', async () => {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'v1.1.db');
    writeFileSync(file, 'SQLite format 3\0');
    truncateSync(file, 100 * 1024 * 1024); // three steps and a bit, sparse
    for (const suffix of ['-wal', '-shm']) writeFileSync(`${file}${suffix}`, 'x');

    await removeFileAside(file);
    expect(readdirSync(dir)).toEqual([]);
    await expect(removeFileAside(file)).resolves.toBeUndefined(); // already gone: nothing to do
  });
});
