import { postCallback, signCallback, useTestService } from '../support/testService';

const KEYS = ['retired-key', 'current-key'];
const TOKEN = 'relay-url-token-123';
const push = { event_type: 1, sequence: '6674468118806626493', stream_id: 'test_stream', app: 'test.domain.com' };
const relayStart = { event_type: 314, callback_event: 'TaskStart', task_id: '118148', msg: '{"task_start_time":0}' };

describe('POST /callbacks with keys and a token configured', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEYS.join(','), CSS_CALLBACK_TOKEN: TOKEN });
  const storedCount = async () => (await fixture.service.store.readAll({ maxCount: 100_000 })).length;

  it('stores a push signed with either key, and records which key verified it', async () => {
    const first = await postCallback(fixture.service.url, signCallback(push, 'current-key'));
    expect([first.status, first.body]).toEqual([200, { code: 0 }]);
    const [event] = await fixture.service.store.readStream('session-6674468118806626493');
    expect(event!.metadata).toMatchObject({ authenticatedBy: 'signature', keyIndex: 1 });
  });

  it('takes a retry with a fresh t and sign (here from the other key) as the same event', async () => {
    const retry = await postCallback(fixture.service.url, signCallback(push, 'retired-key', Math.floor(Date.now() / 1000) + 300));
    expect([retry.status, retry.body, retry.headers.get('callback-stored')]).toEqual([200, { code: 0 }, 'duplicate']);
    expect(await fixture.service.store.readStream('session-6674468118806626493')).toHaveLength(1);
  });

  it('stores an unsigned relay callback that carries the URL token', async () => {
    const response = await postCallback(fixture.service.url, relayStart, { query: `?token=${TOKEN}` });
    expect(response.status).toBe(200);
    const [event] = await fixture.service.store.readStream('relaytask-118148');
    expect(event!.metadata).toMatchObject({ authenticatedBy: 'token' });
  });

  it.each([
    ['a sign made with an unknown key', () => signCallback({ ...push, sequence: '2' }, 'stolen-key'), '', 'bad_signature'],
    ['a t expired longer ago than the quarantine takes', () => signCallback({ ...push, sequence: '3' }, 'current-key', Math.floor(Date.now() / 1000) - 2 * 86_400), '', 'expired'],
    ['a right sign for a t ten years ahead', () => signCallback({ ...push, sequence: '8' }, 'current-key', Math.floor(Date.now() / 1000) + 10 * 365 * 86_400), '', 'expiry_too_far'],
    ['a right sign for a t just past the 660 s allowed', () => signCallback({ ...push, sequence: '9' }, 'current-key', Math.floor(Date.now() / 1000) + 700), '', 'expiry_too_far'],
    ['no t and no sign', () => ({ ...push, sequence: '4' }), '', 'unauthenticated'],
    ['a wrong token', () => ({ ...relayStart, task_id: '5' }), '?token=guessed-token', 'bad_token'],
    ['a wrong token on a signed callback', () => signCallback({ ...push, sequence: '6' }, 'current-key'), '?token=nope', 'bad_token'],
    ['an unsigned relay callback without token', () => ({ ...relayStart, task_id: '7' }), '', 'unauthenticated'],
  ])('rejects %s with 401 and stores nothing', async (_label, body, query, error) => {
    const before = await storedCount();
    const response = await postCallback(fixture.service.url, body(), { query });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ code: 401, error, message: expect.any(String) });
    expect(await storedCount()).toBe(before);
  });
});

describe('POST /callbacks with a token that URLs change when it is not percent-encoded', () => {
  // What an operator may well paste into the relay task's callback URL as it is: +, & and % mean something there.
  const RAW_TOKEN = 'relay+t0ken&x%41y';
  const fixture = useTestService({ CSS_CALLBACK_TOKEN: RAW_TOKEN });
  const relay = (taskId: string) => ({ ...relayStart, task_id: taskId });

  it.each([
    ['pasted as it is', `?token=${RAW_TOKEN}`],
    ['percent-encoded', `?token=${encodeURIComponent(RAW_TOKEN)}`],
    ['pasted as it is, after another parameter', `?from=css&token=${RAW_TOKEN}`],
    ['pasted as it is, before another parameter', `?token=${RAW_TOKEN}&from=css`],
  ])('takes it %s', async (label, query) => {
    const response = await postCallback(fixture.service.url, relay(label), { query });
    expect([response.status, response.body]).toEqual([200, { code: 0 }]);
  });

  it.each([
    ['cut at the &', '?token=relay+t0ken'],
    ['with a + read as a space and nothing after', '?token=relay t0ken&x%41y'.replace(' ', '%20')],
    ['decoded where it should not be', '?token=relay+t0ken&xAy'],
    ['with more after it than another parameter', `?token=${RAW_TOKEN}x`],
  ])('refuses it %s: only the whole token, as configured, passes', async (_label, query) => {
    const response = await postCallback(fixture.service.url, relay('refused'), { query });
    expect([response.status, (response.body as { error: string }).error]).toEqual([401, 'bad_token']);
  });
});
