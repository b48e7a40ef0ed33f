import { authenticateCallback, md5Hex, type CallbackAuthConfig } from '../../src/ingest/authenticateCallback';

const NOW = 1_700_000_000;
const keys = (...k: string[]): CallbackAuthConfig => ({ keys: k, token: null, clockSkewSeconds: 30 });
const signed = (key: string, t: number | string, extra: object = {}) => ({
  event_type: 1,
  ...extra,
  t,
  sign: md5Hex(key + String(t)),
});

describe('authenticateCallback', () => {
  it('accepts everything when neither keys nor token are configured', () => {
    expect(authenticateCallback({ event_type: 1 }, undefined, { keys: [], token: null, clockSkewSeconds: 0 }, NOW)).toEqual({
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
    const outcome = authenticateCallback({ event_type: 314 }, undefined, keys('k'), NOW);
    expect(outcome).toEqual({ ok: false, error: 'unauthenticated', message: expect.stringContaining('t and sign') });
  });

  describe('with a URL token', () => {
    const both: CallbackAuthConfig = { keys: ['k'], token: 's3cret', clockSkewSeconds: 30 };

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

    it('accepts a signed callback without the token', () => {
      expect(authenticateCallback(signed('k', NOW + 60), undefined, both, NOW)).toMatchObject({ ok: true, by: 'signature' });
    });

    it('with only a token configured, requires it from signed callbacks too', () => {
      const tokenOnly: CallbackAuthConfig = { keys: [], token: 's3cret', clockSkewSeconds: 30 };
      expect(authenticateCallback(signed('k', NOW + 60), undefined, tokenOnly, NOW)).toMatchObject({
        ok: false,
        error: 'unauthenticated',
      });
      expect(authenticateCallback(signed('k', NOW + 60), 's3cret', tokenOnly, NOW)).toEqual({ ok: true, by: 'token' });
    });
  });
});
