// Reads callback fields leniently: CSS writes some strings as numbers and some numbers as strings.
import { JsonValue, parseJsonLosslessly } from './callbackJson';

const INTEGER = /^-?\d+$/;

/** A non-empty trimmed string from a string or number; null otherwise. */
export function text(value: JsonValue | undefined): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A safe integer from a number or an integer string (`-22`, `"-22"`); null otherwise. */
export function integer(value: JsonValue | undefined): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && INTEGER.test(value.trim())) {
    const parsed = Number(value.trim());
    return Number.isSafeInteger(parsed) ? parsed : null;
  }
  return null;
}

/** A timestamp or duration where 0 (or nothing) means "not given". */
export function givenInteger(value: JsonValue | undefined): number | null {
  const parsed = integer(value);
  return parsed === 0 ? null : parsed;
}

/** An identifier usable in a stream name: digits kept exactly, 1..128 visible characters. */
export function identifier(value: JsonValue | undefined): string | null {
  const id = text(value);
  return id !== null && /^[\x21-\x7e]{1,128}$/.test(id) ? id : null;
}

/** A nested JSON document: CSS sends `msg` as a JSON string; an object is taken as is. */
export function embeddedObject(value: JsonValue | undefined): { [key: string]: JsonValue } | null {
  let parsed: JsonValue | undefined = value;
  if (typeof value === 'string') {
    try {
      parsed = parseJsonLosslessly(value);
    } catch {
      return null;
    }
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
}

/**
 * Source URLs: CSS sends a JSON array inside a string, with a trailing newline.
 * A real array is taken as is; a plain string that is not JSON is one URL.
 */
export function urlList(value: JsonValue | undefined): string[] {
  let list: JsonValue | undefined = value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return [];
    try {
      list = parseJsonLosslessly(trimmed);
    } catch {
      return [trimmed];
    }
  }
  if (typeof list === 'string') return [list];
  if (!Array.isArray(list)) return [];
  return list.map((item) => text(item)).filter((url): url is string => url !== null);
}
