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

/** Digits a double holds exactly, whatever they are (DBL_DIG): a number token with no more needs no lossless parse. */
const EXACT_DIGITS = 15;

/**
 * One pass over the text, strings skipped: whether arrays and objects nest deeper than `limit`, and whether any
 * number might not survive a double (more than 15 digits, or an exponent that may overflow or underflow).
 */
function scan(text: string, limit: number): { tooDeep: boolean; wideNumbers: boolean } {
  let depth = 0;
  let inString = false;
  let digits = 0;
  let wideNumbers = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > EXACT_DIGITS) wideNumbers = true;
    } else if (c === 0x2e) {
      // a decimal point continues the number: its digits count together
    } else {
      if ((c === 0x65 || c === 0x45) && digits > 0) wideNumbers = true; // e/E after a digit: an exponent
      digits = 0;
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++depth > limit) return { tooDeep: true, wideNumbers };
      } else if (c === 0x7d || c === 0x5d) depth--;
    }
  }
  return { tooDeep: false, wideNumbers };
}

/**
 * Parses any JSON text (lossless numbers); throws SyntaxError on malformed or too deeply nested input. Most bodies
 * carry no number a double cannot hold: those take the engine's JSON.parse, the same values at a fraction of the cost.
 * A key given twice keeps its last value on both paths, as JSON.parse does.
 */
export function parseJsonLosslessly(text: string): JsonValue {
  const { tooDeep, wideNumbers } = scan(text, MAX_NESTING_DEPTH);
  if (tooDeep) throw new SyntaxError(`nesting deeper than ${MAX_NESTING_DEPTH} levels`);
  if (!wideNumbers) return JSON.parse(text) as JsonValue;
  return parse(text, undefined, { parseNumber, onDuplicateKey: ({ newValue }) => newValue }) as JsonValue;
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
