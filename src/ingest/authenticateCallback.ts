// Decides whether a callback comes from CSS: `sign = MD5(key + t)` with `t` neither expired nor too far ahead, or the URL token.
import { hash } from 'node:crypto';
import type { CallbackPayload } from '../domain/callbackJson';
import type { AuthenticatedBy } from '../domain/callbackEvents';
import { EVENT_TYPE_RELAY } from '../domain/interpretCallback';
import type { ErrorSlugs } from '../errors/catalogue';
import { matchingSecretIndex, sameSecret } from '../http/secrets';

export interface CallbackAuthConfig {
  /** CSS callback keys; several during a rotation. */
  keys: readonly string[];
  /** Secret carried as `?token=` by callbacks without `t`/`sign` (relay callbacks). */
  token: string | null;
  /** How far in the past `t` may be, for clocks that disagree a little. */
  clockSkewSeconds: number;
  /** How far ahead `t` may be: CSS signs for 10 minutes, so a later expiry is not CSS's and would make a long-lived credential. */
  maxExpiryAheadSeconds: number;
  /** How far in the past `t` may be for an authentic callback to be quarantined rather than refused; 0: never quarantined. */
  quarantineMaxLateSeconds: number;
}

/** An authentic signature whose `t` has passed: the callback may be kept aside, outside the log. */
export interface LateSignature {
  keyIndex: number;
  /** The callback's expiry, unix seconds. */
  t: number;
  /** How far in the past `t` was when the callback arrived. */
  lateSeconds: number;
}

export type AuthError = ErrorSlugs<'bad_signature' | 'expired' | 'expiry_too_far' | 'bad_token' | 'unauthenticated'>;

export type AuthOutcome =
  | { ok: true; by: AuthenticatedBy; keyIndex?: number }
  /**
   * Refused. `quarantine` is set only for an expired signature that is right for a configured key and late by
   * at most quarantineMaxLateSeconds; a caller that ignores it refuses the callback, which is the safe default.
   */
  | { ok: false; error: AuthError; message: string; quarantine?: LateSignature };

export const authenticationEnabled = (config: CallbackAuthConfig): boolean =>
  config.keys.length > 0 || config.token !== null;

export function md5Hex(value: string): string {
  return hash('md5', value, 'hex');
}


function signatureInput(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d{1,12}$/.test(value)) return value;
  return null;
}

function verifySignature(payload: CallbackPayload, config: CallbackAuthConfig, nowSeconds: number): AuthOutcome {
  const t = signatureInput(payload.t);
  const sign = typeof payload.sign === 'string' ? payload.sign.trim().toLowerCase() : null;
  if (t === null || sign === null) {
    return { ok: false, error: 'bad_signature', message: 'callback must carry both t (unix seconds) and sign' };
  }
  // The signature first: a forged one is bad_signature whatever its t, so it is never quarantined.
  const keyIndex = matchingSecretIndex(sign, config.keys.map((key) => md5Hex(key + t)));
  if (keyIndex < 0) return { ok: false, error: 'bad_signature', message: 'sign does not match MD5(key + t) for any configured key' };
  const expiry = Number(t);
  const ahead = expiry - nowSeconds;
  if (ahead > config.maxExpiryAheadSeconds) {
    return {
      ok: false,
      error: 'expiry_too_far',
      // CSS signs from its own clock: every signed callback refused so says this service's clock is behind.
      message:
        `t ${t} is ${ahead} s ahead, more than the ${config.maxExpiryAheadSeconds} s allowed: CSS signs for 10 minutes ` +
        `(when every signed callback is refused so, this service's clock is about ${ahead - 600} s behind: is it synchronized?)`,
    };
  }
  const lateSeconds = -ahead;
  if (lateSeconds > config.clockSkewSeconds) {
    const message = `t ${t} is ${lateSeconds} s in the past: the signature has expired`;
    if (lateSeconds > config.quarantineMaxLateSeconds) return { ok: false, error: 'expired', message };
    return { ok: false, error: 'expired', message, quarantine: { keyIndex, t: expiry, lateSeconds } };
  }
  return { ok: true, by: 'signature', keyIndex };
}

/**
 * Rules, in order: with no keys and no token configured everything is accepted (development);
 * a token given in the URL must be right; a callback carrying `t` or `sign` must verify against
 * the keys when keys are configured; otherwise the right token authenticates it. `asWritten`: the
 * token's text as the URL wrote it (urlToken.ts), right too when it is the configured token; asked
 * only when the decoded token is not.
 */
export function authenticateCallback(
  payload: CallbackPayload,
  token: string | undefined,
  config: CallbackAuthConfig,
  nowSeconds: number,
  asWritten: () => readonly string[] = () => [],
): AuthOutcome {
  if (!authenticationEnabled(config)) return { ok: true, by: 'none' };
  const tokenGiven = token !== undefined && token !== '';
  const configured = config.token;
  const tokenRight =
    tokenGiven && configured !== null && (sameSecret(token, configured) || asWritten().some((text) => text !== token && sameSecret(text, configured)));
  if (tokenGiven && !tokenRight) {
    // Keys alone configured: any token is wrong, and the callback URL (not the token) is what to mend.
    const message =
      configured === null
        ? 'the URL carries ?token= but no callback token is configured (CSS_CALLBACK_TOKEN): set it, or take ?token= out of the callback URL'
        : 'token is not the configured callback token';
    return { ok: false, error: 'bad_token', message };
  }

  const signed = Object.hasOwn(payload, 'sign') || Object.hasOwn(payload, 't');
  if (signed && config.keys.length > 0) return verifySignature(payload, config, nowSeconds);
  if (tokenRight) return { ok: true, by: 'token' };

  const ways = [config.keys.length > 0 ? 't and sign' : null, config.token !== null ? '?token=' : null].filter(Boolean);
  const unsigned = config.token === null && isRelayCallback(payload) ? ': CSS does not sign relay callbacks (event_type 314), set CSS_CALLBACK_TOKEN and add ?token=<it> to the relay task\'s callback URL' : '';
  return { ok: false, error: 'unauthenticated', message: `callback carries no proof of origin: expected ${ways.join(' or ')}${unsigned}` };
}

/** A relay ("pull-push") task's callback: CSS sends these without `t` and `sign`. */
const isRelayCallback = (payload: CallbackPayload): boolean => String(payload.event_type) === EVENT_TYPE_RELAY;
