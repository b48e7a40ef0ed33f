// The forwarding operations through GraphQL: refused without ADMIN_TOKEN, then pause, resume, replay and redelivery of dead letters.
import type { RunningService } from '../../src/server';
import { DESTINATIONS_QUERY, operate, pushCallback, writeForwardConfig } from '../support/forwardingService';
import { postCallback, startTestService, tempDataDir } from '../support/testService';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const ADMIN = 'admin-token-0123456789';
const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20 };

describe('forwarding operations', () => {
  const data = tempDataDir();
  let service: RunningService | undefined;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
    await receiver.stop();
  });
  afterAll(() => data.remove());

  const start = async (folder: string, env: Record<string, string> = { ADMIN_TOKEN: ADMIN }) => {
    const config = writeForwardConfig(data.dir, [{ name: 'hook', url: receiver.url, format: 'raw', retry: FAST_RETRY }]);
    service = await startTestService(`${data.dir}/${folder}`, { FORWARD_CONFIG: config, ...env });
    return service;
  };
  const destination = async (url: string) => (await operate(url, DESTINATIONS_QUERY)).data!.destinations[0];
  const eventually = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 300; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`not within 15 s: ${what}`);
  };

  it('refuses the mutations without ADMIN_TOKEN set, without the header, and with a wrong token', async () => {
    const off = await start('off', {});
    const pause = `mutation { pauseDestination(destination: "hook") { paused } }`;
    expect((await operate(off.url, pause, {}, ADMIN)).errors?.[0]).toMatchObject({
      message: 'operations are disabled: set ADMIN_TOKEN on the service to allow them',
      extensions: { code: 'FORBIDDEN' },
    });
    await off.close();
    const on = await start('on');
    expect((await operate(on.url, pause)).errors?.[0]?.message).toMatch(/requires the admin token: send it in the X-Admin-Token header/);
    expect((await operate(on.url, pause, {}, `${ADMIN}x`)).errors?.[0]?.message).toBe('the X-Admin-Token header does not match ADMIN_TOKEN');
    expect((await destination(on.url)).paused).toBe(false);
  });

  it('pauses and resumes a destination: held while paused, delivered once resumed', async () => {
    const { url } = await start('pause');
    const paused = await operate(url, `mutation { pauseDestination(destination: "hook") { name status paused } }`, {}, ADMIN);
    expect(paused.data).toEqual({ pauseDestination: { name: 'hook', status: 'PAUSED', paused: true } });
    await postCallback(url, pushCallback('501', 1));
    await eventually(async () => (await destination(url)).pendingCount === 1, 'the callback pending');
    expect(receiver.received).toHaveLength(0);
    const resumed = await operate(url, `mutation { resumeDestination(destination: "hook") { status paused } }`, {}, ADMIN);
    expect(resumed.data).toEqual({ resumeDestination: { status: 'ACTIVE', paused: false } });
    await receiver.waitFor((r) => r.length === 1);
  });

  it('replays a range of positions with the same webhook-id, and redelivers dead letters', async () => {
    const { url } = await start('replay');
    for (const n of [1, 2, 3]) await postCallback(url, pushCallback(`60${n}`, n));
    await receiver.waitFor((r) => r.length === 3);
    const replay = `mutation ($from: String, $to: String) { replayToDestination(destination: "hook", fromPosition: $from, toPosition: $to) { destination offered } }`;
    expect((await operate(url, replay, { from: '2', to: '3' }, ADMIN)).data).toEqual({ replayToDestination: { destination: 'hook', offered: 2 } });
    await receiver.waitFor((r) => r.length === 5);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    // Two streams, delivered in parallel: in either order.
    expect(ids.slice(3).sort()).toEqual(ids.slice(1, 3).sort());
    expect((await operate(url, replay, { from: '3', to: '2' }, ADMIN)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const noRange = (await operate(url, replay, {}, ADMIN)).errors?.[0];
    expect(noRange?.message).toMatch(/give the range to replay: fromPosition and toPosition, or from and to$/);

    receiver.answerWith(() => ({ status: 410 }));
    await postCallback(url, pushCallback('604', 4));
    await eventually(async () => (await destination(url)).deadLetterCount === 1, 'a dead letter');
    receiver.answerWith(() => ({ status: 200 }));
    const redeliver = `mutation { redeliverDeadLetters(destination: "hook") { redelivered } }`;
    expect((await operate(url, redeliver, {}, ADMIN)).data).toEqual({ redeliverDeadLetters: { redelivered: 1 } });
    await receiver.waitFor((r) => r.length === 7);
    expect(receiver.received[6]!.headers['webhook-id']).toBe(receiver.received[5]!.headers['webhook-id']);
    await eventually(async () => (await destination(url)).deadLetterCount === 0, 'no dead letter left');
  });
});
