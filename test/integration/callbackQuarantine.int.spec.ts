import { md5Hex } from '../../src/ingest/authenticateCallback';
import type { RunningService } from '../../src/server';
import { CallbackActivityDocument, CallbacksDocument, QuarantinedCallbacksDocument, SessionDocument } from '../graphql/generated';
import { query } from '../support/graphqlClient';
import { scrape, valueOf } from '../support/metricsText';
import { runCli } from '../support/serviceProcess';
import { postCallback, type PostResult, signCallback, startTestService, tempDataDir, useTestService } from '../support/testService';

const KEYS = ['retired-key', 'current-key'];
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A push signed with `key` whose t passed `lateSeconds` ago, written with odd spacing and non-ASCII text so byte equality means something. */
function latePush(sequence: string, lateSeconds: number, key = 'current-key'): string {
  const t = nowSeconds() - lateSeconds;
  return (
    `{ "event_type" : 1,\n  "sequence":"${sequence}", "stream_id":"late_stream",  "app":"test.domain.com",` +
    ` "event_time": 1700000000, "note": "café ☕", "t": ${t}, "sign":"${md5Hex(key + String(t))}" }`
  );
}

async function cli(args: string[], dataDir: string) {
  const run = runCli(args, { DATA_DIR: dataDir });
  const { code } = await run.exited;
  return { code, output: run.output() };
}

/** Waits until the service's read models include everything in the log, appends by other processes included. */
async function projectEverything(service: RunningService): Promise<void> {
  const events = await service.store.readAll({ maxCount: 100_000 });
  if (events.length > 0) await service.projector.waitForPosition(events.at(-1)!.position);
}

async function projected(service: RunningService, response: PostResult): Promise<PostResult> {
  const position = response.headers.get('callback-position');
  if (position !== null) await service.projector.waitForPosition(BigInt(position));
  return response;
}

const quarantined = async (service: RunningService) => (await query(service.url, QuarantinedCallbacksDocument, {})).quarantinedCallbacks;

describe('the quarantine of authentic callbacks whose signature had expired', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEYS.join(',') });
  const storedCount = async () => (await fixture.service.store.readAll({ maxCount: 100_000 })).length;
  const body = latePush('7000000000000000001', 3600);
  let eventId: string;

  it('answers it 200 (so CSS stops retrying), says it was quarantined, and keeps it out of sessions, the log and the activity counts', async () => {
    const response = await projected(fixture.service, await postCallback(fixture.service.url, body));
    expect([response.status, response.body, response.headers.get('callback-stored')]).toEqual([200, { code: 0 }, 'quarantined']);
    eventId = response.headers.get('callback-event-id')!;

    expect((await query(fixture.service.url, SessionDocument, { sequence: '7000000000000000001' })).session).toBeNull();
    expect((await query(fixture.service.url, CallbacksDocument, {})).callbacks.totalCount).toBe(0);
    const { minutes } = (await query(fixture.service.url, CallbackActivityDocument, { minutes: 5 })).callbackActivity;
    expect(minutes.reduce((sum, m) => sum + m.pushes + m.interruptions, 0)).toBe(0);
    expect(await fixture.service.store.readStream('session-7000000000000000001')).toEqual([]);
  });

  it('lists it with its body byte for byte, why, how late, and the event it would become', async () => {
    const listing = await quarantined(fixture.service);
    expect(listing.totalCount).toBe(1);
    const [entry] = listing.nodes;
    expect(entry).toEqual({
      id: eventId,
      receivedAt: expect.any(String),
      reason: 'expired',
      lateSeconds: expect.any(Number),
      raw: body,
      type: 'StreamPushed',
      stream: 'session-7000000000000000001',
      promoted: false,
      promotedAt: null,
    });
    expect(entry!.lateSeconds).toBeGreaterThanOrEqual(3600);
    expect(entry!.lateSeconds).toBeLessThan(3600 + 120);
    expect(valueOf(await scrape(fixture.service.url), 'css_ledger_callbacks_total', { type: 'StreamPushed', outcome: 'quarantined' })).toBe(1);
  });

  it('keeps a retry of it (another expired t) once', async () => {
    const before = await storedCount();
    const retry = await postCallback(fixture.service.url, latePush('7000000000000000001', 3000, 'retired-key'));
    expect([retry.status, retry.headers.get('callback-stored'), retry.headers.get('callback-event-id')]).toEqual([200, 'quarantined', eventId]);
    expect(await storedCount()).toBe(before);
  });

  it('refuses a forged signature with 401 bad_signature and never quarantines it', async () => {
    const before = await storedCount();
    const forged = await postCallback(fixture.service.url, latePush('7000000000000000002', 3600, 'stolen-key'));
    expect([forged.status, forged.body]).toEqual([401, { code: 401, error: 'bad_signature', message: expect.any(String) }]);
    expect(await storedCount()).toBe(before);
    expect((await quarantined(fixture.service)).totalCount).toBe(1);
  });

  it('refuses 401 expired a signature later than the quarantine takes (a day by default)', async () => {
    const before = await storedCount();
    const old = await postCallback(fixture.service.url, latePush('7000000000000000003', 86_400 + 600));
    expect([old.status, old.body]).toEqual([401, { code: 401, error: 'expired', message: expect.any(String) }]);
    expect(await storedCount()).toBe(before);
  });

  it('promote (the CLI, while the service runs) stores it as the event it would have been; the session appears and the entry shows promoted', async () => {
    const run = await cli(['promote', eventId], fixture.dataDir);
    expect(run.code).toBe(0);
    expect(run.output).toContain(`promoted ${eventId}: StreamPushed stored in session-7000000000000000001 at position`);
    await projectEverything(fixture.service);

    const { session } = await query(fixture.service.url, SessionDocument, { sequence: '7000000000000000001' });
    expect(session).toMatchObject({ streamId: 'late_stream', status: 'LIVE' });
    expect(session!.events).toEqual([expect.objectContaining({ id: eventId, type: 'StreamPushed', raw: body })]);
    const [event] = await fixture.service.store.readStream('session-7000000000000000001');
    expect(event!.id).toBe(eventId);
    expect(event!.metadata).toMatchObject({
      authenticatedBy: 'signature',
      keyIndex: 1,
      promotedFrom: `quarantine-${eventId}`,
      promotedAt: expect.any(String),
      lateSeconds: expect.any(Number),
      requestId: expect.any(String),
    });
    const [entry] = (await quarantined(fixture.service)).nodes;
    expect(entry).toMatchObject({ id: eventId, promoted: true, promotedAt: expect.any(String) });
    expect((await query(fixture.service.url, CallbacksDocument, {})).callbacks.nodes.map((n) => n.id)).toEqual([eventId]);
  });

  it('promoting again stores nothing new, and a later retry from CSS stays a duplicate', async () => {
    const before = await storedCount();
    const again = await cli(['promote', eventId], fixture.dataDir);
    expect(again.code).toBe(0);
    expect(again.output).toContain(`${eventId}: promoted before`);
    expect(await storedCount()).toBe(before);

    const push = JSON.parse(body) as Record<string, unknown>;
    const retry = await postCallback(fixture.service.url, signCallback(push, 'current-key'));
    expect([retry.status, retry.headers.get('callback-stored')]).toEqual([200, 'duplicate']);
    expect(await storedCount()).toBe(before);
  });

  it('promote --all takes every entry not yet promoted; an unknown id exits 1', async () => {
    const second = await projected(fixture.service, await postCallback(fixture.service.url, latePush('7000000000000000004', 1200)));
    expect(second.headers.get('callback-stored')).toBe('quarantined');
    const all = await cli(['promote', '--all'], fixture.dataDir);
    expect(all.code).toBe(0);
    expect(all.output).toContain('1 promoted, 0 promoted before, 0 not found');
    await projectEverything(fixture.service);
    expect((await query(fixture.service.url, SessionDocument, { sequence: '7000000000000000004' })).session).not.toBeNull();

    const unknown = await cli(['promote', '00000000-0000-4000-8000-000000000000'], fixture.dataDir);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('no quarantined callback has this id');
  });

  it('lives in the event log: a rebuild lists it again as it was; export leaves it out (it is not in the callback log)', async () => {
    const listed = (await quarantined(fixture.service)).nodes;
    await fixture.stop();
    const rebuilt = await cli(['rebuild'], fixture.dataDir);
    expect(rebuilt.code).toBe(0);
    await fixture.restart();
    expect((await quarantined(fixture.service)).nodes).toEqual(listed);

    const exported = await cli(['export', '-'], fixture.dataDir);
    expect(exported.code).toBe(0);
    expect(exported.output).toContain('exported 2 callbacks');
    expect(exported.output).toContain('(4 quarantine events left out: promote them first to export them)');
  });
});

describe('the bounds of the quarantine', () => {
  // Its own life cycle: each test starts a service with the bound it exercises.
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('answers 503 quarantine_rate_limited with Retry-After past the rate, and counts the refusal', async () => {
    const service = await startTestService(`${data.dir}/rate`, { CSS_CALLBACK_KEYS: 'k', CSS_CALLBACK_QUARANTINE_PER_MINUTE: '2' });
    try {
      const answers = [];
      for (const sequence of ['1', '2', '3']) answers.push(await postCallback(service.url, latePush(sequence, 900, 'k')));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 503]);
      const refused = answers[2]!;
      expect(refused.body).toEqual({ code: 503, error: 'quarantine_rate_limited', message: expect.any(String) });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);

      const samples = await scrape(service.url);
      expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'StreamPushed', outcome: 'quarantined' })).toBe(2);
      expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'StreamPushed', outcome: 'quarantine_refused', error: 'quarantine_rate_limited' })).toBe(1);
      await projected(service, answers[1]!);
      expect((await quarantined(service)).totalCount).toBe(2);
    } finally {
      await service.close();
    }
  });

  it('answers 503 quarantine_full while as many entries as allowed wait for promotion, and takes more once they are promoted', async () => {
    const dir = `${data.dir}/cap`;
    const service = await startTestService(dir, { CSS_CALLBACK_KEYS: 'k', CSS_CALLBACK_QUARANTINE_MAX_UNPROMOTED: '1' });
    try {
      const first = await projected(service, await postCallback(service.url, latePush('11', 900, 'k')));
      expect(first.status).toBe(200);
      const full = await postCallback(service.url, latePush('12', 900, 'k'));
      expect([full.status, full.body, full.headers.get('retry-after')]).toEqual([
        503,
        { code: 503, error: 'quarantine_full', message: expect.stringContaining('1 callbacks not yet promoted') },
        '60',
      ]);

      expect((await cli(['promote', first.headers.get('callback-event-id')!], dir)).code).toBe(0);
      await projectEverything(service);
      const retried = await postCallback(service.url, latePush('12', 960, 'k'));
      expect([retried.status, retried.headers.get('callback-stored')]).toEqual([200, 'quarantined']);
    } finally {
      await service.close();
    }
  });
});
