// Decides whether a callback comes from CSS: `sign = MD5(key + t)` with `t` not yet expired, or the URL token.
import { createHash } from 'node:crypto';
import type { CallbackPayload } from '../domain/callbackJson';
import type { AuthenticatedBy } from '../domain/callbackEvents';
import { matchingSecretIndex, sameSecret } from '../http/secrets';

export interface CallbackAuthConfig {
  /** CSS callback keys; several during a rotation. */
  keys: readonly string[];
  /** Secret carried as `?token=` by callbacks without `t`/`sign` (relay callbacks). */
  token: string | null;
  /** How far in the past `t` may be, for clocks that disagree a little. */
  clockSkewSeconds: number;
}

export type AuthOutcome =
  | { ok: true; by: AuthenticatedBy; keyIndex?: number }
  | { ok: false; error: 'bad_signature' | 'expired' | 'bad_token' | 'unauthenticated'; message: string };

export const authenticationEnabled = (config: CallbackAuthConfig): boolean =>
  config.keys.length > 0 || config.token !== null;

export function md5Hex(value: string): string {
  return createHash('md5').update(value).digest('hex');
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
  const keyIndex = matchingSecretIndex(sign, config.keys.map((key) => md5Hex(key + t)));
  if (keyIndex < 0) return { ok: false, error: 'bad_signature', message: 'sign does not match MD5(key + t) for any configured key' };
  if (Number(t) + config.clockSkewSeconds < nowSeconds) {
    return { ok: false, error: 'expired', message: `t ${t} is in the past: the signature has expired` };
  }
  return { ok: true, by: 'signature', keyIndex };
}

/**
 * Rules, in order: with no keys and no token configured everything is accepted (development);
 * a token given in the URL must be right; a callback carrying `t` or `sign` must verify against
 * the keys when keys are configured; otherwise the right token authenticates it.
 */
export function authenticateCallback(
  payload: CallbackPayload,
  token: string | undefined,
  config: CallbackAuthConfig,
  nowSeconds: number,
): AuthOutcome {
  if (!authenticationEnabled(config)) return { ok: true, by: 'none' };
  const tokenGiven = token !== undefined && token !== '';
  const tokenRight = tokenGiven && config.token !== null && sameSecret(token, config.token);
  if (tokenGiven && !tokenRight) return { ok: false, error: 'bad_token', message: 'token is not the configured callback token' };

  const signed = Object.hasOwn(payload, 'sign') || Object.hasOwn(payload, 't');
  if (signed && config.keys.length > 0) return verifySignature(payload, config, nowSeconds);
  if (tokenRight) return { ok: true, by: 'token' };

  const ways = [config.keys.length > 0 ? 't and sign' : null, config.token !== null ? '?token=' : null].filter(Boolean);
  return { ok: false, error: 'unauthenticated', message: `callback carries no proof of origin: expected ${ways.join(' or ')}` };
}
