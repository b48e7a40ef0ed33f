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

const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A finite number from a number or a numeric string (`"44.15"`, `"1e3"`); null otherwise. */
export function decimal(value: JsonValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    const parsed = Number(value.trim());
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** A yes/no flag from `true`/`false`, 1/0 or their strings; null otherwise. */
export function flag(value: JsonValue | undefined): boolean | null {
  if (typeof value === 'boolean') return value;
  const n = integer(value);
  if (n === 0 || n === 1) return n === 1;
  const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return word === 'true' ? true : word === 'false' ? false : null;
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

/** A value CSS may send as JSON inside a string (`msg`, `callback_ext`, `abnormal_event`): decoded when it is; as is otherwise. */
export function embedded(value: JsonValue | undefined): JsonValue | undefined {
  if (typeof value !== 'string') return value;
  try {
    return parseJsonLosslessly(value);
  } catch {
    return undefined;
  }
}

/** A nested JSON document: CSS sends `msg` as a JSON string; an object is taken as is. */
export function embeddedObject(value: JsonValue | undefined): { [key: string]: JsonValue } | null {
  const parsed = embedded(value);
  return parsed !== undefined && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
}

/** The objects of a list, the list possibly JSON inside a string; a lone object is a list of one. */
export function objectList(value: JsonValue | undefined): { [key: string]: JsonValue }[] {
  const parsed = embedded(value);
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.flatMap((item) => (item !== undefined && item !== null && typeof item === 'object' && !Array.isArray(item) ? [item] : []));
}

/** The texts of a list (a lone text is a list of one); other items are left out. */
export function textList(value: JsonValue | undefined): string[] {
  const parsed = embedded(value);
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.flatMap((item) => (item === undefined ? [] : (text(item) ?? [])));
}

/** The numbers of a list (a lone number is a list of one), numbers sent as strings included. */
export function decimalList(value: JsonValue | undefined): number[] {
  const parsed = embedded(value);
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.flatMap((item) => (item === undefined ? [] : (decimal(item) ?? [])));
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

// reduce, not Math.min(...values): a list as long as a body allows would overflow the call's arguments.
/** The smallest of the numbers given (nulls left out); null when there is none. */
export const smallest = (values: readonly (number | null)[]): number | null =>
  values.reduce<number | null>((min, v) => (v !== null && (min === null || v < min) ? v : min), null);

/** The largest of the numbers given (nulls left out); null when there is none. */
export const largest = (values: readonly (number | null)[]): number | null =>
  values.reduce<number | null>((max, v) => (v !== null && (max === null || v > max) ? v : max), null);
