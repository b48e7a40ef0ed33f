// Comparing secrets (tokens, signatures) in time that does not depend on where they differ.
import { createHash, timingSafeEqual } from 'node:crypto';

/** Hashing first makes the lengths equal, so even the length of the secret does not leak. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Whether `given` equals any of `secrets`, checking every one so timing does not tell which. */
export function matchingSecretIndex(given: string, secrets: readonly string[]): number {
  let index = -1;
  secrets.forEach((secret, i) => {
    if (sameSecret(given, secret) && index < 0) index = i;
  });
  return index;
}
