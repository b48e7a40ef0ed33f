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

/** Deeper documents are refused: no callback nests like that, and recursion over them would overflow the stack. */
export const MAX_NESTING_DEPTH = 512;

/** Whether arrays and objects nest deeper than `limit`, brackets inside strings aside. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Parses any JSON text (lossless numbers); throws SyntaxError on malformed or too deeply nested input. */
export function parseJsonLosslessly(text: string): JsonValue {
  if (nestsDeeperThan(text, MAX_NESTING_DEPTH)) {
    throw new SyntaxError(`nesting deeper than ${MAX_NESTING_DEPTH} levels`);
  }
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
