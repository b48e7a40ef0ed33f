// Parses a callback body without losing digits: 64-bit numbers such as `sequence` stay decimal strings.
import { isSafeNumber, parse } from 'lossless-json';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type CallbackPayload = { [key: string]: JsonValue };

export type ParsedBody =
  | { ok: true; payload: CallbackPayload }
  | { ok: false; error: 'invalid_json' | 'not_an_object'; message: string };

/** Numbers that a double holds exactly become numbers; the others keep their digits as a string. */
function parseNumber(text: string): number | string {
  return isSafeNumber(text) ? Number(text) : text;
}

/** Parses any JSON text (lossless numbers); throws SyntaxError on malformed input. */
export function parseJsonLosslessly(text: string): JsonValue {
  return parse(text, undefined, parseNumber) as JsonValue;
}

export function parseCallbackBody(text: string): ParsedBody {
  let value: JsonValue;
  try {
    value = parseJsonLosslessly(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: 'invalid_json', message: `body is not valid JSON: ${detail}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    return { ok: false, error: 'not_an_object', message: `body must be a JSON object, got ${kind}` };
  }
  return { ok: true, payload: value };
}
