// The read-model queries' hot statements use an index and never sort in a temp B-tree (EXPLAIN QUERY PLAN of what actually ran).
import Database from 'better-sqlite3';
import path from 'node:path';
import type { ReadModelDatabase } from '../../src/processing/projectionDefinition';
import { PROJECTIONS, READ_MODELS } from '../../src/readmodels';
import { activityQueries } from '../../src/readmodels/callbackLog/callbackActivity.queries';
import { moderationQueries, type ModerationListFilter } from '../../src/readmodels/moderation/moderation.queries';
import { recordingQueries, type RecordingListFilter } from '../../src/readmodels/recordings/recordings.queries';
import { screenshotQueries } from '../../src/readmodels/screenshots/screenshots.queries';
import { callbackLogQueries } from '../../src/readmodels/callbackLog/callbackLog.queries';
import { relayTaskQueries, type RelayTaskListFilter } from '../../src/readmodels/relayTasks/relayTasks.queries';
import { insightQueries, type InterruptionListFilter } from '../../src/readmodels/insights/insights.queries';
import { sessionQueries, type SessionListFilter } from '../../src/readmodels/sessions/sessions.queries';
import { callback } from '../support/projectionSpec';
import { tempDataDir } from '../support/testService';

interface Executed {
  sql: string;
  args: unknown[];
}

/** The statements `run` executed, with their bound values, caught on better-sqlite3's Statement prototype. */
function executedBy(db: ReadModelDatabase, run: () => void): Executed[] {
  const prototype = Object.getPrototypeOf(db.prepare('SELECT 1')) as Database.Statement;
  const spies = [jest.spyOn(prototype, 'all'), jest.spyOn(prototype, 'get'), jest.spyOn(prototype, 'iterate')];
  try {
    run();
    return spies.flatMap((spy) => spy.mock.contexts.map((statement, i) => ({ sql: statement.source, args: spy.mock.calls[i]! })));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The plan SQLite chose for that exact statement and those values. */
function planOfStatement(db: ReadModelDatabase, { sql, args }: Executed): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((row) => row.detail);
}

/** The plans of what `run` read, and apart, of the interruptions it counted to choose how to read a cut period. */
function readsThenCounts(db: ReadModelDatabase, run: () => void): [reads: string[][], counts: string[][]] {
  const executed = executedBy(db, run);
  const counting = (statement: Executed) => statement.sql.startsWith('SELECT count(*) FROM (SELECT 1 FROM insight_sessions');
  return [executed.filter((s) => !counting(s)).map((s) => planOfStatement(db, s)), executed.filter(counting).map((s) => planOfStatement(db, s))];
}

/** The steps of a count of interruptions, at most so many, along the covering index named. */
function countedAlong(index: string): RegExp[] {
  return [/^CO-ROUTINE \(subquery-1\)$/, new RegExp(`^SEARCH insight_sessions USING COVERING INDEX ${index}$`), /^SCAN \(subquery-1\)$/];
}

/** Whether a statement is a listing's look-up of one filter's value, made before it lists. */
const isValueCheck = (statement: Executed) => /^SELECT 1 FROM \S+( \w)? WHERE [^()]+ LIMIT 1$/.test(statement.sql);

/** Whether a statement reads counts a projection keeps: made before a listing of several filters' values. */
const isKeptCount = (statement: Executed) => /^SELECT coalesce\(sum\(count\), 0\) FROM \w+_counts( WHERE|$)/.test(statement.sql);

/** The plan of the one statement `run` executed, besides the look-ups of filter values. */
function pagePlanOf(db: ReadModelDatabase, run: () => void): string[] {
  const executed = executedBy(db, run).filter((statement) => !isValueCheck(statement) && !isKeptCount(statement));
  expect(executed).toHaveLength(1);
  return planOfStatement(db, executed[0]!);
}

/** The plan of the one statement `run` executed. */
function planOf(db: ReadModelDatabase, run: () => void): string[] {
  const executed = executedBy(db, run);
  expect(executed).toHaveLength(1);
  return planOfStatement(db, executed[0]!);
}

/** The plan is exactly these steps, in order: each an index or primary-key read, and no sort (TEMP B-TREE) after them. */
function expectIndexedPlan(plan: string[], ...steps: RegExp[]): void {
  expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
  expect(plan).toEqual(steps.map((step) => expect.stringMatching(step)));
}

describe('query plans of the read-model queries', () => {
  // No ANALYZE is ever run on the read models, so these are the plans production gets, whatever the data.
  const data = tempDataDir();
  let db: ReadModelDatabase;
  let sessions: ReturnType<typeof sessionQueries>;
  let relayTasks: ReturnType<typeof relayTaskQueries>;
  let callbacks: ReturnType<typeof callbackLogQueries>;
  let sessionCursor: string;
  let taskCursor: string;
  let callbackCursor: string;

  beforeAll(() => {
    // Every read model's tables, as their files hold them, side by side in one file: the plans are per table.
    db = new Database(path.join(data.dir, 'readmodels.db'));
    for (const definition of PROJECTIONS) for (const table of definition.tables) db.exec(table.ddl());
    db.exec(`
      INSERT INTO sessions (sequence, status, session_at, state) VALUES ('1', 'LIVE', 1000, '{}');
      INSERT INTO sessions (sequence, domain, app_name, status, session_at, state) VALUES ('2', 'push.example.com', 'live', 'ENDED', 500, '{}');
      INSERT INTO sessions (sequence, domain, app_name, status, errcode, session_at, state) VALUES ('3', 'other.example.com', 'live', 'ENDED', 7, 300, '{}');
      INSERT INTO session_counts (combination, domain, app_name, status, errcode, count) VALUES
        ('[null,null,"LIVE",null]', NULL, NULL, 'LIVE', NULL, 1),
        ('["push.example.com","live","ENDED",null]', 'push.example.com', 'live', 'ENDED', NULL, 1),
        ('["other.example.com","live","ENDED","7"]', 'other.example.com', 'live', 'ENDED', '7', 1);
      INSERT INTO relay_tasks (task_id, source_urls, status, restart_count, runs, files, alarms, last_event_at, file_start_missed)
        VALUES ('t', '[]', 'RUNNING', 0, '[]', '[]', '[]', 1000, 0), ('u', '[]', 'EXITED', 0, '[]', '[]', '[]', 500, 0);
      INSERT INTO callback_log (position, event_id, type, stream, received_at, raw) VALUES (7, 'e', 'StreamPushed', 'session-1', 1000, '{}');
      INSERT INTO callback_counts (type, count) VALUES ('StreamPushed', 1);
      INSERT INTO insight_interruption_counts (combination, domain, side, count) VALUES ('["a","CUSTOMER"]', 'a', 'CUSTOMER', 1);
    `);
    sessions = sessionQueries(db);
    relayTasks = relayTaskQueries(db);
    callbacks = callbackLogQueries(db);
    sessionCursor = sessions.list({}, 1, null).endCursor!;
    taskCursor = relayTasks.list({}, 1, null).endCursor!;
    callbackCursor = callbacks.list({}, 1, null).endCursor!;
  });
  afterAll(() => {
    db.close();
    data.remove();
  });

  it('finds a session by sequence through its primary key', () => {
    expectIndexedPlan(
      planOf(db, () => sessions.bySequence('1')),
      /^SEARCH sessions USING (COVERING )?INDEX sqlite_autoindex_sessions_1 \(sequence=\?\)$/,
    );
  });

  it.each<[string, SessionListFilter, string]>([
    ['no filter', {}, 'sessions_by_time'],
    ['streamId', { streamId: 'cam' }, 'sessions_by_stream'],
    ['errcode', { errcode: 1 }, 'sessions_by_errcode'],
    ['status', { status: 'LIVE' }, 'sessions_by_status'],
    ['streamId and status (the stream, not the status, picks the index)', { streamId: 'cam', status: 'ENDED' }, 'sessions_by_stream'],
    ['errcode and status', { errcode: 7, status: 'ENDED' }, 'sessions_by_errcode'],
    ['streamId and a time range', { streamId: 'cam', pushedFrom: 0, pushedTo: 5000 }, 'sessions_by_stream'],
    ['a time range', { pushedFrom: 0, pushedTo: 5000 }, 'sessions_by_time'],
    ['domain', { domain: 'push.example.com' }, 'sessions_by_domain'],
    ['domain and a time range', { domain: 'push.example.com', pushedFrom: 0, pushedTo: 5000 }, 'sessions_by_domain'],
    ['domain and status', { domain: 'push.example.com', status: 'ENDED' }, 'sessions_by_domain_status'],
    ['streamId, domain and status (the stream picks the index)', { streamId: 'cam', domain: 'push.example.com', status: 'ENDED' }, 'sessions_by_stream'],
    ['errcode and domain', { errcode: 7, domain: 'other.example.com' }, 'sessions_by_errcode'],
    ['app name', { appName: 'live' }, 'sessions_by_app'],
    ['status and app name (the status picks the index)', { status: 'ENDED', appName: 'live' }, 'sessions_by_status'],
  ])('lists sessions by %s along an index, first page and next', (_name, filter, index) => {
    expectIndexedPlan(pagePlanOf(db, () => sessions.list(filter, 50, null)), new RegExp(`^(SCAN|SEARCH) sessions USING INDEX ${index}( \\(|$)`));
    expectIndexedPlan(
      pagePlanOf(db, () => sessions.list(filter, 50, sessionCursor)),
      new RegExp(`^SEARCH sessions USING INDEX ${index} \\(.*\\(session_at,sequence\\)<\\(\\?,\\?\\)\\)$`),
    );
  });

  // A mistyped app name beside a status walked the status's half of a million sessions (seconds of the main thread), an
  // errcode seen on other domains only every session of that errcode (64-73 ms) to find none.
  it.each<[string, SessionListFilter]>([
    ['an app name beside a status', { status: 'ENDED', appName: 'lve' }],
    ['a domain beside an errcode', { errcode: 1, domain: 'push.exmple.com', pushedFrom: 0 }],
    ['an errcode beside a stream', { streamId: 'cam', errcode: 99 }],
    ['a domain and an errcode', { errcode: 7, domain: 'push.example.com' }],
    ['an app name, a status and an errcode', { errcode: 7, appName: 'live', status: 'LIVE' }],
    ['a stream beside them', { errcode: 7, domain: 'push.example.com', streamId: 'cam' }],
    ['errcodes beside a domain', { errcodes: [7, 99], domain: 'push.example.com' }],
    ['errcodes beside an app name and a status', { errcodes: [7], appName: 'live', status: 'LIVE' }],
  ])('answers %s that no session has from the kept counts alone, listing nothing', (_name, filter) => {
    let page: ReturnType<typeof sessions.list> | undefined;
    const executed = executedBy(db, () => {
      page = sessions.list(filter, 50, null);
      expect(page.totalCount()).toBe(0);
    });
    expect(page!.edges).toEqual([]);
    // One count for each errcode of a list.
    expect(executed.length).toBeGreaterThan(0);
    expect(executed.map((statement) => statement.sql)).toEqual(executed.map(() => expect.stringMatching(/^SELECT coalesce\(sum\(count\), 0\) FROM session_counts WHERE /)));
    expect(sessions.list({ errcode: 7, domain: 'other.example.com' }, 50, null).edges.map((edge) => edge.row.sequence)).toEqual(['3']);
  });

  // A list of errcodes beside a domain walked every session of those errcodes to count them: 1.7 s of the main thread for
  // four errcodes of a third of a million sessions.
  it.each<[string, SessionListFilter, number]>([
    ['errcodes', { errcodes: [7, 99, 7] }, 1],
    ['errcodes beside a domain, an app name and a status', { errcodes: [7, 99], domain: 'other.example.com', appName: 'live', status: 'ENDED' }, 1],
    ['errcodes beside an errcode among them', { errcodes: [7, 99], errcode: 7 }, 1],
    ['errcodes beside an errcode not among them', { errcodes: [99], errcode: 7 }, 0],
  ])('counts the sessions of %s from the kept counts alone', (_name, filter, total) => {
    const executed = executedBy(db, () => expect(sessions.list(filter, 0, null).totalCount()).toBe(total));
    expect(executed.filter((statement) => /^SELECT count\(\*\) FROM sessions/.test(statement.sql))).toEqual([]);
  });

  it('lists as before when the other filters\' values are there: looked up, then listed', () => {
    const executed = executedBy(db, () => expect(sessions.list({ status: 'ENDED', appName: 'live', domain: 'push.example.com' }, 50, null).edges.map((e) => e.row.sequence)).toEqual(['2']));
    const kinds = executed.map((statement) => (isKeptCount(statement) ? 'counts' : isValueCheck(statement) ? 'look-up' : 'page'));
    expect(kinds.sort()).toEqual(['counts', 'look-up', 'page']);
  });

  // With a time range beside them, the sessions of a domain, app or status are counted along an index, never a row read each:
  // a row lookup per session held the service ~0.25 s (a domain's LIVE sessions) to 1.3 s (a domain's app) at 1M sessions.
  it.each<[string, SessionListFilter, RegExp]>([
    ['a domain', { domain: 'push.example.com', pushedFrom: 0 }, /^SEARCH sessions USING COVERING INDEX sessions_by_domain \(domain=\? AND session_at>\?\)$/],
    ['a domain and status', { domain: 'push.example.com', status: 'ENDED', pushedFrom: 0 }, /^SEARCH sessions USING COVERING INDEX sessions_by_domain_status \(domain=\? AND status=\? AND session_at>\?\)$/],
    ['a domain and app', { domain: 'push.example.com', appName: 'live', pushedFrom: 0 }, /^SEARCH sessions USING COVERING INDEX sessions_by_domain \(domain=\? AND session_at>\?\)$/],
    ['a domain, app and status', { domain: 'push.example.com', appName: 'live', status: 'ENDED', pushedFrom: 0 }, /^SEARCH sessions USING COVERING INDEX sessions_by_domain_status \(domain=\? AND status=\? AND session_at>\?\)$/],
    ['a status and app', { status: 'ENDED', appName: 'live', pushedFrom: 0 }, /^SEARCH sessions USING COVERING INDEX sessions_by_status \(status=\? AND session_at>\?\)$/],
    // An errcode's: 1.7-2 s of the main thread beside a domain, an app name or a status, at a few hundred thousand sessions.
    ['an errcode and domain', { errcode: 7, domain: 'other.example.com', pushedFrom: 0 }, /^SEARCH sessions USING COVERING INDEX sessions_by_errcode \(errcode=\? AND session_at>\?\)$/],
    ['an errcode, status and app', { errcode: 7, status: 'ENDED', appName: 'live', pushedFrom: 0 }, /^SEARCH sessions USING COVERING INDEX sessions_by_errcode \(errcode=\? AND session_at>\?\)$/],
  ])('counts the sessions of %s in a time range from an index alone', (_name, filter, plan) => {
    const { totalCount } = sessions.list(filter, 1, null);
    expectIndexedPlan(planOf(db, () => totalCount()), plan);
  });

  it('counts the sessions of a list of errcodes and a domain in a time range from an index alone', () => {
    const { totalCount } = sessions.list({ errcodes: [7, 8], domain: 'other.example.com', pushedFrom: 0 }, 1, null);
    expectIndexedPlan(
      planOf(db, () => totalCount()),
      /^SEARCH sessions USING COVERING INDEX sessions_by_errcode \(errcode=\? AND session_at>\?\)$/,
      /^LIST SUBQUERY 1$/,
      /^SCAN json_each VIRTUAL TABLE INDEX 1:$/,
    );
  });

  it('finds a relay task by id through its primary key, and its matched exits in order', () => {
    expectIndexedPlan(planOf(db, () => relayTasks.byTaskId('t')), /^SEARCH relay_tasks USING INDEX sqlite_autoindex_relay_tasks_1 \(task_id=\?\)$/);
    expectIndexedPlan(planOf(db, () => relayTasks.exitsOfTask('t')), /^SEARCH relay_exits USING INDEX relay_exits_by_task \(task_id=\?\)$/);
  });

  it.each<[string, RelayTaskListFilter, string]>([
    ['no filter', {}, 'relay_tasks_by_time'],
    ['exitCode', { exitCode: -22 }, 'relay_tasks_by_exit_code'],
    ['status', { status: 'EXITED' }, 'relay_tasks_by_status'],
    ['streamId', { streamId: 'relay_1' }, 'relay_tasks_by_stream'],
    ['exitCode and status', { exitCode: -22, status: 'EXITED' }, 'relay_tasks_by_exit_code'],
    ['when they started', { startedFrom: 0, startedTo: 5000 }, 'relay_tasks_by_time'],
  ])('lists relay tasks by %s along an index, first page and next', (_name, filter, index) => {
    expectIndexedPlan(pagePlanOf(db, () => relayTasks.list(filter, 50, null)), new RegExp(`^(SCAN|SEARCH) relay_tasks USING INDEX ${index}( \\(|$)`));
    expectIndexedPlan(
      pagePlanOf(db, () => relayTasks.list(filter, 50, taskCursor)),
      new RegExp(`^SEARCH relay_tasks USING INDEX ${index} \\(.*\\(last_event_at,task_id\\)<\\(\\?,\\?\\)\\)$`),
    );
  });

  it.each<[string, { type?: string; stream?: string }, RegExp]>([
    // callback_log's rowid is the position: reading the table backwards is reading it newest first.
    ['no filter', {}, /^(SCAN c|SEARCH c USING INTEGER PRIMARY KEY \(rowid<\?\))$/],
    ['type', { type: 'StreamPushed' }, /^SEARCH c USING INDEX callback_log_by_type \(type=\?/],
    ['stream', { stream: 'session-1' }, /^SEARCH c USING INDEX callback_log_by_stream \(stream=\?/],
    ['type and stream', { type: 'StreamPushed', stream: 'session-1' }, /^SEARCH c USING INDEX callback_log_by_stream \(stream=\?/],
  ])('lists the callback log by %s in position order without sorting', (_name, filter, uses) => {
    expectIndexedPlan(pagePlanOf(db, () => callbacks.list(filter, 50, null)), uses);
    expectIndexedPlan(pagePlanOf(db, () => callbacks.list(filter, 50, callbackCursor)), uses);
  });

  // started is not the listing's order: a range of it read every task's row, 130 ms at 100,000 tasks.
  it.each<[string, RelayTaskListFilter, RegExp]>([
    ['when they started', { startedFrom: 0, startedTo: 5000 }, /^SCAN relay_tasks USING COVERING INDEX relay_tasks_by_time$/],
    ['status and when they started', { status: 'EXITED', startedFrom: 0 }, /^SEARCH relay_tasks USING COVERING INDEX relay_tasks_by_status \(status=\?\)$/],
    // 60-80 ms of the main thread for an exit code's 18,753 tasks, a row read each.
    ['exit code and status', { exitCode: -22, status: 'EXITED' }, /^SEARCH relay_tasks USING COVERING INDEX relay_tasks_by_exit_code \(exit_code=\?\)$/],
    ['exit code, status and when they started', { exitCode: -22, status: 'EXITED', startedFrom: 0 }, /^SEARCH relay_tasks USING COVERING INDEX relay_tasks_by_exit_code \(exit_code=\?\)$/],
  ])('counts relay tasks by %s from an index alone', (_name, filter, plan) => {
    const { totalCount } = relayTasks.list(filter, 1, null);
    expectIndexedPlan(planOf(db, () => totalCount()), plan);
  });

  // A million sessions along an index took 30 ms of the main thread, a domain's 36-50 ms: without another filter, every session, or
  // those of a domain, an app name or a status, are counted from the counts kept by domain, app name and status.
  it.each<[string, SessionListFilter]>([
    ['every session', {}],
    ['a status', { status: 'ENDED' }],
    ['a domain', { domain: 'push.example.com' }],
    ['a domain and status', { domain: 'push.example.com', status: 'ENDED' }],
    ['an app name', { appName: 'live' }],
    ['a domain, app name and status', { domain: 'push.example.com', appName: 'live', status: 'ENDED' }],
    ['an errcode', { errcode: 7 }],
    ['a domain and an errcode', { domain: 'other.example.com', errcode: 7 }],
  ])('counts %s from the kept counts, as many as the rows', (_name, filter) => {
    let counted = 0;
    // Read once: for the total, or already for the page when two or more counted filters are given.
    const executed = executedBy(db, () => (counted = sessions.list(filter, 0, null).totalCount()));
    expect(executed.filter((statement) => statement.sql.startsWith('SELECT count(*)'))).toEqual([]);
    const keptCounts = executed.filter(isKeptCount);
    expect(keptCounts).toHaveLength(1);
    expectIndexedPlan(planOfStatement(db, keptCounts[0]!), /^SCAN session_counts$/);
    expect(counted).toBe(sessions.list({ ...filter, pushedFrom: 0 }, 0, null).totalCount());
    expect(counted).toBeGreaterThan(0);
  });

  // Millions of callbacks along an index took 50-70 ms of the main thread; without a stream, the counts kept by type answer.
  it.each<[string, { type?: string; stream?: string }, RegExp]>([
    ['every callback', {}, /^SCAN callback_counts$/],
    ['a type', { type: 'StreamPushed' }, /^SEARCH callback_counts USING PRIMARY KEY \(type=\?\)$/],
    ['a stream', { stream: 'session-1' }, /^SEARCH c USING COVERING INDEX callback_log_by_stream \(stream=\?\)$/],
  ])('counts %s of the callback log', (_name, filter, plan) => {
    const page = callbacks.list(filter, 0, null);
    let counted = 0;
    expectIndexedPlan(planOf(db, () => (counted = page.totalCount())), plan);
    expect(counted).toBe(1);
  });

  it('lists slow relay starts and restarting tasks along their partial indexes, newest first', () => {
    expectIndexedPlan(planOf(db, () => relayTasks.slowStarts({}, 2000, 10_000, 50, null)), /^SCAN relay_tasks USING INDEX relay_tasks_file_timed$/);
    expectIndexedPlan(planOf(db, () => relayTasks.restarting({ domain: 'a' }, 2, 50, null)), /^SCAN relay_tasks USING INDEX relay_tasks_restarted$/);
  });

  // The dashboard asks for both counts every few seconds: a row lookup per task counted held the service ~0.1 s each at 100,000 tasks.
  it.each<[string, (page: typeof relayTasks) => () => number, string]>([
    ['slow relay starts', (page) => page.slowStarts({}, 2000, 10_000, 3, null).totalCount, 'relay_tasks_file_timed'],
    ['slow relay starts in a domain', (page) => page.slowStarts({ domain: 'a' }, 2000, 10_000, 3, null).totalCount, 'relay_tasks_file_timed'],
    ['restarting tasks', (page) => page.restarting({}, 2, 3, null).totalCount, 'relay_tasks_restarted'],
    ['restarting tasks in a domain', (page) => page.restarting({ domain: 'a' }, 2, 3, null).totalCount, 'relay_tasks_restarted'],
  ])('counts %s from their partial index alone', (_name, counted, index) => {
    const totalCount = counted(relayTasks);
    expectIndexedPlan(planOf(db, () => totalCount()), new RegExp(`^SCAN relay_tasks USING COVERING INDEX ${index}$`));
  });

  it.each<[string, InterruptionListFilter, string]>([
    ['no filter', {}, 'insight_interruptions_listed'],
    ['cause', { side: 'CUSTOMER' }, 'insight_interruptions_by_side'],
    ['domain and time', { domain: 'a', from: 1, to: 2 }, 'insight_interruptions_by_domain'],
  ])('lists interruptions by %s along an index', (_name, filter, index) => {
    const insights = insightQueries(db);
    expectIndexedPlan(pagePlanOf(db, () => insights.interruptions(filter, 50, null)), new RegExp(`^(SCAN|SEARCH) s USING INDEX ${index}( \\(|$)`));
  });

  // Every interruption along an index took 40 ms of the main thread at 900,000, a domain's 23-32 ms: without a time range,
  // the counts kept by domain and side answer.
  it.each<[string, InterruptionListFilter]>([
    ['every interruption', {}],
    ['a cause', { side: 'CUSTOMER' }],
    ['a domain', { domain: 'a' }],
  ])('counts %s from the counts kept by domain and side', (_name, filter) => {
    const page = insightQueries(db).interruptions(filter, 0, null);
    expectIndexedPlan(planOf(db, () => page.totalCount()), /^SCAN insight_interruption_counts$/);
  });

  // A domain's interruptions by cause over a time range were counted a row read each: a second of the main thread at 150,000.
  it('counts a domain\'s interruptions by cause over a time range from its index alone', () => {
    db.exec(`INSERT OR IGNORE INTO insight_sessions (sequence, domain, status, session_at, interrupted_at, side, state) VALUES ('i1', 'a', 'ENDED', 1, 2, 'CUSTOMER', '{}')`);
    const page = insightQueries(db).interruptions({ domain: 'a', side: 'CUSTOMER', from: 1 }, 0, null);
    expectIndexedPlan(planOf(db, () => page.totalCount()), /^SEARCH s USING COVERING INDEX insight_interruptions_by_domain \(domain=\? AND interrupted_at>\?\)$/);
  });

  it('reads stale live sessions from the live ones alone, and interruption statistics from one covering index', () => {
    const insights = insightQueries(db);
    const stale = planOf(db, () => insights.staleLiveSessions({ pushedBefore: 1, silentBefore: 2 }, 50, null));
    expect(stale[0]).toMatch(/^(SCAN|SEARCH) s USING INDEX insight_live_sessions( \(|$)/);
    expect(stale.join('\n')).not.toMatch(/TEMP B-TREE/);
    // Within a domain too: in push order, not the domain's LIVE sessions sorted afresh.
    for (const filter of [{ domain: 'a' }, { domain: 'a', pushedBefore: 1, silentBefore: 2 }]) {
      const inDomain = planOf(db, () => insights.staleLiveSessions(filter, 50, null));
      expect(inDomain[0]).toMatch(/^(SCAN|SEARCH) s USING INDEX insight_live_sessions( \(|$)/);
      expect(inDomain.join('\n')).not.toMatch(/TEMP B-TREE/);
    }
    // The stream's newer pushes, LIVE or ended, each along a partial index by stream.
    expect(stale.filter((step) => / n /.test(step))).toEqual([
      expect.stringMatching(/^SEARCH n USING COVERING INDEX insight_live_streams \(domain=\? AND stream_id=\? AND session_at>\?\)$/),
      expect.stringMatching(/^SEARCH n USING COVERING INDEX insight_interruptions_by_stream \(stream_id=\? AND domain=\? AND session_at>\?\)$/),
    ]);
    // Their count: the LIVE sessions pushed before the bounds along a covering index, less those of the streams seen since.
    for (const [filter, live, seen] of [
      [{ pushedBefore: 1, silentBefore: 2 }, 'insight_live_sessions \\(session_at<\\?\\)', 'insight_live_by_stream \\(stream_id=\\?\\)'],
      [{ domain: 'a', pushedBefore: 1, silentBefore: 2 }, 'insight_live_streams \\(domain=\\?\\)', 'insight_live_streams \\(domain=\\? AND stream_id=\\? AND session_at<\\?\\)'],
    ] as const) {
      const page = insights.staleLiveSessions(filter, 50, null);
      const [all, sinceSeen] = executedBy(db, () => page.totalCount()).map((statement) => planOfStatement(db, statement));
      expectIndexedPlan(all!, new RegExp(`^SEARCH s USING COVERING INDEX ${live}$`));
      expect(sinceSeen!.slice(0, 3)).toEqual([
        expect.stringMatching(new RegExp(`^SEARCH s USING (COVERING )?INDEX ${seen}$`)),
        'LIST SUBQUERY 1',
        'SEARCH insight_stream_signs USING COVERING INDEX insight_stream_signs_by_time (last_sign_at>?)',
      ]);
    }
    const [reads, counts] = readsThenCounts(db, () => insights.interruptionStats(1, 2, 'ERRCODE', null));
    expect(reads).toHaveLength(1);
    expectIndexedPlan(reads[0]!, /^SEARCH insight_sessions USING COVERING INDEX insight_interruptions_by_time \(interrupted_at>\? AND interrupted_at<\?\)$/);
    // Counting what the rest of the cut hour holds (nothing here): along a covering index of the interruptions too.
    expect(counts.length).toBeGreaterThan(0);
    for (const count of counts) expectIndexedPlan(count, ...countedAlong('insight_interruptions_(by_time|listed) \\(interrupted_at>\\? AND interrupted_at<\\?\\)'));
    expectIndexedPlan(planOf(db, () => insights.relayExitStats(1, 2)), /^SEARCH insight_relay_exits USING COVERING INDEX insight_relay_exits_by_time/);
    // Over days, their cells along the primary key as well.
    const exitReads = executedBy(db, () => insights.relayExitStats(1, 3 * 86_400_000 + 1)).map((statement) => planOfStatement(db, statement));
    expect(exitReads.some((plan) => /^SEARCH insight_relay_exit_rollups USING PRIMARY KEY \(period=\? AND start>\? AND start<\?\)/.test(plan[0] ?? ''))).toBe(true);
    for (const plan of exitReads) expectIndexedPlan(plan, /^SEARCH insight_relay_exit(s USING COVERING INDEX insight_relay_exits_by_time|_rollups USING PRIMARY KEY) /);
  });

  it('reads the whole hours and days of interruption statistics from the rollups along their primary key', () => {
    const insights = insightQueries(db);
    // From one hour before a day to one hour after the next: an hour cell, the day cells, an hour cell.
    const rollups = /^SEARCH insight_interruption_rollups USING INDEX sqlite_autoindex_insight_interruption_rollups_1 \(period=\? AND dimension=\? AND scope=\? AND \(start,key\)>\(\?,\?\) AND start<\?\)$/;
    const plans = executedBy(db, () => insights.interruptionStats(23 * 3_600_000, 49 * 3_600_000, 'NODE', null)).map((statement) => planOfStatement(db, statement));
    expect(plans).toHaveLength(3);
    for (const plan of plans) expectIndexedPlan(plan, rollups);
    // Within one domain by node: the day cells, and the partial days from that domain's interruptions along its covering index.
    const byDomain = /^SEARCH insight_sessions USING COVERING INDEX insight_interruptions_by_domain \(domain=\? AND interrupted_at>\? AND interrupted_at<\?\)$/;
    const [reads, counts] = readsThenCounts(db, () => insights.interruptionStats(23 * 3_600_000, 49 * 3_600_000, 'NODE', 'a'));
    expect(reads).toHaveLength(3);
    expectIndexedPlan(reads[0]!, byDomain);
    expectIndexedPlan(reads[1]!, byDomain);
    expectIndexedPlan(reads[2]!, rollups);
    for (const count of counts) expectIndexedPlan(count, ...countedAlong('insight_interruptions_by_domain \\(domain=\\? AND interrupted_at>\\? AND interrupted_at<\\?\\)'));
  });

  it('reads many whole days of interruption statistics from the running totals along their primary key', () => {
    const insights = insightQueries(db);
    // Ten days and two hours by node: the two hour cells, and the running totals of the days' nodes.
    const plans = executedBy(db, () => insights.interruptionStats(23 * 3_600_000, 241 * 3_600_000, 'NODE', null)).map((statement) => planOfStatement(db, statement));
    const rollups = /^SEARCH insight_interruption_rollups USING INDEX sqlite_autoindex_insight_interruption_rollups_1 \(period=\? AND dimension=\? AND scope=\? AND \(start,key\)>\(\?,\?\) AND start<\?\)$/;
    // The nodes one step each along the totals' primary key from the first of a slice, and each one's latest total at or before each bound.
    const totals = [
      /^CO-ROUTINE keys$/,
      /^SETUP$/,
      /^SCAN CONSTANT ROW$/,
      /^SCALAR SUBQUERY \d+$/,
      /^SEARCH insight_interruption_totals USING COVERING INDEX sqlite_autoindex_insight_interruption_totals_1 \(dimension=\? AND scope=\? AND key>\?\)$/,
      /^RECURSIVE STEP$/,
      /^SCAN keys$/,
      /^CORRELATED SCALAR SUBQUERY \d+$/,
    ];
    const alongKey = (step: string) => /^SEARCH insight_interruption_totals USING COVERING INDEX sqlite_autoindex_insight_interruption_totals_1 \(dimension=\? AND scope=\? AND key[>=]\?( AND start<\?)?\)$/.test(step);
    const readsTotals = (plan: string[]) => plan.join('\n').includes('insight_interruption_totals');
    const [fromTotals, fromCells] = [plans.filter(readsTotals), plans.filter((plan) => !readsTotals(plan))];
    expect([fromTotals.length, fromCells.length]).toEqual([1, 2]);
    expect(fromTotals[0]!.join('\n')).not.toMatch(/TEMP B-TREE/);
    expect(fromTotals[0]!.slice(0, totals.length)).toEqual(totals.map((step) => expect.stringMatching(step)));
    const seeks = fromTotals[0]!.filter((step) => step.startsWith('SEARCH')).slice(1);
    expect(seeks).toHaveLength(3);
    expect(seeks.every(alongKey)).toBe(true);
    for (const plan of fromCells) expectIndexedPlan(plan, rollups);
  });

  it('ranks the nodes of a statistic by node with `first` from the node cells by count, each counted along its own index', () => {
    const insights = insightQueries(db);
    db.exec(`INSERT OR IGNORE INTO insight_interruption_rollups (period, dimension, scope, start, key, count, histogram) VALUES ('DAY', 'NODE', '', ${24 * 3_600_000}, 'n1', 1, x''), ('DAY', 'NODE', 'a', ${24 * 3_600_000}, 'n1', 1, x'')`);
    db.exec(`INSERT OR IGNORE INTO insight_sessions (sequence, node, domain, status, session_at, interrupted_at, state) VALUES ('n1', 'n1', 'a', 'ENDED', 1, ${30 * 3_600_000}, '{}')`);
    // From one hour before a day to one hour after the next: the days that hold cells by node found along the rollups'
    // primary key (the day, then none after it), the day's cells (the days on either side hold none), then the node met
    // counted, then its bucket from its own cells (one hour's, the day's, one hour's) along the rollups' primary key.
    const daysWithCells = /^SEARCH insight_interruption_rollups USING COVERING INDEX sqlite_autoindex_insight_interruption_rollups_1 \(period=\? AND dimension=\? AND scope=\? AND start>\? AND start<\?\)$/;
    const cells = /^SEARCH insight_interruption_rollups USING COVERING INDEX insight_node_cells_by_count \(period=\? AND scope=\? AND start=\?\)$/;
    const alongNode = /^SEARCH insight_sessions USING COVERING INDEX insight_interruptions_by_node \(node=\? AND interrupted_at>\? AND interrupted_at<\?\)$/;
    const itsCell = /^SEARCH insight_interruption_rollups USING INDEX sqlite_autoindex_insight_interruption_rollups_1 \(period=\? AND dimension=\? AND scope=\? AND start=\? AND key=\?\)$/;
    for (const domain of [null, 'a']) {
      const statements = executedBy(db, () => expect(insights.interruptionStats(23 * 3_600_000, 49 * 3_600_000, 'NODE', domain, 5)).toHaveLength(1));
      const isDayLookup = (sql: string) => sql.includes("period = 'DAY' AND scope = +? AND start >= ?");
      const dayLookups = statements.filter((statement) => isDayLookup(statement.sql)).map((statement) => planOfStatement(db, statement));
      expect(dayLookups).toHaveLength(2);
      for (const plan of dayLookups) expectIndexedPlan(plan, daysWithCells);
      const plans = statements.filter((statement) => !isDayLookup(statement.sql)).map((statement) => planOfStatement(db, statement));
      expectIndexedPlan(plans[0]!, cells);
      expectIndexedPlan(plans[1]!, alongNode, /^LIST SUBQUERY 1$/, /^SCAN json_each VIRTUAL TABLE INDEX \d+:/);
      // Within one domain, which keeps no hour cells by node, the partial days are the node's interruptions (the plan
      // counted the domain's on each side of a cut first, as every statistic's plan does).
      const [counts, bucketReads] = [plans.slice(2).filter((plan) => plan[0] === 'CO-ROUTINE (subquery-1)'), plans.slice(2).filter((plan) => plan[0] !== 'CO-ROUTINE (subquery-1)')];
      expect(bucketReads).toHaveLength(3);
      if (domain === null) for (const plan of bucketReads) expectIndexedPlan(plan, itsCell);
      else [alongNode, alongNode, itsCell].forEach((step, i) => expectIndexedPlan(bucketReads[i]!, step));
      for (const count of counts) expectIndexedPlan(count, ...countedAlong('insight_interruptions_by_domain \\(domain=\\? AND interrupted_at>\\? AND interrupted_at<\\?\\)'));
    }
    // A range cut inside hours reads the node's interruptions of the cut parts along its index too.
    const cut = executedBy(db, () => insights.interruptionStats(23.5 * 3_600_000, 48.5 * 3_600_000, 'NODE', null, 5))
      .filter((statement) => statement.sql.includes('push_duration_ms FROM insight_sessions WHERE node IS'))
      .map((statement) => planOfStatement(db, statement));
    expect(cut.length).toBeGreaterThan(0);
    for (const plan of cut) expectIndexedPlan(plan, alongNode);
  });

  it('counts every node of a statistic by node with `first` it does not rank from its hours along the index by count, and its cut hours along the index by time', () => {
    const insights = insightQueries(db);
    db.exec(`INSERT OR IGNORE INTO insight_interruption_rollups (period, dimension, scope, start, key, count, histogram) VALUES ('HOUR', 'NODE', '', ${25 * 3_600_000}, 'n1', 1, x'')`);
    db.exec(`INSERT OR IGNORE INTO insight_node_hour_changes (start, changes) VALUES (${24 * 3_600_000}, 1), (${25 * 3_600_000}, 1), (${26 * 3_600_000}, 1)`);
    // From 23:30 to 02:30 the next day: cut inside its hours, so not ranked. The third time, the cut hours are read whole.
    const statements = [1, 2, 3].flatMap(() => executedBy(db, () => insights.interruptionStats(23.5 * 3_600_000, 26.5 * 3_600_000, 'NODE', null, 5)));
    const reads = (start: string) => statements.filter((statement) => statement.sql.startsWith(start)).map((statement) => planOfStatement(db, statement));
    const hours = reads("SELECT count, key FROM insight_interruption_rollups WHERE dimension = 'NODE' AND period = 'HOUR'");
    // Each hour once: the second and third times it is kept.
    expect(hours).toHaveLength(2);
    for (const plan of hours) expectIndexedPlan(plan, /^SEARCH insight_interruption_rollups USING COVERING INDEX insight_node_cells_by_count \(period=\? AND scope=\? AND start=\?\)$/);
    const cutParts = [...reads('SELECT node FROM insight_sessions'), ...reads('SELECT interrupted_at, node FROM insight_sessions')];
    expect(cutParts.length).toBeGreaterThanOrEqual(4);
    for (const plan of cutParts) expectIndexedPlan(plan, /^SEARCH insight_sessions USING COVERING INDEX insight_interruptions_by_time \(interrupted_at>\? AND interrupted_at<\?\)$/);
    for (const plan of reads('SELECT start, changes FROM insight_node_hour_changes')) expectIndexedPlan(plan, /^SEARCH insight_node_hour_changes USING PRIMARY KEY \(start>\? AND start<\?\)$/);
    // A change of a kept hour whose cells are listed: those cells alone, each one step along the cells' key.
    db.exec(`UPDATE insight_node_hour_changes SET changes = 2 WHERE start = ${25 * 3_600_000}`);
    db.exec(`INSERT OR IGNORE INTO insight_node_cell_changes (start, changes, keys) VALUES (${25 * 3_600_000}, 2, '["n1"]')`);
    const changed = executedBy(db, () => insights.interruptionStats(23.5 * 3_600_000, 26.5 * 3_600_000, 'NODE', null, 5));
    const changedReads = (start: string) => changed.filter((statement) => statement.sql.startsWith(start)).map((statement) => planOfStatement(db, statement));
    expect(changedReads("SELECT count, key FROM insight_interruption_rollups WHERE dimension = 'NODE' AND period = 'HOUR'")).toEqual([]);
    const listings = [...changedReads('SELECT min(changes) FROM insight_node_cell_changes'), ...changedReads('SELECT keys FROM insight_node_cell_changes')];
    expect(listings).toHaveLength(2);
    for (const plan of listings) expectIndexedPlan(plan, /^SEARCH insight_node_cell_changes USING PRIMARY KEY \(start=\?( AND changes>\?)?\)$/);
    const cellCounts = changedReads("SELECT count FROM insight_interruption_rollups WHERE period = 'HOUR'");
    expect(cellCounts).toHaveLength(1);
    expectIndexedPlan(cellCounts[0]!, /^SEARCH insight_interruption_rollups USING INDEX sqlite_autoindex_insight_interruption_rollups_1 \(period=\? AND dimension=\? AND scope=\? AND start=\? AND key=\?\)$/);
    // No page of the cells' rows: those of the nodes answered are read one by one.
    expect(statements.filter((statement) => /^SELECT start, key, count\b/.test(statement.sql))).toEqual([]);
  });

  it('reads only the counts of the node cells, along their index by count, for a statistic by node with `first` it does not rank in a file of version 14', () => {
    // A file of version 14 counts no hour's changes: every node's cells of the range are read.
    db.exec('ALTER TABLE insight_node_hour_changes RENAME TO version_15_only');
    const insights = insightQueries(db);
    db.exec('ALTER TABLE version_15_only RENAME TO insight_node_hour_changes');
    db.exec(`INSERT OR IGNORE INTO insight_interruption_rollups (period, dimension, scope, start, key, count, histogram) VALUES ('HOUR', 'NODE', '', ${25 * 3_600_000}, 'n1', 1, x'')`);
    // From 23:30 to 02:30 the next day: cut inside its hours, so not ranked; its whole hours' cells are read, every node's.
    const statements = executedBy(db, () => insights.interruptionStats(23.5 * 3_600_000, 26.5 * 3_600_000, 'NODE', null, 5));
    const countsRead = statements.filter((statement) => statement.sql.startsWith("SELECT start, count, key FROM insight_interruption_rollups WHERE dimension = 'NODE'"));
    expect(countsRead.length).toBeGreaterThan(0);
    const byCount = /^SEARCH insight_interruption_rollups USING COVERING INDEX insight_node_cells_by_count \(period=\? AND scope=\? AND start>\? AND start<\?\)$/;
    for (const statement of countsRead) expectIndexedPlan(planOfStatement(db, statement), byCount);
    // No page of the cells' rows: those of the nodes answered are read one by one.
    expect(statements.filter((statement) => /^SELECT start, key, count\b/.test(statement.sql))).toEqual([]);
  });

  it('finds flapping streams among the interruptions of their range in the covering index alone', () => {
    const insights = insightQueries(db);
    const executed = executedBy(db, () => insights.flappingStreams({ minInterruptions: 3, withinMs: 600_000, from: 1, to: 2, domain: null }, 50, null));
    const reads = executed.flatMap((statement) => planOfStatement(db, statement)).filter((step) => step.includes('insight_sessions'));
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read).toMatch(/^SEARCH insight_sessions USING COVERING INDEX insight_interruptions_by_time \(interrupted_at>\? AND interrupted_at<\?\)$/);
    // A stream found is counted along its own interruptions, not those of the range by time or by domain.
    for (const at of [1_000, 2_000, 3_000]) {
      db.exec(`INSERT OR IGNORE INTO insight_sessions (sequence, stream_id, domain, status, session_at, interrupted_at, state) VALUES ('f${at}', 'flaps', 'a', 'ENDED', ${at - 1}, ${at}, '{}')`);
    }
    const found = executedBy(db, () => expect(insights.flappingStreams({ minInterruptions: 3, withinMs: 600_000, from: 1, to: 10_000, domain: null }, 50, null).edges).toHaveLength(1));
    const counts = found.filter((statement) => statement.sql.startsWith('SELECT count(*)'));
    expect(counts).toHaveLength(1);
    expectIndexedPlan(planOfStatement(db, counts[0]!), /^SEARCH insight_sessions USING COVERING INDEX insight_interruptions_by_stream \(stream_id=\? AND domain=\?\)$/);
  });

  it('lists unmatched exits along their partial index, each row holding its callback', () => {
    const plan = planOf(db, () => relayTasks.unmatchedRelayExits(50, null));
    expectIndexedPlan(plan, /^SCAN e USING INDEX relay_exits_unmatched$/);
  });

  it('counts callbacks per minute from callback_log_by_type_time alone, and finds the last position at the end of the rowid B-tree', () => {
    const executed = executedBy(db, () => activityQueries(db).perMinute(60));
    expect(executed.map((statement) => planOfStatement(db, statement))).toEqual([
      // The GROUP BY's temp B-tree holds one row per minute and type (120 at most here), not one per callback.
      [expect.stringMatching(/^SEARCH callback_log USING COVERING INDEX callback_log_by_type_time \(type=\? AND received_at>\?\)$/), 'USE TEMP B-TREE FOR GROUP BY'],
      ['SEARCH callback_log'],
    ]);
  });

  it('counts only when totalCount() is called, once per page', () => {
    let page!: ReturnType<typeof sessions.list>;
    const listing = executedBy(db, () => {
      page = sessions.list({ streamId: 'cam' }, 10, null);
    });
    expect(listing.map((e) => e.sql)).toEqual([expect.not.stringContaining('count(')]);
    const counting = executedBy(db, () => {
      expect(page.totalCount()).toBe(0);
      expect(page.totalCount()).toBe(0);
    });
    expect(counting.map((e) => e.sql)).toEqual([expect.stringMatching(/^SELECT count\(\*\) FROM sessions WHERE stream_id = \+@streamId$/)]);
  });

  it.each<[string, () => void]>([
    ['relay tasks: a status beside an exit code', () => relayTasks.list({ exitCode: -22, status: 'EXITED' }, 5, null)],
    ['callbacks: a type beside a stream', () => callbacks.list({ type: 'StreamPushed', stream: 'session-9' }, 5, null)],
    ['interruptions: a cause beside a domain', () => insightQueries(db).interruptions({ domain: 'a', side: 'CUSTOMER' }, 5, null)],
  ])('looks up the value of a filter that does not choose the index along an index of its own (%s)', (_name, list) => {
    const checks = executedBy(db, list).filter(isValueCheck);
    expect(checks).toHaveLength(1);
    expectIndexedPlan(planOfStatement(db, checks[0]!), /^SEARCH \w+( \w)? USING (COVERING )?INDEX \w+ \(\w+=\?( AND [^()]+)?\)$/);
  });

  it('prepares one statement per filter shape, values bound rather than spliced in', () => {
    const prepare = jest.spyOn(db, 'prepare');
    try {
      expect(sessions.list({ errcode: 7, appName: 'live', pushedTo: 1000 }, 10, null).edges).toHaveLength(1);
      // The kept count of the errcode and app name, the look-up of the app name (the errcode chose the index), the listing.
      expect(prepare).toHaveBeenCalledTimes(3);
      sessions.list({ errcode: 7, appName: "x' OR 1=1 --", pushedTo: 1 }, 10, null);
      sessions.list({ errcode: 8, appName: 'other', pushedTo: 2 }, 10, null);
      expect(sessions.list({ errcode: 7, appName: "'; DROP TABLE sessions; --", pushedTo: 3 }, 10, null).edges).toEqual([]);
      expect(prepare).toHaveBeenCalledTimes(3);
      sessions.list({ appName: 'y', pushedFrom: 4, pushedTo: 5 }, 10, null);
      expect(prepare).toHaveBeenCalledTimes(4);
    } finally {
      prepare.mockRestore();
    }
    expect(sessions.bySequence('1')).not.toBeNull();
  });
});

describe('query plans of the media read models', () => {
  const data = tempDataDir();
  let db: ReadModelDatabase;
  let recordings: ReturnType<typeof recordingQueries>;
  let moderation: ReturnType<typeof moderationQueries>;
  let screenshots: ReturnType<typeof screenshotQueries>;

  beforeAll(() => {
    db = new Database(path.join(data.dir, 'media.db'));
    for (const definition of PROJECTIONS) for (const table of definition.tables) db.exec(table.ddl());
    db.exec(`
      INSERT INTO recording_files (event_id, stream, recording_stream, stream_id, domain, listed_at) VALUES ('r', 'recording-1', 'recording-1', 'cam', 'd', 1000);
      INSERT INTO moderation_hits (event_id, position, kind, stream_id, suggestion, listed_at) VALUES ('m', 3, 'IMAGE', 'cam', 'BLOCK', 1000);
      INSERT INTO screenshots (event_id, stream_id, sequence, listed_at) VALUES ('s', 'cam', '1', 1000);
    `);
    recordings = recordingQueries(db);
    moderation = moderationQueries(db);
    screenshots = screenshotQueries(db);
  });
  afterAll(() => {
    db.close();
    data.remove();
  });

  it.each<[string, RecordingListFilter, string]>([
    ['no filter', {}, 'recording_files_by_time'],
    ['streamId', { streamId: 'cam' }, 'recording_files_by_stream'],
    ['domain and a time range', { domain: 'd', endedFrom: 0, endedTo: 5000 }, 'recording_files_by_domain'],
    ['streamId and domain', { streamId: 'cam', domain: 'd' }, 'recording_files_by_stream'],
  ])('lists recordings by %s along an index, first page and next', (_name, filter, index) => {
    const cursor = recordings.list({}, 1, null).endCursor!;
    expectIndexedPlan(pagePlanOf(db, () => recordings.list(filter, 50, null)), new RegExp(`^(SCAN|SEARCH) recording_files USING INDEX ${index}( \\(|$)`));
    expectIndexedPlan(pagePlanOf(db, () => recordings.list(filter, 50, cursor)), new RegExp(`^SEARCH recording_files USING INDEX ${index} \\(.*\\(listed_at,event_id\\)<\\(\\?,\\?\\)\\)$`));
  });

  it.each<[string, ModerationListFilter, string]>([
    ['no filter', {}, 'moderation_hits_by_time'],
    ['streamId and suggestion', { streamId: 'cam', suggestion: 'BLOCK' }, 'moderation_hits_by_stream'],
    ['suggestion and kind', { suggestion: 'BLOCK', kind: 'IMAGE' }, 'moderation_hits_by_suggestion'],
    ['kind and a time range', { kind: 'AUDIO', from: 0, to: 5000 }, 'moderation_hits_by_kind'],
  ])('lists moderation hits by %s along an index, first page and next', (_name, filter, index) => {
    const cursor = moderation.list({}, 1, null).endCursor!;
    expectIndexedPlan(pagePlanOf(db, () => moderation.list(filter, 50, null)), new RegExp(`^(SCAN|SEARCH) moderation_hits USING INDEX ${index}( \\(|$)`));
    expectIndexedPlan(pagePlanOf(db, () => moderation.list(filter, 50, cursor)), new RegExp(`^SEARCH moderation_hits USING INDEX ${index} \\(.*\\(listed_at,event_id\\)<\\(\\?,\\?\\)\\)$`));
  });

  it("reads a session's files, activity, hits and screenshots along their session index", () => {
    expectIndexedPlan(planOf(db, () => recordings.ofSession('1')), /^SEARCH recording_files USING INDEX recording_files_by_session \(sequence=\?\)$/);
    expectIndexedPlan(planOf(db, () => recordings.activityOfSession('1')), /^SEARCH recording_activity USING INDEX recording_activity_by_session \(sequence=\?\)$/);
    expectIndexedPlan(planOf(db, () => moderation.ofSession('1')), /^SEARCH moderation_hits USING INDEX moderation_hits_by_session \(sequence=\?\)$/);
    expectIndexedPlan(planOf(db, () => screenshots.latestOfSession('1')), /^SEARCH screenshots USING INDEX screenshots_by_session \(sequence=\?\)$/);
    const cursor = screenshots.ofSession('1', 1, null).endCursor!;
    expectIndexedPlan(planOf(db, () => screenshots.ofSession('1', 50, cursor)), /^SEARCH screenshots USING INDEX screenshots_by_session \(sequence=\? AND \(listed_at,event_id\)<\(\?,\?\)\)$/);
  });

  it('ties facts to sessions along indexes: no lookup of the media projections scans a table', () => {
    const place = { app: 'd', appname: 'live', stream_id: 'tied' };
    const arrivals = [
      callback({ event_type: 200, ...place, create_time: 1_700_000_100, pic_full_url: 'http://x/1.jpg' }),
      callback({ event_type: 1, sequence: '8', ...place, event_time: 1_700_000_000 }),
      callback({ event_type: 0, sequence: '8', ...place, event_time: 1_700_000_600, errcode: 1 }),
    ].map((arrival, i) => ({ ...arrival, position: BigInt(i + 1), revision: BigInt(i) }));
    for (const name of ['recordings', 'screenshots', 'moderation'] as const) {
      const projection = READ_MODELS[name].projection.open(db);
      const executed = executedBy(db, () => projection.apply(arrivals));
      expect(executed.length).toBeGreaterThan(0);
      for (const statement of executed) expect(planOfStatement(db, statement).join('\n')).not.toMatch(/^SCAN /m);
    }
  });
});

