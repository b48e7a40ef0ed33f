// A read model's folder at start-up: a file of an older version, keyed differently from this one, is planned as the older file.
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planFolder } from '../../src/processing/readModelFolder';
import { ProjectionFile } from '../../src/processing/readModelFile';
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
});
