// Forwarding in the service process: kill -9 mid-delivery and restart delivers every stored callback at least once and never marks
// more than was delivered; SIGTERM lets in-flight deliveries finish within FORWARD_SHUTDOWN_GRACE_MS; the forward CLI verbs.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { forwardingFile } from '../../src/forwarding/forwardingDb';
import { pushCallback, writeForwardConfig } from '../support/forwardingService';
import { freePort } from '../support/loopbackSockets';
import { exitWithin, listeningUrl, runCli, type ServiceProcess } from '../support/serviceProcess';
import { postCallback, tempDataDir } from '../support/testService';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const ADMIN = 'admin-token-0123456789';
const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 1000 };

function rows<T>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('forwarding in the service process', () => {
  const data = tempDataDir();
  const running: ServiceProcess[] = [];
  let receiver: WebhookReceiver | undefined;

  afterEach(async () => {
    for (const run of running.splice(0)) await exitWithin(run, 1).catch(() => undefined);
    await receiver?.stop();
    receiver = undefined;
  });
  afterAll(() => data.remove());

  const serve = async (dataDir: string, env: Record<string, string>) => {
    const run = runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', ADMIN_TOKEN: ADMIN, ...env });
    running.push(run);
    return { run, url: await listeningUrl(run) };
  };

  it('after kill -9 mid-delivery and a restart, every stored callback is delivered at least once; the state never runs ahead', async () => {
    const dataDir = path.join(data.dir, 'crash');
    const okIds = new Set<string>();
    let n = 0;
    // One in four answered 503 Retry-After 0, the others after a few ms: the kill finds deliveries in flight and retries pending.
    receiver = await startReceiver((request) => {
      n++;
      if (n % 4 === 0) return { status: 503, headers: { 'retry-after': '0' } };
      okIds.add(request.headers['webhook-id'] as string);
      return { status: 200, delayMs: 5 };
    });
    const env = { FORWARD_CONFIG: writeForwardConfig(data.dir, [{ name: 'hook', url: receiver.url, format: 'raw', concurrency: 4, retry: FAST_RETRY }]) };
    const first = await serve(dataDir, env);
    const count = 120;
    for (let i = 1; i <= count; i++) expect((await postCallback(first.url, pushCallback(String(7000 + (i % 13)), i))).status).toBe(200);
    await receiver.waitFor((received) => received.length >= 30);
    first.run.child.kill('SIGKILL');
    await first.run.exited;

    // What the state says was delivered, each one answered 2xx before the kill.
    const file = forwardingFile(dataDir);
    const marked = rows<{ event_id: string }>(file, `SELECT event_id FROM deliveries WHERE status = 'delivered'`).map((row) => row.event_id);
    const answeredBeforeKill = new Set(okIds);
    expect(marked.filter((id) => !answeredBeforeKill.has(id))).toEqual([]);

    await serve(dataDir, env);
    const stored = rows<{ event_id: string }>(path.join(dataDir, 'events.db'), 'SELECT event_id FROM events ORDER BY position').map((row) => row.event_id);
    expect(stored).toHaveLength(count);
    await receiver.waitFor(() => stored.every((id) => okIds.has(id)), 30_000);
  });

  it('SIGTERM lets an in-flight delivery finish within the grace, and one that takes longer is sent again after the restart', async () => {
    const dataDir = path.join(data.dir, 'term');
    let slowMs = 1_000;
    receiver = await startReceiver(() => ({ status: 200, delayMs: slowMs }));
    const env = {
      FORWARD_CONFIG: writeForwardConfig(data.dir, [{ name: 'hook', url: receiver.url, format: 'raw', timeoutMs: 60_000 }]),
      FORWARD_SHUTDOWN_GRACE_MS: '4000',
    };
    const first = await serve(dataDir, env);
    await postCallback(first.url, pushCallback('7101', 1));
    await receiver.waitFor((received) => received.length === 1);
    first.run.child.kill('SIGTERM');
    expect(await exitWithin(first.run, 20_000)).toEqual({ code: 0, signal: null });
    const file = forwardingFile(dataDir);
    expect(rows<{ status: string }>(file, 'SELECT status FROM deliveries')).toEqual([{ status: 'delivered' }]);

    // Longer than the grace: the process does not wait for it, and the delivery stays pending for the next start.
    slowMs = 600_000;
    const second = await serve(dataDir, { ...env, FORWARD_SHUTDOWN_GRACE_MS: '500' });
    await postCallback(second.url, pushCallback('7102', 2));
    await receiver.waitFor((received) => received.length === 2);
    const stopping = Date.now();
    second.run.child.kill('SIGTERM');
    expect(await exitWithin(second.run, 20_000)).toEqual({ code: 0, signal: null });
    // The grace (0.5 s) and closing files; far below the 600 s the receiver would take.
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(rows<{ status: string }>(file, 'SELECT status FROM deliveries ORDER BY id')).toEqual([{ status: 'delivered' }, { status: 'pending' }]);
    slowMs = 0;
    await serve(dataDir, env);
    await receiver.waitFor((received) => received.length === 3);
    expect(receiver.received[2]!.headers['webhook-id']).toBe(receiver.received[1]!.headers['webhook-id']);
  });

  it('forwarding.db deleted under the running service is written back in place: after kill -9 and a restart, nothing pending is lost', async () => {
    const dataDir = path.join(data.dir, 'deleted');
    const ok = new Set<string>();
    let down = true;
    receiver = await startReceiver((request) => {
      if (down) return { status: 500 };
      ok.add(request.headers['webhook-id'] as string);
      return { status: 200 };
    });
    // A breaker that stays closed: every delivery keeps being tried while the receiver fails.
    const hook = { name: 'hook', url: receiver.url, format: 'raw', retry: FAST_RETRY, breaker: { failureThreshold: 1000, cooldownMs: 10 } };
    const env = { FORWARD_CONFIG: writeForwardConfig(data.dir, [hook]) };
    const first = await serve(dataDir, env);
    for (let i = 1; i <= 10; i++) expect((await postCallback(first.url, pushCallback(String(7200 + i), i))).status).toBe(200);
    // Every one offered, and failing: ten pending deliveries in the state.
    await receiver.waitFor((received) => new Set(received.map((r) => r.headers['webhook-id'])).size === 10);

    const file = forwardingFile(dataDir);
    for (const companion of ['', '-wal', '-shm']) rmSync(`${file}${companion}`, { force: true });
    await first.run.waitForLine(/forwarding goes on from its state file in place/, 20_000);
    expect(first.run.output()).toContain('was deleted or moved while the service ran: writing forwarding');
    // Its WAL index alone: a connection opened after it would build one blind to forwarding's own.
    rmSync(`${file}-shm`);
    for (let waited = 0; first.run.output().split('forwarding goes on from its state file in place').length < 3 && waited < 200; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(first.run.output().split('forwarding goes on from its state file in place')).toHaveLength(3);
    for (let i = 11; i <= 15; i++) expect((await postCallback(first.url, pushCallback(String(7200 + i), i))).status).toBe(200);
    await receiver.waitFor((received) => new Set(received.map((r) => r.headers['webhook-id'])).size === 15);
    first.run.child.kill('SIGKILL');
    await first.run.exited;

    down = false;
    await serve(dataDir, env);
    const stored = rows<{ event_id: string }>(path.join(dataDir, 'events.db'), 'SELECT event_id FROM events ORDER BY position').map((row) => row.event_id);
    expect(stored).toHaveLength(15);
    await receiver.waitFor(() => stored.every((id) => ok.has(id)), 30_000);
  }, 90_000);

  it('the forward CLI verbs operate a running service, and say why when they cannot', async () => {
    receiver = await startReceiver();
    const env = { FORWARD_CONFIG: writeForwardConfig(data.dir, [{ name: 'hook', url: receiver.url, format: 'raw' }]) };
    const { url } = await serve(path.join(data.dir, 'cli'), env);
    const cli = async (args: string[], extra: Record<string, string> = {}) => {
      const run = runCli(['forward', '--url', url, ...args], extra);
      const exit = await exitWithin(run, 30_000);
      return { code: exit.code, output: run.output() };
    };

    expect(await cli(['status'])).toMatchObject({ code: 0, output: expect.stringMatching(/^hook {2}ACTIVE {2}breaker CLOSED/) });
    expect(await cli(['pause', 'hook'])).toEqual({ code: 1, output: "ADMIN_TOKEN is not set: this operation needs the running service's admin token in ADMIN_TOKEN\n" });
    expect(await cli(['pause', 'hook'], { ADMIN_TOKEN: ADMIN })).toMatchObject({ code: 0, output: expect.stringMatching(/^hook {2}PAUSED/) });
    expect(await cli(['resume', 'nope'], { ADMIN_TOKEN: ADMIN })).toMatchObject({ code: 1, output: expect.stringMatching(/no destination is named "nope"/) });
    expect(await cli(['replay', 'hook', '--from-position', '1', '--to-position', '5'], { ADMIN_TOKEN: ADMIN })).toEqual({ code: 0, output: 'hook: 0 callbacks offered again\n' });
    expect(await cli(['redeliver', 'hook'], { ADMIN_TOKEN: ADMIN })).toEqual({ code: 0, output: 'hook: 0 dead letters put back\n' });
    // A bare number is no time (it would read as a year): the position options are named instead.
    expect(await cli(['replay', 'hook', '--from', '1'], { ADMIN_TOKEN: ADMIN })).toMatchObject({ code: 1, output: expect.stringContaining('--from-position') });
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = runCli(['forward', '--url', closed, 'status'], {});
    expect(await exitWithin(unreachable, 30_000)).toMatchObject({ code: 1 });
    expect(unreachable.output()).toBe(`cannot reach the service at ${closed}/graphql (ECONNREFUSED): is it running? (--url)\n`);
    // Eight command-line runs, each loading the whole CLI, on a loaded machine.
  }, 120_000);
});
