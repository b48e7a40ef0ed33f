// Event ids derived from the callback itself, so that a retried callback maps to the same event.
import { configure } from 'safe-stable-stringify';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import type { CallbackPayload } from './callbackJson';

/** Fields that change on every delivery of the same callback: the signature and its expiry. */
export const VOLATILE_FIELDS: readonly string[] = ['t', 'sign'];

/** Namespace of this service's name-based (v5) UUIDs; changing it would re-key every event. */
const CALLBACK_NAMESPACE = '6b3f5f0e-3c0a-4c53-9d35-3e2b8c1f7a41';
// Bytes in, bytes of the namespace parsed once: uuid's own string-to-bytes conversion is the slow part of a v5.
const NAMESPACE_BYTES = parseUuid(CALLBACK_NAMESPACE);

const canonicalJson = configure({ deterministic: true, bigint: true, circularValue: TypeError });

/**
 * A UUID (as EventStoreDB requires) from the payload without `t` and `sign`, keys sorted,
 * so whitespace, key order and a fresh signature do not change it.
 */
export function callbackEventId(payload: CallbackPayload): string {
  // fromEntries defines own properties, so a `__proto__` key stays data and counts.
  const stable = Object.fromEntries(Object.entries(payload).filter(([key]) => !VOLATILE_FIELDS.includes(key)));
  return uuidv5(Buffer.from(canonicalJson(stable) as string, 'utf8'), NAMESPACE_BYTES);
}
