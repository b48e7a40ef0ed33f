// kill -9 under load: the real service (node dist/cli.js serve) takes signed callbacks from 16
// concurrent senders and is SIGKILLed at seeded random moments, restarted on the same DATA_DIR, again
// and again. Afterwards every callback answered 200 is in the log exactly once, nothing is in the
// log twice, the read models equal a rebuild from the log, and a callback whose answer was lost is
// either entirely there (event and read-model rows) or entirely absent.
//
// CRASH_ROUNDS (default 5) sets the number of kills, CRASH_SEED the seed of traffic, kill moments
// and retries; scripts/crash-soak.sh runs 50 rounds.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseCallbackBody } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { readCheckpoint } from '../../src/processing/readModelFile';
import { generateTraffic, seededRandom } from '../../src/simulation/callbackTraffic';
import { digestOf, openLiveReadModels, READ_MODEL_NAMES, referenceRebuild } from '../support/readModelFiles';
import { runCli, type ServiceProcess } from '../support/serviceProcess';
import { signCallback, tempDataDir } from '../support/testService';

function envInteger(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return parsed;
}

const ROUNDS = Math.max(1, envInteger('CRASH_ROUNDS', 5));
const SEED = envInteger('CRASH_SEED', 424_242);
const KEY = 'crash-safety-key';
const SENDERS = 16;
/** Bounds of one round's load: whichever comes first ends it (the kill normally comes before both). */
const ROUND_MAX_CALLBACKS = 3_000;
const ROUND_MAX_LOAD_MS = 5_000;
/** The kill comes this long after the load starts (uniform), or, in a startup round, after the spawn. */
const KILL_DURING_LOAD_MS: readonly [number, number] = [50, 2_000];
const KILL_DURING_STARTUP_MS: readonly [number, number] = [0, 2_500];
/** Every fifth round (3, 8, 13, ...) is killed while the service starts and its projector catches up. */
const isStartupRound = (round: number) => round % 5 === 3;
const REQUEST_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;

type Outcome =
  | { kind: 'answered'; status: number; eventId: string | null; stored: string | null; position: string | null; body: string }
  | { kind: 'no-answer'; error: string };

interface Attempt {
  round: number;
  raw: string;
  outcome?: Outcome;
}

interface Tracked {
  index: number;
  body: Record<string, unknown>;
  /** What the service must make of it, computed here from the same body (t and sign do not change it). */
  id: string;
  stream: string;
  type: string;
  attempts: Attempt[];
}

const acknowledged = (item: Tracked): Attempt[] =>
  item.attempts.filter((a) => a.outcome?.kind === 'answered' && a.outcome.status === 200);

function expectedEvent(body: Record<string, unknown>): { id: string; stream: string; type: string } {
  const raw = JSON.stringify(body);
  const parsed = parseCallbackBody(raw);
  if (!parsed.ok) throw new Error(`generated traffic is not a JSON object: ${parsed.message}`);
  const event = interpretCallback(parsed.payload, raw);
  return { id: event.id, stream: event.stream, type: event.type };
}

/** One POST /callbacks on loopback; every failure to get an answer is reported, never thrown. */
function post(agent: http.Agent, port: number, raw: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/callbacks',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => resolve({ kind: 'no-answer', error: describeError(error) }));
        response.on('end', () => {
          const header = (name: string) => {
            const value = response.headers[name];
            return typeof value === 'string' ? value : null;
          };
          resolve({
            kind: 'answered',
            status: response.statusCode ?? 0,
            eventId: header('callback-event-id'),
            stored: header('callback-stored'),
            position: header('callback-position'),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error('request timed out')));
    request.on('error', (error) => resolve({ kind: 'no-answer', error: describeError(error) }));
    request.end(raw);
  });
}

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? error.message;
}

/** Resolves with the port once the service says where it listens, or null if it exits first. */
function listeningPort(service: ServiceProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const pattern = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      service.child.stdout!.off('data', check);
      settle();
    };
    const check = () => {
      const match = pattern.exec(service.output());
      if (match !== null) finish(() => resolve(Number(match[1])));
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`service did not listen within ${START_TIMEOUT_MS} ms:\n${service.output()}`))),
      START_TIMEOUT_MS,
    );
    service.child.stdout!.on('data', check);
    void service.exited.then(() => {
      check(); // the line may have arrived with the last chunk
      finish(() => resolve(null));
    });
    check();
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function getJson(port: number, route: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${route}`);
  return { status: response.status, body: await response.json() };
}

interface EventRow {
  position: bigint;
  event_id: string;
  stream: string;
  type: string;
  data: string;
}

function openReadOnly(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true });
}

describe('kill -9 under load, restart, repeat', () => {
  const data = tempDataDir();
  const eventsFile = path.join(data.dir, 'events.db');
  // Separate streams, so the kill schedule does not depend on how many answers a kill happened to cut.
  const killRandom = seededRandom(SEED);
  const retryRandom = seededRandom(SEED ^ 0x5eed);
  const between = (range: readonly [number, number]) => range[0] + Math.floor(killRandom() * (range[1] - range[0] + 1));
  let current: ServiceProcess | undefined;

  afterAll(async () => {
    if (current !== undefined && current.child.exitCode === null && current.child.signalCode === null) {
      current.child.kill('SIGKILL');
      await current.exited;
    }
    data.remove();
  });

  // Enough distinct callbacks that no round runs out of them.
  const perRound = ROUND_MAX_CALLBACKS;
  const traffic = generateTraffic({
    seed: SEED % 1_000_000,
    sessions: Math.ceil(((ROUNDS + 1) * perRound) / 3),
    relayTasks: Math.ceil(((ROUNDS + 1) * perRound) / 30),
  });
  const tracked: Tracked[] = [];
  const ids = new Set<string>();
  for (const { body } of traffic) {
    const expected = expectedEvent(body);
    if (ids.has(expected.id)) continue; // the generator may repeat a body: keep each callback once
    ids.add(expected.id);
    tracked.push({ index: tracked.length, body, ...expected, attempts: [] });
  }
  let nextFresh = 0;

  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: data.dir,
    CSS_CALLBACK_KEYS: KEY,
    LOG_LEVEL: 'info',
  };

  /** Sends from the queue (retries first, then fresh callbacks) with SENDERS concurrent senders until stopped or bounded. */
  async function load(port: number, round: number, queue: Tracked[], stop: { stopped: boolean }, fresh = true): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
    const deadline = Date.now() + ROUND_MAX_LOAD_MS;
    let sent = 0;
    const next = (): Tracked | undefined => {
      if (stop.stopped || Date.now() > deadline || sent >= ROUND_MAX_CALLBACKS) return undefined;
      const item = queue.shift() ?? (fresh ? tracked[nextFresh++] : undefined);
      if (item !== undefined) sent++;
      return item;
    };
    const sender = async () => {
      for (let item = next(); item !== undefined; item = next()) {
        const attempt: Attempt = { round, raw: JSON.stringify(signCallback(item.body, KEY)) };
        item.attempts.push(attempt);
        attempt.outcome = await post(agent, port, attempt.raw);
      }
    };
    try {
      await Promise.all(Array.from({ length: SENDERS }, sender));
    } finally {
      agent.destroy();
    }
  }

  /** Straight after a kill, before anything restarts: every acknowledged callback is on disk. */
  function expectAcknowledgedOnDisk(round: number): void {
    const acked = tracked.filter((item) => acknowledged(item).length > 0);
    if (acked.length === 0) return;
    expect(existsSync(eventsFile)).toBe(true);
    const db = openReadOnly(eventsFile);
    try {
      const stored = new Set(db.prepare('SELECT event_id FROM events').pluck().all() as string[]);
      const lost = acked.filter((item) => !stored.has(item.id)).map((item) => item.id);
      expect({ round, seed: SEED, lostAfterKill: lost }).toEqual({ round, seed: SEED, lostAfterKill: [] });
    } finally {
      db.close();
    }
  }

  /** The next round resends half of the callbacks whose answer was lost, and a few acknowledged ones. */
  function retriesFor(): Tracked[] {
    const inDoubt = tracked.filter((item) => item.attempts.length > 0 && acknowledged(item).length === 0);
    const acked = tracked.filter((item) => acknowledged(item).length > 0);
    const retries = inDoubt.filter(() => retryRandom() < 0.5);
    for (let i = 0; i < Math.min(20, acked.length); i++) retries.push(acked[Math.floor(retryRandom() * acked.length)]!);
    return retries;
  }

  it(
    `keeps every acknowledged callback exactly once and the read models consistent across ${ROUNDS} kills (seed ${SEED})`,
    async () => {
      const rounds: string[] = [];
      const outputs: string[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const queue = retriesFor();
        const duringStartup = isStartupRound(round);
        const killDelay = between(duringStartup ? KILL_DURING_STARTUP_MS : KILL_DURING_LOAD_MS);
        const service = runCli(['serve'], env);
        current = service;
        const stop = { stopped: false };
        const kill = () => {
          stop.stopped = true;
          service.child.kill('SIGKILL');
        };
        const port = listeningPort(service);
        let loadDone: Promise<void> = Promise.resolve();
        let timer: NodeJS.Timeout | undefined;
        if (duringStartup) {
          timer = setTimeout(kill, killDelay); // from the spawn: in the middle of start-up, or early in the load
          const listening = await port;
          if (listening !== null && !stop.stopped) loadDone = load(listening, round, queue, stop);
        } else {
          const listening = await port;
          if (listening === null) throw new Error(`service exited before listening:\n${service.output()}`);
          loadDone = load(listening, round, queue, stop);
          timer = setTimeout(kill, killDelay);
        }
        const exit = await service.exited;
        clearTimeout(timer);
        stop.stopped = true;
        await loadDone;
        expect({ round, exit }).toEqual({ round, exit: { code: null, signal: 'SIGKILL' } });
        outputs.push(service.output());
        const attempts = tracked.flatMap((item) => item.attempts.filter((a) => a.round === round));
        const oks = attempts.filter((a) => a.outcome?.kind === 'answered' && a.outcome.status === 200).length;
        rounds.push(`round ${round}: kill ${duringStartup ? 'from spawn' : 'into load'} +${killDelay} ms, ${attempts.length} sent, ${oks} acknowledged`);
        expectAcknowledgedOnDisk(round);
      }

      // One last start: retries of some acknowledged callbacks and a few fresh ones, then a clean stop.
      const final = runCli(['serve'], env);
      current = final;
      let logPosition = 0n;
      let checkpoint: { position: string; eventsApplied: number } | undefined;
      try {
        const port = await listeningPort(final);
        if (port === null) throw new Error(`service exited before listening:\n${final.output()}`);
        const queue = retriesFor().filter((item) => acknowledged(item).length > 0);
        const fresh = tracked.slice(nextFresh, nextFresh + 100);
        nextFresh += fresh.length;
        await load(port, ROUNDS + 1, [...queue, ...fresh], { stopped: false }, false);

        const db = openReadOnly(eventsFile);
        try {
          logPosition = db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().safeIntegers(true).get() as bigint;
        } finally {
          db.close();
        }
        checkpoint = await until(
          `projector at the log's last position ${logPosition}`,
          async () => {
            const ready = await getJson(port, '/readyz');
            const projector = (ready.body as { projector?: { position: string; eventsApplied: number } }).projector;
            return ready.status === 200 && projector !== undefined && BigInt(projector.position) === logPosition ? projector : undefined;
          },
          30_000,
        );
      } finally {
        final.child.kill('SIGTERM');
      }
      expect(await final.exited).toEqual({ code: 0, signal: null });
      outputs.push(final.output());
      // No process logged an error or a fatal (a projector failure after a restart, a failed request, ...).
      const errors = outputs.flatMap((output) => output.split('\n').filter((line) => /"level":(50|60)/.test(line)));
      expect(errors).toEqual([]);

      const summary = { seed: SEED, rounds };
      const answers = tracked.flatMap((item) => item.attempts.map((attempt) => ({ item, attempt })));
      // Nothing but 200 or a lost connection: a 5xx or 4xx under this load is a bug of its own.
      const otherAnswers = answers
        .filter(({ attempt }) => attempt.outcome?.kind === 'answered' && attempt.outcome.status !== 200)
        .map(({ attempt }) => attempt.outcome);
      expect({ ...summary, otherAnswers }).toEqual({ ...summary, otherAnswers: [] });

      const events = openReadOnly(eventsFile);
      const readModels = openLiveReadModels(data.dir);
      try {
        expect(events.pragma('quick_check', { simple: true })).toBe('ok');
        for (const name of READ_MODEL_NAMES) expect([name, readModels.db(name).pragma('quick_check', { simple: true })]).toEqual([name, 'ok']);

        // No event id twice, anywhere in the log.
        const repeated = events.prepare('SELECT event_id, count(*) AS n FROM events GROUP BY event_id HAVING n > 1').all();
        expect({ ...summary, repeated }).toEqual({ ...summary, repeated: [] });

        const rows = events.prepare('SELECT position, event_id, stream, type, data FROM events ORDER BY position').safeIntegers(true).all() as EventRow[];
        const byId = new Map(rows.map((row) => [row.event_id, row]));
        const byIdTracked = new Map(tracked.map((item) => [item.id, item]));

        // Every event in the log is a callback that was sent, as the service must have interpreted it, with a body that was sent.
        const strangers = rows.filter((row) => {
          const item = byIdTracked.get(row.event_id);
          if (item === undefined || item.attempts.length === 0) return true;
          const raw = (JSON.parse(row.data) as { raw?: unknown }).raw;
          return row.stream !== item.stream || row.type !== item.type || !item.attempts.some((a) => a.raw === raw);
        });
        expect({ ...summary, strangers: strangers.map((r) => r.event_id) }).toEqual({ ...summary, strangers: [] });

        // Every acknowledged callback is there once, at the position it was told, with the body of the attempt answered "new".
        const ackProblems: string[] = [];
        for (const item of tracked) {
          for (const attempt of acknowledged(item)) {
            const answer = attempt.outcome as Extract<Outcome, { kind: 'answered' }>;
            const row = byId.get(item.id);
            if (answer.body !== '{"code":0}') ackProblems.push(`${item.id}: body ${answer.body}`);
            if (answer.eventId !== item.id) ackProblems.push(`${item.id}: answered with callback-event-id ${answer.eventId}`);
            if (row === undefined) {
              ackProblems.push(`${item.id}: acknowledged in round ${attempt.round} but not in the log`);
              continue;
            }
            if (answer.stored === 'new') {
              if (answer.position !== String(row.position)) ackProblems.push(`${item.id}: told position ${answer.position}, stored at ${row.position}`);
              if ((JSON.parse(row.data) as { raw: string }).raw !== attempt.raw) ackProblems.push(`${item.id}: stored body is not the one answered "new"`);
            } else if (answer.stored !== 'duplicate') {
              ackProblems.push(`${item.id}: callback-stored ${answer.stored}`);
            }
          }
          const answeredNew = acknowledged(item).filter((a) => (a.outcome as { stored: string }).stored === 'new');
          if (answeredNew.length > 1) ackProblems.push(`${item.id}: answered "new" ${answeredNew.length} times`);
          // The first attempt of a fresh callback cannot be a duplicate: nothing sent it before.
          const first = item.attempts[0]?.outcome;
          if (first?.kind === 'answered' && first.status === 200 && first.stored !== 'new') ackProblems.push(`${item.id}: first attempt answered ${first.stored}`);
        }
        expect({ ...summary, ackProblems }).toEqual({ ...summary, ackProblems: [] });

        // Streams are whole: revisions 0..n-1.
        const brokenStreams = events
          .prepare(
            `SELECT stream, count(*) AS n, min(revision) AS lo, max(revision) AS hi
               FROM events
              GROUP BY stream
             HAVING lo != 0 OR hi != n - 1`,
          )
          .all();
        expect({ ...summary, brokenStreams }).toEqual({ ...summary, brokenStreams: [] });

        // The read models hold exactly the log: checkpoints at its end, each event applied once, one log row per event.
        for (const name of READ_MODEL_NAMES) {
          expect({ name, ...readCheckpoint(readModels.db(name)) }).toEqual({ name, position: logPosition, eventsApplied: rows.length });
        }
        expect(checkpoint).toMatchObject({ position: String(logPosition), eventsApplied: rows.length });
        const logged = new Map(
          (readModels.db('callbackLog').prepare('SELECT event_id, position FROM callback_log').safeIntegers(true).all() as { event_id: string; position: bigint }[]).map(
            (r) => [r.event_id, r.position],
          ),
        );
        const unlogged = rows.filter((row) => logged.get(row.event_id) !== row.position).map((row) => row.event_id);
        expect({ ...summary, unlogged, logRows: logged.size }).toEqual({ ...summary, unlogged: [], logRows: rows.length });

        // Callbacks whose answer was lost: entirely there (event, log row, its session or task row) or entirely absent.
        const streamsInLog = new Set(rows.map((row) => row.stream));
        const sessionRow = readModels.db('sessions').prepare('SELECT 1 FROM sessions WHERE sequence = ?').pluck();
        const taskRow = readModels.db('relayTasks').prepare('SELECT 1 FROM relay_tasks WHERE task_id = ?').pluck();
        const rowOf = (stream: string): boolean | null => {
          if (stream.startsWith('session-')) return sessionRow.get(stream.slice('session-'.length)) !== undefined;
          if (stream.startsWith('relaytask-')) return taskRow.get(stream.slice('relaytask-'.length)) !== undefined;
          return null; // exits without task_id and unrecognized callbacks have only their log row (and relay_exits, in the digest)
        };
        const halfApplied: string[] = [];
        let inDoubt = 0;
        let inDoubtPresent = 0;
        for (const item of tracked) {
          if (item.attempts.length === 0 || acknowledged(item).length > 0) continue;
          inDoubt++;
          const inLog = byId.has(item.id);
          const inCallbackLog = logged.has(item.id);
          const row = rowOf(item.stream);
          if (inLog) {
            inDoubtPresent++;
            if (!inCallbackLog || row === false) halfApplied.push(`${item.id}: in the log, callback_log ${inCallbackLog}, row ${row}`);
          } else {
            if (inCallbackLog) halfApplied.push(`${item.id}: not in the log but in callback_log`);
            if (!streamsInLog.has(item.stream) && row === true) halfApplied.push(`${item.id}: not in the log but its ${item.stream} row exists`);
          }
          // Refused at connect: it never reached the service, so nothing may have been stored.
          const refusedOnly = item.attempts.every((a) => a.outcome?.kind === 'no-answer' && a.outcome.error === 'ECONNREFUSED');
          if (refusedOnly && inLog) halfApplied.push(`${item.id}: stored although every attempt was refused at connect`);
        }
        expect({ ...summary, halfApplied }).toEqual({ ...summary, halfApplied: [] });

        // Session and task rows exist exactly for the streams in the log.
        const sessionStreams = [...streamsInLog].filter((s) => s.startsWith('session-')).length;
        expect(readModels.db('sessions').prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(sessionStreams);

        const digest = digestOf(readModels.db);
        const store = SqliteEventStore.open(eventsFile);
        try {
          const rebuilt = await referenceRebuild(store, path.join(data.dir, 'reference'));
          expect({ ...summary, digest }).toEqual({ ...summary, digest: rebuilt.digest });
          expect(rebuilt.eventsApplied).toBe(rows.length);
        } finally {
          await store.close();
        }

        const acknowledgedCount = tracked.filter((item) => acknowledged(item).length > 0).length;
        // The run proves something only if the kills hit traffic in flight.
        expect(acknowledgedCount).toBeGreaterThan(0);
        process.stdout.write(
          `crash safety (seed ${SEED}): ${ROUNDS} kills, ${acknowledgedCount} acknowledged, ` +
            `${inDoubt} with the answer lost (${inDoubtPresent} of them committed), ${rows.length} events\n  ${rounds.join('\n  ')}\n`,
        );
      } finally {
        events.close();
        readModels.close();
      }
    },
    90_000 + ROUNDS * 10_000,
  );
});
