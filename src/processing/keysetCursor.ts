// Opaque keyset cursors: base64url of [listing, ...sort key]; garbled ones and other listings' are refused.
import { InvalidCursorError } from './pagination';

/** How one sort-key value travels: a safe integer, a text, or a global position (a decimal string, as JSON has no bigint). */
export type KeyKind = 'integer' | 'text' | 'position';
export type KeyValue = number | string | bigint;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const MAX_POSITION = 2n ** 63n - 1n; // SQLite's largest INTEGER

export function encodeCursor(listing: string, key: readonly KeyValue[]): string {
  const values = key.map((value) => (typeof value === 'bigint' ? value.toString() : value));
  return Buffer.from(JSON.stringify([listing, ...values]), 'utf8').toString('base64url');
}

/** The sort key a cursor stands for; throws InvalidCursorError unless this listing gave it out. */
export function decodeCursor(listing: string, cursor: string, kinds: readonly KeyKind[]): KeyValue[] {
  const parts = parseCursor(cursor);
  if (parts === null || parts.length !== kinds.length + 1 || parts[0] !== listing) throw new InvalidCursorError(cursor);
  return kinds.map((kind, i) => {
    const value = decodeKeyValue(kind, parts[i + 1]);
    if (value === null) throw new InvalidCursorError(cursor);
    return value;
  });
}

function parseCursor(cursor: string): unknown[] | null {
  // Buffer.from skips characters outside the alphabet; a cursor must survive the round trip unchanged.
  if (!BASE64URL.test(cursor)) return null;
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor) return null;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    return Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function decodeKeyValue(kind: KeyKind, value: unknown): KeyValue | null {
  switch (kind) {
    case 'integer':
      return Number.isSafeInteger(value) ? (value as number) : null;
    case 'text':
      return typeof value === 'string' ? value : null;
    case 'position':
      return typeof value === 'string' && DECIMAL.test(value) && BigInt(value) <= MAX_POSITION ? BigInt(value) : null;
  }
}
