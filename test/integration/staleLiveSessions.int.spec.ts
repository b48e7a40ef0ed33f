// Sessions LIVE with no sign of life since, from a real insights file: signs count on their stream's domain, and an older file still answers.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { insightSessionsTable, streamSignsTable } from '../../src/readmodels/insights/insights.table';
import { drawsFrom, seededRandom } from '../../src/simulation/seededDraws';
import { callback } from '../support/projectionSpec';

const T = 1_700_000_000;
const push = (sequence: string, stream: string, app: string, seconds = 0) =>
  callback({ event_type: 1, sequence, app, appname: 'live', stream_id: stream, event_time: T + seconds, node: 'n1' });
const interrupted = (sequence: string, stream: string, app: string, pushedSeconds: number, seconds: number) =>
  callback({ event_type: 0, sequence, app, appname: 'live', stream_id: stream, event_time: T + seconds, node: 'n1', errcode: 1, push_duration: String((seconds - pushedSeconds) * 1000) });
const screenshot = (stream: string, app: string | null, seconds: number) =>
  callback({ event_type: 200, stream_id: stream, ...(app === null ? {} : { app }), appname: 'live', create_time: T + seconds, pic_url: `/${stream}.jpg` });

describe('stale live sessions', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stale-live-'));
  const file = ProjectionFile.create(dir, insightsProjection, 1, 'live');
  afterAll(() => {
    file.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    // `cam` on a.example was screenshotted an hour in, `cam` on b.example never; `box` on b.example by a screenshot naming no domain.
    const events = [push('1', 'cam', 'a.example'), push('2', 'cam', 'b.example'), push('3', 'box', 'b.example'), screenshot('cam', 'a.example', 3600), screenshot('box', null, 3600)];
    // Screenshotted an hour in too, but pushed again: `re` 1,000 s in (LIVE still), `gone` 1,000 s in (ended at 2,000 s),
    // `late` 3,500 s in (within the last ten minutes of silence asked for).
    for (const [first, newer, stream, again] of [['4', '5', 're', 1000], ['6', '7', 'gone', 1000], ['8', '9', 'late', 3500]] as const) {
      events.push(push(first, stream, 'a.example'), push(newer, stream, 'a.example', again), screenshot(stream, 'a.example', 3600));
    }
    events.push(interrupted('7', 'gone', 'a.example', 1000, 2000));
    file.apply(events.map((event, i) => ({ ...event, position: BigInt(i + 1), revision: BigInt(i + 1) })));
  });

  // Pushed two hours before now, silent for the last half hour.
  const silent = (db: Database.Database) =>
    insightQueries(db)
      .staleLiveSessions({ pushedBefore: (T + 1) * 1000, silentBefore: (T + 3000) * 1000 }, 50, null)
      .edges.map(({ row }) => `${row.sequence} ${row.domain}`);

  it('counts a sign of life on its own domain, or on every domain when it names none', () => {
    expect(silent(file.db)).toContain('2 b.example');
    expect(silent(file.db)).not.toContain('1 a.example');
    expect(silent(file.db)).not.toContain('3 b.example');
  });

  it("counts the stream's signs of life only up to a newer push of it, LIVE or ended", () => {
    expect(silent(file.db)).toEqual(['6 a.example', '4 a.example', '2 b.example']);
  });

  it('answers from a file of the version before signs were kept by domain (answering while this one builds)', () => {
    const older = new Database(':memory:');
    for (const table of insightsProjection.tables) if (table !== streamSignsTable) older.exec(table.ddl());
    older.exec('CREATE TABLE insight_stream_signs (stream_id TEXT NOT NULL PRIMARY KEY, last_sign_at INTEGER NOT NULL) STRICT, WITHOUT ROWID');
    const columns = insightSessionsTable.keys.map((key) => insightSessionsTable.column(key)).join(', ');
    const copy = older.prepare(`INSERT INTO insight_sessions (${columns}) VALUES (${insightSessionsTable.keys.map(() => '?').join(', ')})`);
    for (const row of file.db.prepare(`SELECT ${columns} FROM insight_sessions`).raw().all() as unknown[][]) copy.run(row);
    const signs = older.prepare('INSERT INTO insight_stream_signs VALUES (?, ?)');
    for (const stream of ['cam', 'box', 're', 'gone', 'late']) signs.run(stream, (T + 3600) * 1000);
    // By stream name alone, a.example's screenshot of `cam` hides b.example's silence, as it did.
    expect(silent(older)).toEqual(['6 a.example', '4 a.example']);
    older.close();
  });

  it('counts in totalCount exactly the sessions its pages list, whatever the filter', () => {
    // Streams of a few names on two domains and none, pushed again, interrupted or not, seen by signs on a domain or none.
    const draws = drawsFrom(seededRandom(17));
    const dir2 = mkdtempSync(path.join(os.tmpdir(), 'stale-count-'));
    const many = ProjectionFile.create(dir2, insightsProjection, 1, 'live');
    try {
      const apps = ['a.example', 'b.example', null] as const;
      const events = [];
      for (let i = 0; i < 300; i++) {
        const stream = `s${draws.between(1, 25)}`;
        const app = draws.pick(apps);
        const at = draws.between(0, 7200);
        const body = { event_type: 1, sequence: `q${i}`, ...(app === null ? {} : { app }), appname: 'live', stream_id: stream, event_time: T + at, node: 'n1' };
        events.push(callback(body));
        if (draws.chance(0.4)) events.push(callback({ ...body, event_type: 0, errcode: 1, event_time: T + at + draws.between(1, 600), push_duration: '1000' }));
        if (draws.chance(0.3)) events.push(screenshot(stream, draws.pick(apps), draws.between(0, 7200)));
      }
      many.apply(events.map((event, i) => ({ ...event, position: BigInt(i + 1), revision: BigInt(i + 1) })));
      const queries = insightQueries(many.db);
      const listed = (filter: Parameters<typeof queries.staleLiveSessions>[0]) => {
        let [rows, after] = [0, null as string | null];
        for (let page = queries.staleLiveSessions(filter, 7, null); ; page = queries.staleLiveSessions(filter, 7, after)) {
          rows += page.edges.length;
          if (!page.hasNextPage) return rows;
          after = page.endCursor;
        }
      };
      const [counted, seenSince] = [[] as number[], [] as number[]];
      for (const domain of [undefined, 'a.example', 'b.example']) {
        for (const pushedBefore of [undefined, T * 1000, (T + 1800) * 1000, (T + 7200) * 1000]) {
          for (const silentBefore of [undefined, (T + 600) * 1000, (T + 3600) * 1000, (T + 6000) * 1000]) {
            const filter = { ...(domain === undefined ? {} : { domain }), ...(pushedBefore === undefined ? {} : { pushedBefore }), ...(silentBefore === undefined ? {} : { silentBefore }) };
            const count = queries.staleLiveSessions(filter, 7, null).totalCount();
            expect({ filter, count }).toEqual({ filter, count: listed(filter) });
            if (silentBefore === undefined) continue;
            counted.push(count);
            // The same LIVE sessions without the silence asked for: those seen since are the difference.
            seenSince.push(listed({ ...filter, silentBefore: undefined, pushedBefore: Math.min(pushedBefore ?? Infinity, silentBefore) }) - count);
          }
        }
      }
      // Some sessions were silent and some were seen since: both halves of the count were at work.
      expect(Math.max(...counted)).toBeGreaterThan(0);
      expect(Math.max(...seenSince)).toBeGreaterThan(0);
    } finally {
      many.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});
