// Reads CSS timestamps, which come in seconds, milliseconds or microseconds (and as numbers or strings), as Unix milliseconds.
import type { JsonValue } from './callbackJson';
import { decimal } from './fieldValues';

// Seconds stay below 1e11 until the year 5138; milliseconds pass 1e11 in 1973, microseconds pass 1e14 in 1973.
const SECONDS_BELOW = 1e11;
const MILLISECONDS_BELOW = 1e14;
const MICROSECONDS_BELOW = 1e17;

/**
 * An instant as Unix milliseconds, whatever unit CSS wrote it in (told apart by magnitude: the
 * documents call `occur_time` a Unix timestamp and the examples send milliseconds). 0, negatives
 * and anything that is not a number are "not given": null.
 */
export function unixMillis(value: JsonValue | undefined): number | null {
  const n = decimal(value);
  if (n === null || n <= 0) return null;
  if (n < SECONDS_BELOW) return Math.round(n * 1000);
  if (n < MILLISECONDS_BELOW) return Math.round(n);
  if (n < MICROSECONDS_BELOW) return Math.floor(n / 1000);
  return Math.floor(n / 1e6);
}

/**
 * `start_time` with its `start_time_usec`: the documents send whole seconds plus the microseconds
 * within that second (`316441`); a full microsecond timestamp in the `_usec` field is taken as is.
 */
export function unixMillisWithMicros(seconds: JsonValue | undefined, micros: JsonValue | undefined): number | null {
  const base = unixMillis(seconds);
  const fraction = decimal(micros);
  if (fraction !== null && fraction >= MILLISECONDS_BELOW && fraction < MICROSECONDS_BELOW) return Math.floor(fraction / 1000);
  if (base === null || fraction === null || fraction <= 0 || fraction >= 1e6 || base % 1000 !== 0) return base;
  return base + Math.floor(fraction / 1000);
}
