import { authenticateCallback, md5Hex, type CallbackAuthConfig } from '../../src/ingest/authenticateCallback';

const NOW = 1_700_000_000;
const BOUNDS = { clockSkewSeconds: 30, maxExpiryAheadSeconds: 630, quarantineMaxLateSeconds: 86_400 };
const keys = (...k: string[]): CallbackAuthConfig => ({ keys: k, token: null, ...BOUNDS });
const signed = (key: string, t: number | string, extra: object = {}) => ({
  event_type: 1,
  ...extra,
  t,
  sign: md5Hex(key + String(t)),
});

describe('authenticateCallback', () => {
  it('accepts everything when neither keys nor token are configured', () => {
    expect(authenticateCallback({ event_type: 1 }, undefined, { keys: [], token: null, ...BOUNDS }, NOW)).toEqual({
      ok: true,
      by: 'none',
    });
  });

  it('accepts sign = MD5(key + t) with t in the future, and says which key matched', () => {
    expect(authenticateCallback(signed('new', NOW + 600), undefined, keys('old', 'new'), NOW)).toEqual({
      ok: true,
      by: 'signature',
      keyIndex: 1,
    });
  });

  it('accepts t written as a string and sign in upper case', () => {
    const payload = { t: String(NOW + 60), sign: md5Hex(`k${NOW + 60}`).toUpperCase() };
    expect(authenticateCallback(payload, undefined, keys('k'), NOW)).toMatchObject({ ok: true, by: 'signature' });
  });

  it('rejects a sign made with another key', () => {
    expect(authenticateCallback(signed('other', NOW + 600), undefined, keys('k'), NOW)).toMatchObject({
      ok: false,
      error: 'bad_signature',
    });
  });

  it('rejects a t in the past beyond the allowed skew, and accepts it within', () => {
    expect(authenticateCallback(signed('k', NOW - 31), undefined, keys('k'), NOW)).toMatchObject({ ok: false, error: 'expired' });
    expect(authenticateCallback(signed('k', NOW - 30), undefined, keys('k'), NOW)).toMatchObject({ ok: true });
  });

  it('rejects a t further ahead than allowed, even with the right sign: one signature must not be a lasting credential', () => {
    const tenYears = authenticateCallback(signed('k', NOW + 10 * 365 * 86_400), undefined, keys('k'), NOW);
    expect(tenYears).toEqual({ ok: false, error: 'expiry_too_far', message: expect.stringContaining('630 s allowed') });
    expect(authenticateCallback(signed('k', NOW + 631), undefined, keys('k'), NOW)).toMatchObject({ ok: false, error: 'expiry_too_far' });
    // A clock behind by an hour: the answer says so, as every signed callback gets it.
    expect(authenticateCallback(signed('k', NOW + 4200), undefined, keys('k'), NOW)).toMatchObject({
      message: expect.stringContaining("this service's clock is about 3600 s behind"),
    });
    expect(authenticateCallback(signed('k', NOW + 630), undefined, keys('k'), NOW)).toMatchObject({ ok: true, by: 'signature' });
  });

  it('marks an authentic but expired signature for the quarantine, with its key and how late t is', () => {
    const outcome = authenticateCallback(signed('new', NOW - 3600), undefined, keys('old', 'new'), NOW);
    expect(outcome).toEqual({
      ok: false,
      error: 'expired',
      message: expect.stringContaining('3600 s in the past'),
      quarantine: { keyIndex: 1, t: NOW - 3600, lateSeconds: 3600 },
    });
  });

  it('refuses an expired signature later than the quarantine takes, or any when the quarantine is off, without quarantine', () => {
    const tooLate = authenticateCallback(signed('k', NOW - 86_401), undefined, keys('k'), NOW);
    expect(tooLate).toEqual({ ok: false, error: 'expired', message: expect.any(String) });
    expect(authenticateCallback(signed('k', NOW - 86_400), undefined, keys('k'), NOW)).toHaveProperty('quarantine.lateSeconds', 86_400);
    const off = authenticateCallback(signed('k', NOW - 60), undefined, { ...keys('k'), quarantineMaxLateSeconds: 0 }, NOW);
    expect(off).toEqual({ ok: false, error: 'expired', message: expect.any(String) });
  });

  it('never quarantines a sign that matches no key, however old its t', () => {
    expect(authenticateCallback(signed('stolen', NOW - 3600), undefined, keys('k'), NOW)).toEqual({
      ok: false,
      error: 'bad_signature',
      message: expect.any(String),
    });
  });

  it('rejects a sign whose t was changed (replay with a later expiry)', () => {
    const payload = { ...signed('k', NOW - 600), t: NOW + 600 };
    expect(authenticateCallback(payload, undefined, keys('k'), NOW)).toMatchObject({ ok: false, error: 'bad_signature' });
  });

  it.each([
    [{ sign: 'abc' }, 'sign without t'],
    [{ t: NOW + 60 }, 't without sign'],
    [{ t: 'soon', sign: md5Hex('ksoon') }, 'a t that is not a number'],
    [{ t: NOW + 60, sign: 12 }, 'a sign that is not a string'],
  ])('rejects %j (%s)', (payload, _label) => {
    expect(authenticateCallback(payload, undefined, keys('k'), NOW)).toMatchObject({ ok: false, error: 'bad_signature' });
  });

  it('rejects an unsigned callback when only keys are configured, naming what is expected', () => {
    const outcome = authenticateCallback({ event_type: 1 }, undefined, keys('k'), NOW);
    expect(outcome).toEqual({ ok: false, error: 'unauthenticated', message: 'callback carries no proof of origin: expected t and sign' });
  });

  it.each([314, '314'])('tells that relay callbacks (event_type %j), which CSS does not sign, need CSS_CALLBACK_TOKEN when only keys are configured', (type) => {
    const outcome = authenticateCallback({ event_type: type }, undefined, keys('k'), NOW);
    expect(outcome).toEqual({
      ok: false,
      error: 'unauthenticated',
      message: "callback carries no proof of origin: expected t and sign: CSS does not sign relay callbacks (event_type 314), set CSS_CALLBACK_TOKEN and add ?token=<it> to the relay task's callback URL",
    });
  });

  describe('with a URL token', () => {
    const both: CallbackAuthConfig = { keys: ['k'], token: 's3cret', ...BOUNDS };

    it('accepts an unsigned relay callback carrying the right token', () => {
      expect(authenticateCallback({ event_type: 314 }, 's3cret', both, NOW)).toEqual({ ok: true, by: 'token' });
    });

    it('rejects a wrong token even on a correctly signed callback', () => {
      expect(authenticateCallback(signed('k', NOW + 60), 'guess', both, NOW)).toMatchObject({ ok: false, error: 'bad_token' });
    });

    it('still verifies a signature that is present: a right token does not excuse a bad sign', () => {
      expect(authenticateCallback(signed('other', NOW + 60), 's3cret', both, NOW)).toMatchObject({
        ok: false,
        error: 'bad_signature',
      });
    });

    it('says that no token is configured when keys alone are and the URL carries one', () => {
      expect(authenticateCallback(signed('k', NOW + 60), 's3cret', keys('k'), NOW)).toEqual({
        ok: false,
        error: 'bad_token',
        message: 'the URL carries ?token= but no callback token is configured (CSS_CALLBACK_TOKEN): set it, or take ?token= out of the callback URL',
      });
      expect(authenticateCallback(signed('k', NOW + 60), 'guess', both, NOW)).toMatchObject({ message: 'token is not the configured callback token' });
    });

    it('accepts a signed callback without the token', () => {
      expect(authenticateCallback(signed('k', NOW + 60), undefined, both, NOW)).toMatchObject({ ok: true, by: 'signature' });
    });

    it('with only a token configured, requires it from signed callbacks too', () => {
      const tokenOnly: CallbackAuthConfig = { keys: [], token: 's3cret', ...BOUNDS };
      expect(authenticateCallback(signed('k', NOW + 60), undefined, tokenOnly, NOW)).toMatchObject({
        ok: false,
        error: 'unauthenticated',
      });
      expect(authenticateCallback(signed('k', NOW + 60), 's3cret', tokenOnly, NOW)).toEqual({ ok: true, by: 'token' });
    });
  });
});
