// Forwarding wired into the service: FORWARD_CONFIG's destinations receive stored callbacks; GraphQL shows them and their delivery log.
import { Webhook } from 'standardwebhooks';
import type { RunningService } from '../../src/server';
import { DESTINATIONS_QUERY, operate, operateUntil, pushCallback, writeForwardConfig } from '../support/forwardingService';
import { freePort } from '../support/loopbackSockets';
import { scrape, valueOf } from '../support/metricsText';
import { postCallback, startTestService, tempDataDir } from '../support/testService';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 1000 };

describe('forwarding in the service', () => {
  const data = tempDataDir();
  let service: RunningService | undefined;
  const receivers: WebhookReceiver[] = [];

  afterEach(async () => {
    await service?.close();
    service = undefined;
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });
  afterAll(() => data.remove());

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };

  it('delivers every stored callback to each destination that wants it, raw as sent or signed, and shows each destination', async () => {
    const [raw, signed] = [await receiver(), await receiver()];
    const config = writeForwardConfig(data.dir, [
      { name: 'handler', url: raw.url, format: 'raw', startFrom: 'beginning', retry: FAST_RETRY },
      { name: 'billing', url: `${signed.url}?token=s3cret-in-the-url&v=2`, format: 'standard-webhooks', secret: SECRET, filter: { types: ['StreamInterrupted'] }, startFrom: 'beginning' },
    ]);
    service = await startTestService(`${data.dir}/a`, { FORWARD_CONFIG: config });
    const bodies = [pushCallback('701', 1), pushCallback('702', 2), { event_type: 0, sequence: '701', stream_id: 'live1', errcode: 1, event_time: 1_700_000_100 }];
    for (const body of bodies) expect((await postCallback(service.url, JSON.stringify(body))).status).toBe(200);

    await raw.waitFor((r) => r.length === 3);
    // Every one, as sent; in order within a stream (the promise), not across streams (deliveries run side by side).
    const delivered = raw.received.map((r) => JSON.parse(r.body.toString('utf8')) as { sequence: string });
    expect(delivered).toHaveLength(3);
    expect(delivered).toEqual(expect.arrayContaining(bodies));
    expect(delivered.filter((body) => body.sequence === '701')).toEqual([bodies[0], bodies[2]]);
    await signed.waitFor((r) => r.length === 1);
    const verified = new Webhook(SECRET).verify(signed.received[0]!.body.toString('utf8'), signed.received[0]!.headers as Record<string, string>);
    expect(verified).toMatchObject({ type: 'StreamInterrupted', data: { stream: 'session-701', position: '3' } });

    const { data: answer, errors } = await operateUntil(service.url, DESTINATIONS_QUERY, (a) => a.data?.destinations.every((d: { lagEvents: number }) => d.lagEvents === 0));
    expect(errors).toBeUndefined();
    const byName = Object.fromEntries(answer!.destinations.map((d: { name: string }) => [d.name, d]));
    expect(byName.handler).toMatchObject({ url: raw.url, format: 'raw', status: 'ACTIVE', paused: false, breaker: 'CLOSED', lagEvents: 0, deliveredThrough: '3', deadLetterCount: 0 });
    // The last delivered: 702's push or 701's interruption, whichever finished last (701's push comes before its interruption).
    expect(['2', '3']).toContain(byName.handler.lastDeliveredPosition);
    expect(byName.billing).toMatchObject({ format: 'standard-webhooks', deliveredThrough: '3', lastDeliveredPosition: '3' });
    // Sent to the URL as configured; shown with the query's values hidden, as a secret often is one of them.
    expect(signed.received[0]!.path).toBe('/hook?token=s3cret-in-the-url&v=2');
    expect(byName.billing.url).toBe(`${signed.url}?token=…&v=…`);
    expect(JSON.stringify(answer)).not.toContain('s3cret');
  });

  it('lists a destination’s deliveries with each attempt, filtered by status and paged', async () => {
    // The first callback is answered 503 twice, then 200; the others at once.
    let failures = 2;
    const flaky = await receiver((request) => (request.headers['x-css-ledger-position'] === '1' && failures-- > 0 ? { status: 503 } : { status: 200 }));
    const config = writeForwardConfig(data.dir, [{ name: 'flaky', url: flaky.url, format: 'raw', startFrom: 'beginning', concurrency: 1, retry: FAST_RETRY }]);
    service = await startTestService(`${data.dir}/b`, { FORWARD_CONFIG: config });
    for (const n of [1, 2, 3]) await postCallback(service.url, pushCallback(`80${n}`, n));
    await flaky.waitFor((r) => r.length === 5);

    const query = `query ($after: String) { deliveries(destination: "flaky", status: DELIVERED, first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { eventId stream position status attemptCount attempts { attempt at httpStatus durationMs error } } } }`;
    const first = await operateUntil(service.url, query, (a) => a.data?.deliveries.totalCount === 3);
    await expect(first.errors).toBeUndefined();
    const page = first.data!.deliveries;
    expect(page.totalCount).toBe(3);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.nodes.map((n: { position: string }) => n.position)).toEqual(['3', '2']);
    const second = (await operate(service.url, query, { after: page.pageInfo.endCursor })).data!.deliveries;
    expect(second.pageInfo.hasNextPage).toBe(false);
    const oldest = second.nodes[0];
    expect(oldest).toMatchObject({ position: '1', status: 'DELIVERED', attemptCount: 3 });
    expect(oldest.attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([503, 503, 200]);
    expect(typeof oldest.attempts[0].durationMs).toBe('number');

    const unknown = await operate(service.url, `{ deliveries(destination: "nope") { totalCount } }`);
    expect(unknown.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(unknown.errors?.[0]?.message).toMatch(/no destination is named "nope"/);

    const samples = await scrape(service.url);
    expect(valueOf(samples, 'css_ledger_forward_deliveries_total', { destination: 'flaky', outcome: 'delivered' })).toBe(3);
    expect(valueOf(samples, 'css_ledger_forward_attempt_duration_seconds_count', { destination: 'flaky', result: 'failure' })).toBe(2);
    expect(valueOf(samples, 'css_ledger_forward_breaker_state', { destination: 'flaky', state: 'closed' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_forward_lag_events', { destination: 'flaky' })).toBe(0);
    expect(valueOf(samples, 'css_ledger_forward_dead_letters', { destination: 'flaky' })).toBe(0);
  });

  it('a destination that never answers holds up neither ingest nor another destination', async () => {
    const silent = await receiver(() => 'hang');
    const healthy = await receiver();
    const config = writeForwardConfig(data.dir, [
      { name: 'silent', url: silent.url, format: 'raw', timeoutMs: 60_000, concurrency: 2, maxPending: 10 },
      { name: 'healthy', url: healthy.url, format: 'raw' },
    ]);
    service = await startTestService(`${data.dir}/c`, { FORWARD_CONFIG: config });
    const count = 200;
    const started = Date.now();
    for (let n = 1; n <= count; n++) expect((await postCallback(service.url, pushCallback(String(9000 + n), n))).status).toBe(200);
    const ingestMs = Date.now() - started;
    await healthy.waitFor((r) => r.length === count, 30_000);
    // The silent one holds its two connections and a full window; the rest waits in the log, not in memory.
    const silentState = (await operate(service.url, DESTINATIONS_QUERY)).data!.destinations.find((d: { name: string }) => d.name === 'silent');
    expect(silentState.lagEvents).toBe(count);
    expect(silentState.pendingCount).toBeLessThanOrEqual(10);
    expect(silent.received.length).toBe(2);
    // Generous: 200 sequential posts on a loaded machine, with nothing forwarded in the way.
    expect(ingestMs).toBeLessThan(20_000);
  });

  it("a destination pointed at the ledger's own /callbacks: the signed envelope is refused, dead-lettered at once, never stored", async () => {
    const port = await freePort();
    const config = writeForwardConfig(data.dir, [{ name: 'itself', url: `http://127.0.0.1:${port}/callbacks`, format: 'standard-webhooks', secret: SECRET }]);
    service = await startTestService(`${data.dir}/itself`, { PORT: String(port), FORWARD_CONFIG: config });
    expect((await postCallback(service.url, JSON.stringify(pushCallback('705', 5)))).status).toBe(200);

    const shown = await operateUntil(service.url, DESTINATIONS_QUERY, (answer) => answer.data?.destinations[0]?.deadLetterCount === 1);
    expect(shown.data!.destinations[0]).toMatchObject({
      deadLetterCount: 1,
      pendingCount: 0,
      lastError: expect.stringContaining("HTTP 400: {\"code\":400,\"error\":\"ledger_delivery\",\"message\":\"this is a css-callback-ledger's standard-webhooks delivery"),
    });
    // The log holds the callback alone: no envelope came back to be kept, and forwarded again in a larger one. (The
    // listing is a read model: under load it may not have the callback yet when the dead letter is shown.)
    const logged = await operateUntil(service.url, '{ callbacks(first: 0) { totalCount } }', (answer) => answer.data?.callbacks.totalCount !== 0);
    expect(logged.data).toEqual({ callbacks: { totalCount: 1 } });
  });

  it('without FORWARD_CONFIG nothing is forwarded and the operations say why', async () => {
    service = await startTestService(`${data.dir}/d`, { ADMIN_TOKEN: 'admin-token-0123456789' });
    expect((await operate(service.url, DESTINATIONS_QUERY)).data).toEqual({ destinations: [] });
    const answer = await operate(service.url, `mutation { pauseDestination(destination: "x") { name } }`, {}, 'admin-token-0123456789');
    expect(answer.errors?.[0]?.message).toMatch(/forwarding is off: FORWARD_CONFIG is not set/);
  });
});
