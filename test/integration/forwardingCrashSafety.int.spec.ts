// kill -9 of a forwarding process at random moments, restarted on the same state file: every event is delivered at
// least once, per stream in order of first delivery, and the state never marks as delivered what no receiver took.
//
// FORWARDING_CRASH_ROUNDS (default 6) sets the number of kills, FORWARDING_CRASH_SEED the seed of answers and kill moments.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../src/simulation/callbackTraffic';
import { tempForwardingFile } from '../support/forwardingLog';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const ROUNDS = Number(process.env.FORWARDING_CRASH_ROUNDS ?? 6);
const SEED = Number(process.env.FORWARDING_CRASH_SEED ?? 1_515);
const EVENTS = 600;
const STREAMS = 9;
const CHILD = path.join(__dirname, '..', 'support', 'forwardingCrashChild.cjs');

const idOf = (position: number) => `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`;
const streamOf = (position: number) => `session-s${(position * 7) % STREAMS}`;

function runChild(receiver: WebhookReceiver, stateFile: string) {
  const child = spawn(process.execPath, [CHILD], {
    env: { PATH: process.env.PATH ?? '', EVENTS: String(EVENTS), STREAMS: String(STREAMS), RECEIVER_URL: receiver.url, STATE_FILE: stateFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('started')) markStarted();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // A kill before 'started' leaves `started` unresolved: nothing waits on it then.
  void exited.then(() => markStarted());
  return { child, exited, started, output: () => output };
}

/** Event ids the state file marks delivered (none when a kill came before the file was made); read between runs. */
function markedDelivered(stateFile: string): string[] {
  if (!existsSync(stateFile)) return [];
  const db = new Database(stateFile);
  try {
    return db.prepare(`SELECT event_id FROM deliveries WHERE status = 'delivered'`).pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe('forwarding under kill -9', () => {
  it(`delivers every event at least once and never claims more, over ${ROUNDS} kills`, async () => {
    const random = seededRandom(SEED);
    const answeredOk = new Set<string>();
    const firstOk: number[] = [];
    // Mostly 200, one in five 500; answers take up to 15 ms so that kills land with requests in flight.
    const receiver = await startReceiver((request) => {
      const id = request.headers['webhook-id'] as string;
      const ok = random() >= 0.2;
      if (ok && !answeredOk.has(id)) firstOk.push(Number(request.headers['x-css-ledger-position']));
      if (ok) answeredOk.add(id);
      return { status: ok ? 200 : 500, delayMs: Math.floor(random() * 15) };
    });
    const state = tempForwardingFile();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const run = runChild(receiver, state.file);
        // A third of the kills come while it starts, a third soon after it started, a third after some requests of this run.
        const before = receiver.received.length;
        const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        if (round % 3 === 0) await sleep(random() * 300);
        else if (round % 3 === 1) await run.started.then(() => sleep(random() * 200));
        else await receiver.waitFor((r) => r.length >= before + 1 + Math.floor(random() * 150), 20_000).catch(() => undefined);
        run.child.kill('SIGKILL');
        const exit = await run.exited;
        expect(exit.signal === 'SIGKILL' || run.output().includes('all delivered')).toBe(true);
        const marked = markedDelivered(state.file);
        for (const id of marked) expect(answeredOk.has(id)).toBe(true);
      }

      const final = runChild(receiver, state.file);
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([final.exited, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`final run did not finish: ${final.output()}`)), 60_000)))]);
      clearTimeout(timer);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(final.output()).toContain('all delivered');

      const all = Array.from({ length: EVENTS }, (_, i) => idOf(i + 1));
      expect(all.filter((id) => !answeredOk.has(id))).toEqual([]);
      const delivered = markedDelivered(state.file);
      expect(new Set(delivered).size).toBe(EVENTS);
      for (const id of delivered) expect(answeredOk.has(id)).toBe(true);
      // Within a stream, each event was first taken after the ones before it.
      for (let s = 0; s < STREAMS; s++) {
        const order = firstOk.filter((position) => streamOf(position) === `session-s${s}`);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
      const db = new Database(state.file);
      expect(db.prepare(`SELECT position FROM destinations WHERE name = 'crash'`).pluck().get()).toBe(EVENTS);
      expect(db.prepare(`SELECT count(*) FROM deliveries WHERE status != 'delivered'`).pluck().get()).toBe(0);
      db.close();
    } finally {
      await receiver.stop();
      state.remove();
    }
  }, 120_000);
});
