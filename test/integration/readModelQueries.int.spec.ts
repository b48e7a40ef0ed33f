// The GraphQL read-model queries against read models the real projector built from real callbacks.
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { InvalidCursorError, type Page } from '../../src/processing/pagination';
import type { ReadModelChange } from '../../src/processing/projectionDefinition';
import { callbackLogQueries, type CallbackLogEntry } from '../../src/readmodels/callbackLog/callbackLog.queries';
import { toProjectedEvent } from '../../src/readmodels/projectedEvent';
import { relayTaskRow, type RelayTaskRow } from '../../src/readmodels/relayTasks/relayTask.reducer';
import { relayTaskQueries, type RelayTaskListFilter } from '../../src/readmodels/relayTasks/relayTasks.queries';
import { relayTaskWrites } from '../../src/readmodels/relayTasks/relayTasks.writes';
import { sessionRow, type SessionRow, type SessionState } from '../../src/readmodels/sessions/session.reducer';
import { sessionQueries, type SessionListFilter } from '../../src/readmodels/sessions/sessions.queries';
import type { RunningService } from '../../src/server';
import { seedExamples } from '../support/seedExamples';
import { postAndProject, useTestService } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';
import { relayCallback } from '../support/callbackBodies';

// ---- oracles: every row, derived from the reducer state the projector saved, filtered and sorted in JS ----

function allSessions(service: RunningService): SessionRow[] {
  const states = service.readModels.database('sessions').prepare('SELECT state FROM sessions').pluck().all() as string[];
  return states.map((state) => sessionRow(JSON.parse(state) as SessionState));
}

function allRelayTasks(service: RunningService): RelayTaskRow[] {
  const db = service.readModels.database('relayTasks');
  const taskIds = db.prepare('SELECT task_id FROM relay_tasks').pluck().all() as string[];
  const table = relayTaskWrites(db);
  return taskIds.map((taskId) => relayTaskRow(table.load(taskId)!));
}

/** Every event the service wrote, as the log should show it, oldest first. */
async function allCallbacks(service: RunningService): Promise<CallbackLogEntry[]> {
  const events: RecordedEvent[] = await service.store.readAll({ maxCount: 1_000_000 });
  return events.flatMap((recorded) => {
    const event = toProjectedEvent(recorded);
    if (event === null) return [];
    const { position, id: eventId, type, stream, receivedAt } = event;
    return [{ position, eventId, type, stream, receivedAt, raw: recorded.data.raw as string }];
  });
}

const descending = <T>(keyOf: (row: T) => [number, string]) => (a: T, b: T): number => {
  const [ta, ia] = keyOf(a);
  const [tb, ib] = keyOf(b);
  if (ta !== tb) return tb - ta;
  return ia < ib ? 1 : ia > ib ? -1 : 0;
};
const newestSessionFirst = descending<SessionRow>((s) => [s.sessionAt, s.sequence]);
const newestTaskFirst = descending<RelayTaskRow>((t) => [t.lastEventAt, t.taskId]);
const newestCallbackFirst = (a: CallbackLogEntry, b: CallbackLogEntry) => (a.position < b.position ? 1 : -1);

function sessionMatches(row: SessionRow, f: SessionListFilter): boolean {
  return (
    (f.streamId === undefined || row.streamId === f.streamId) &&
    (f.domain === undefined || row.domain === f.domain) &&
    (f.appName === undefined || row.appName === f.appName) &&
    (f.status === undefined || row.status === f.status) &&
    (f.errcode === undefined || row.errcode === f.errcode) &&
    (f.errcodes === undefined || (row.errcode !== null && f.errcodes.includes(row.errcode))) &&
    (f.pushedFrom === undefined || row.sessionAt >= f.pushedFrom) &&
    (f.pushedTo === undefined || row.sessionAt < f.pushedTo)
  );
}

function relayTaskMatches(row: RelayTaskRow, f: RelayTaskListFilter): boolean {
  return (
    (f.exitCode === undefined || row.exitCode === f.exitCode) &&
    (f.exitCodes === undefined || (row.exitCode !== null && f.exitCodes.includes(row.exitCode))) &&
    (f.status === undefined || row.status === f.status) &&
    (f.streamId === undefined || row.streamId === f.streamId) &&
    (f.startedFrom === undefined || (row.startedAt !== null && row.startedAt >= f.startedFrom)) &&
    (f.startedTo === undefined || (row.startedAt !== null && row.startedAt < f.startedTo))
  );
}

// ---- walking a listing page by page ----

interface Walk<Row> {
  rows: Row[];
  pages: Array<Page<Row>>;
}

/** Follows endCursor until hasNextPage is false, checking each page's own bookkeeping on the way. */
function walk<Row>(list: (after: string | null) => Page<Row>, first: number, from: string | null = null): Walk<Row> {
  const rows: Row[] = [];
  const pages: Array<Page<Row>> = [];
  let after = from;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = list(after);
    pages.push(page);
    expect(page.edges.length).toBeLessThanOrEqual(first);
    if (page.hasNextPage) expect(page.edges).toHaveLength(first);
    expect(page.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    rows.push(...page.edges.map((edge) => edge.row));
    if (!page.hasNextPage) return { rows, pages };
    after = page.endCursor;
  }
  throw new Error('listing never ended');
}

const mostCommon = <T>(values: T[]): T => {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
};

const cursorOf = (content: unknown): string => Buffer.from(JSON.stringify(content)).toString('base64url');

// ---- the data: seed examples and hand-written callbacks over HTTP, generated traffic straight into the same store ----

const SOURCE = '["http://origin.example/live/queries.m3u8"]\n';
const relay = relayCallback;

/** Bodies as a client would send them, odd spacing and escapes included: the log must give back these exact texts. */
const ODD_PUSH = '{ "event_type" :1,"sequence":"777000001" ,\n\t"stream_id": "raw\\u005ftest", "event_time": 1600000000, "note": "café ☕" }';
const UNRECOGNIZED = '{"event_type": 9999,   "hello": [1, 2.50, "x"], "big": 12345678901234567890}';

describe('read-model queries over a few hundred projected sessions and relay tasks', () => {
  const fixture = useTestService();
  let sessions: ReturnType<typeof sessionQueries>;
  let relayTasks: ReturnType<typeof relayTaskQueries>;
  let callbacks: ReturnType<typeof callbackLogQueries>;
  /** The first raw text posted for each event id (a seed example repeated in two documents is stored once). */
  const postedRaw = new Map<string, string>();
  let seedExitId: string;
  let attachedExit: { eventId: string; position: bigint };
  let attachedStartId: string;
  const changes: ReadModelChange[] = [];

  const post = async (raw: string) => {
    const response = await postAndProject(fixture.service, raw);
    const eventId = response.headers.get('callback-event-id')!;
    if (!postedRaw.has(eventId)) postedRaw.set(eventId, raw);
    return { eventId, position: BigInt(response.headers.get('callback-position') ?? '0') };
  };

  beforeAll(async () => {
    fixture.service.projector.onChanges((batch) => changes.push(...batch));
    sessions = sessionQueries(fixture.service.readModels.database('sessions'));
    relayTasks = relayTaskQueries(fixture.service.readModels.database('relayTasks'));
    callbacks = callbackLogQueries(fixture.service.readModels.database('callbackLog'));

    for (const example of seedExamples()) {
      const { eventId } = await post(example.raw);
      if (example.raw.includes('TaskExit') && !example.raw.includes('"task_id"')) seedExitId = eventId;
    }
    await post(ODD_PUSH);
    await post(UNRECOGNIZED);
    attachedStartId = (await post(JSON.stringify(relay('TaskStart', { task_id: 'Q1', source_urls: SOURCE, msg: '{"task_start_time":0}' })))).eventId;
    for (const orphan of ['a', 'b', 'c']) {
      // Exits of tasks this service never heard of: they wait unmatched.
      const source = `["http://origin.example/live/orphan-${orphan}.m3u8"]\n`;
      await post(JSON.stringify(relay('TaskExit', { source_urls: source, msg: '{"message":"x","code":-5,"task_exit_time":0}' })));
    }
    attachedExit = await post(JSON.stringify(relay('TaskExit', { source_urls: SOURCE, msg: '{"message":"gone","code":-1,"task_exit_time":0}' })));

    const traffic = await appendTraffic(fixture.service.store, { seed: 42, sessions: 400, relayTasks: 150, streams: 12, exitsWithoutTaskId: 0.2 });
    await fixture.service.projector.waitForPosition(traffic.lastPosition);
  }, 60_000);

  describe('sessions', () => {
    it('has a few hundred to list', () => {
      expect(allSessions(fixture.service).length).toBeGreaterThan(400);
    });

    it.each<[string, (rows: SessionRow[]) => SessionListFilter, number]>([
      ['no filter', () => ({}), 17],
      ['streamId', (rows) => ({ streamId: mostCommon(rows.map((r) => r.streamId!)) }), 4],
      ['status LIVE', () => ({ status: 'LIVE' }), 5],
      ['status ENDED', () => ({ status: 'ENDED' }), 23],
      ['errcode', (rows) => ({ errcode: mostCommon(rows.filter((r) => r.errcode !== null).map((r) => r.errcode!)) }), 3],
      ['errcodes', (rows) => ({ errcodes: [...new Set(rows.map((r) => r.errcode).filter((c): c is number => c !== null))].slice(0, 3) }), 6],
      ['domain and appName', () => ({ domain: 'push2.example.com', appName: 'live' }), 9],
      ['streamId and status', (rows) => ({ streamId: mostCommon(rows.map((r) => r.streamId!)), status: 'ENDED' }), 3],
      ['status and errcodes', (rows) => ({ status: 'ENDED', errcodes: [mostCommon(rows.filter((r) => r.errcode !== null).map((r) => r.errcode!))] }), 4],
      [
        'pushedFrom and pushedTo, on existing instants',
        (rows) => {
          const times = rows.map((r) => r.sessionAt).sort((a, b) => a - b);
          return { pushedFrom: times[100]!, pushedTo: times[300]! };
        },
        8,
      ],
    ])('walks every page of %s: the brute-force rows, in order, none twice, none missing', (_name, filterOf, first) => {
      const all = allSessions(fixture.service);
      const filter = filterOf(all);
      const expected = all.filter((row) => sessionMatches(row, filter)).sort(newestSessionFirst);
      expect(expected.length).toBeGreaterThan(first);
      const { rows, pages } = walk((after) => sessions.list(filter, first, after), first);
      expect(rows).toEqual(expected);
      expect(new Set(rows.map((r) => r.sequence)).size).toBe(rows.length);
      for (const page of pages) expect(page.totalCount()).toBe(expected.length);
    });

    it.each<[string, SessionListFilter]>([
      ['an unknown streamId', { streamId: 'no-such-stream' }],
      ['an empty errcodes list', { errcodes: [] }],
      ['an empty time range', { pushedFrom: 1_700_000_000_000, pushedTo: 1_700_000_000_000 }],
    ])('answers %s with one empty page', (_name, filter) => {
      const page = sessions.list(filter, 5, null);
      expect([page.edges, page.hasNextPage, page.endCursor, page.totalCount()]).toEqual([[], false, null, 0]);
    });

    it('continues from any edge cursor, not only endCursor', () => {
      const page = sessions.list({}, 30, null);
      const middle = page.edges[11]!;
      expect(sessions.list({}, 5, middle.cursor).edges.map((e) => e.row)).toEqual(page.edges.slice(12, 17).map((e) => e.row));
    });

    it('finds one session by sequence, mapped back to the row the reducer made', () => {
      const expected = allSessions(fixture.service).find((r) => r.sequence === '777000001');
      expect(expected).toMatchObject({ streamId: 'raw_test', status: 'LIVE', pushedAt: 1_600_000_000_000 });
      expect(sessions.bySequence('777000001')).toEqual(expected);
      expect(sessions.bySequence('no-such-sequence')).toBeNull();
    });
  });

  describe('relay tasks', () => {
    it('has over a hundred to list', () => {
      expect(allRelayTasks(fixture.service).length).toBeGreaterThan(150);
    });

    it.each<[string, (rows: RelayTaskRow[]) => RelayTaskListFilter, number]>([
      ['no filter', () => ({}), 13],
      ['exitCode', () => ({ exitCode: -22 }), 4],
      ['exitCodes', () => ({ exitCodes: [0, -5] }), 7],
      ['status EXITED', () => ({ status: 'EXITED' }), 11],
      ['status RUNNING', () => ({ status: 'RUNNING' }), 1],
      ['streamId', () => ({ streamId: 'testvod' }), 1],
      ['exitCode and status', () => ({ exitCode: -22, status: 'EXITED' }), 6],
      [
        'startedFrom and startedTo, on existing instants',
        (rows) => {
          const times = rows.map((r) => r.startedAt).filter((t): t is number => t !== null).sort((a, b) => a - b);
          return { startedFrom: times[20]!, startedTo: times[90]! };
        },
        9,
      ],
    ])('walks every page of %s: the brute-force rows, in order, none twice, none missing', (_name, filterOf, first) => {
      const all = allRelayTasks(fixture.service);
      const filter = filterOf(all);
      const expected = all.filter((row) => relayTaskMatches(row, filter)).sort(newestTaskFirst);
      expect(expected.length).toBeGreaterThan(first);
      const { rows, pages } = walk((after) => relayTasks.list(filter, first, after), first);
      expect(rows).toEqual(expected);
      expect(new Set(rows.map((r) => r.taskId)).size).toBe(rows.length);
      expect(pages[0]!.totalCount()).toBe(expected.length);
      expect(pages.at(-1)!.totalCount()).toBe(expected.length);
    });

    it('finds one task by id, JSON columns parsed back', () => {
      const expected = allRelayTasks(fixture.service).find((r) => r.taskId === '118145')!;
      expect(expected.files.length).toBeGreaterThan(0);
      expect(relayTasks.byTaskId('118145')).toEqual(expected);
      expect(relayTasks.byTaskId('no-such-task')).toBeNull();
    });

    it("lists a task's matched exits, and its events with them, oldest first and raw as posted", () => {
      const exits = relayTasks.exitsOfTask('Q1');
      expect(exits).toEqual([{ eventId: attachedExit.eventId, stream: expect.stringMatching(/^relayexit-/), position: attachedExit.position }]);
      const events = callbacks.ofStreams(['relaytask-Q1', ...exits.map((e) => e.stream)]);
      expect(events.map((e) => [e.eventId, e.type, e.raw])).toEqual([
        [attachedStartId, 'RelayTaskStarted', postedRaw.get(attachedStartId)],
        [attachedExit.eventId, 'RelayTaskExited', postedRaw.get(attachedExit.eventId)],
      ]);
      expect(relayTasks.exitsOfTask('no-such-task')).toEqual([]);
    });
  });

  describe('callback log', () => {
    it('is newest first, each body exactly as received', async () => {
      const expected = (await allCallbacks(fixture.service)).sort(newestCallbackFirst);
      expect(callbacks.list({}, 5, null).edges.map((e) => e.row)).toEqual(expected.slice(0, 5));
      const { rows, pages } = walk((after) => callbacks.list({}, 97, after), 97);
      expect(rows).toEqual(expected);
      expect(pages[0]!.totalCount()).toBe(expected.length);
      for (const [eventId, raw] of postedRaw) expect(rows.find((r) => r.eventId === eventId)?.raw).toBe(raw);
    });

    it('is announced to change listeners once per callback, in log order', async () => {
      const announced = changes.flatMap((change) => (change.readModel === 'callbackLog' ? [change.change as CallbackLogEntry] : []));
      expect(announced).toEqual(await allCallbacks(fixture.service));
    });

    it('keeps unrecognized callbacks, byte for byte', () => {
      const page = callbacks.list({ type: 'UnrecognizedCallbackReceived' }, 10, null);
      expect(page.edges.map((e) => e.row.raw)).toEqual([UNRECOGNIZED]);
      expect(page.totalCount()).toBe(1);
    });

    it.each<[string, (all: CallbackLogEntry[]) => { type?: string; stream?: string }, number]>([
      ['type', () => ({ type: 'RelayTaskExited' }), 13],
      ['stream', (all) => ({ stream: mostCommon(all.map((e) => e.stream)) }), 2],
      ['type and stream', (all) => ({ type: 'RelayVodFileStarted', stream: mostCommon(all.map((e) => e.stream)) }), 1],
      ['a session stream', () => ({ stream: 'session-777000001' }), 1],
    ])('walks every page filtered by %s', async (_name, filterOf, first) => {
      const all = await allCallbacks(fixture.service);
      const filter = filterOf(all);
      const expected = all
        .filter((e) => (filter.type === undefined || e.type === filter.type) && (filter.stream === undefined || e.stream === filter.stream))
        .sort(newestCallbackFirst);
      expect(expected.length).toBeGreaterThan(0);
      const { rows, pages } = walk((after) => callbacks.list(filter, first, after), first);
      expect(rows).toEqual(expected);
      expect(pages[0]!.totalCount()).toBe(expected.length);
    });

    it('lists the TaskExits no task claims, the seed example among them', async () => {
      const unmatched = new Set(
        fixture.service.readModels.database('relayTasks').prepare('SELECT event_id FROM relay_exits WHERE task_id IS NULL').pluck().all() as string[],
      );
      const expected = (await allCallbacks(fixture.service)).filter((e) => unmatched.has(e.eventId)).sort(newestCallbackFirst);
      expect(expected.length).toBeGreaterThanOrEqual(4);
      const { rows, pages } = walk((after) => relayTasks.unmatchedRelayExits(1, after), 1);
      expect(rows).toEqual(expected);
      expect(pages[0]!.totalCount()).toBe(expected.length);
      expect(rows.find((r) => r.eventId === seedExitId)).toMatchObject({ type: 'RelayTaskExited', raw: postedRaw.get(seedExitId) });
      expect(rows.map((r) => r.eventId)).not.toContain(attachedExit.eventId);
    });

    it("gives a session's events oldest first", () => {
      expect(callbacks.ofStreams(['session-777000001']).map((e) => e.raw)).toEqual([ODD_PUSH]);
      expect(callbacks.ofStreams([])).toEqual([]);
    });
  });

  describe('cursors', () => {
    it('refuse garbage and cursors of another listing', () => {
      const sessionCursor = sessions.list({}, 1, null).endCursor!;
      const taskCursor = relayTasks.list({}, 1, null).endCursor!;
      const callbackCursor = callbacks.list({}, 1, null).endCursor!;
      const unmatchedCursor = relayTasks.unmatchedRelayExits(1, null).endCursor!;
      const refused: Array<[string, () => unknown]> = [
        ['garbage', () => sessions.list({}, 5, 'garbage')],
        ['empty', () => sessions.list({}, 5, '')],
        ['not base64url', () => sessions.list({}, 5, 'a+b/c==')],
        ['padded', () => sessions.list({}, 5, `${sessionCursor}=`)],
        ['not an array', () => sessions.list({}, 5, cursorOf({ sessions: 1 }))],
        ['too short', () => sessions.list({}, 5, cursorOf(['sessions', 1]))],
        ['wrong types', () => sessions.list({}, 5, cursorOf(['sessions', '1', 2]))],
        ['not an integer', () => sessions.list({}, 5, cursorOf(['sessions', 1.5, 'x']))],
        ['a relay-task cursor given to sessions', () => sessions.list({}, 5, taskCursor)],
        ['a session cursor given to relay tasks', () => relayTasks.list({}, 5, sessionCursor)],
        ['a callback cursor given to unmatched exits', () => relayTasks.unmatchedRelayExits(5, callbackCursor)],
        ['an unmatched-exit cursor given to callbacks', () => callbacks.list({}, 5, unmatchedCursor)],
        ['a position past SQLite integers', () => callbacks.list({}, 5, cursorOf(['callbacks', '9223372036854775808']))],
        ['a negative position', () => callbacks.list({}, 5, cursorOf(['callbacks', '-1']))],
      ];
      for (const [name, list] of refused) {
        let error: unknown;
        try {
          list();
        } catch (thrown) {
          error = thrown;
        }
        expect([name, error]).toEqual([name, expect.any(InvalidCursorError)]);
        expect((error as InvalidCursorError).code).toBe('INVALID_CURSOR');
      }
    });

    it('keep meaning "after this row" when rows are added before, after and level with it', async () => {
      const first = sessions.list({}, 10, null);
      const last = first.edges.at(-1)!.row;
      const pushAt = (sequence: string, eventTime: number) =>
        post(JSON.stringify({ event_type: 1, sequence, stream_id: 'late', event_time: eventTime }));
      const level = last.sessionAt / 1000;
      expect(Number.isInteger(level)).toBe(true);
      // Newer than the whole first page, older than everything, and two at the cursor's instant on either side of its sequence.
      await pushAt('888000001', 2_000_000_000);
      await pushAt('888000002', 1_000_000_000);
      await pushAt(`${last.sequence}9`, level);
      await pushAt(last.sequence.slice(0, -1), level);

      const rest = walk((after) => sessions.list({}, 10, after), 10, first.endCursor).rows;
      const before = (row: SessionRow) => row.sessionAt < last.sessionAt || (row.sessionAt === last.sessionAt && row.sequence < last.sequence);
      const expected = allSessions(fixture.service).filter(before).sort(newestSessionFirst);
      expect(rest).toEqual(expected);
      const sequences = rest.map((r) => r.sequence);
      expect(sequences).toEqual(expect.arrayContaining(['888000002', last.sequence.slice(0, -1)]));
      expect(sequences).not.toContain('888000001');
      expect(sequences).not.toContain(`${last.sequence}9`);
      expect([...first.edges.map((e) => e.row.sequence), ...sequences]).toHaveLength(allSessions(fixture.service).length - 2);
    });

    it('of the callback log skip callbacks received since', async () => {
      const first = callbacks.list({}, 25, null);
      const { eventId } = await post(JSON.stringify({ event_type: 1, sequence: '888000003', stream_id: 'later', event_time: 1_700_000_000 }));
      const rest = walk((after) => callbacks.list({}, 200, after), 200, first.endCursor).rows;
      const expected = (await allCallbacks(fixture.service)).sort(newestCallbackFirst).slice(26);
      expect(rest).toEqual(expected);
      expect(rest.map((r) => r.eventId)).not.toContain(eventId);
    });
  });
});
