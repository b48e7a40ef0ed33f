// How times, durations and codes read on the dashboard.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
// "3s ago", "26m ago": for a narrow column, where "3 seconds ago" would break a word over two lines.
const narrowRelative = new Intl.RelativeTimeFormat(undefined, { numeric: 'always', style: 'narrow' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

const STEPS = [
  [60, 'second'],
  [60, 'minute'],
  [24, 'hour'],
  [30, 'day'],
  [12, 'month'],
  [Infinity, 'year'],
];

/** "3 minutes ago", "yesterday" (narrow: "3m ago", "1d ago"): an ISO time against now. */
export function timeAgo(iso, now = Date.now(), narrow = false) {
  if (iso == null) return '—';
  const format = narrow ? narrowRelative : relative;
  let amount = (new Date(iso).getTime() - now) / 1000;
  for (const [size, unit] of STEPS) {
    if (Math.abs(amount) < size) return format.format(Math.round(amount), unit);
    amount /= size;
  }
  return '—';
}

/** The full local date and time, for a tooltip and the <time> element. */
export const fullTime = (iso) => (iso == null ? '' : absolute.format(new Date(iso)));

/** "14:05", for the chart's axis. */
export const clockTime = (ms) => clock.format(new Date(ms));

/** "2 h 05 min", "45 s" (narrow: "2h 05m", "45s"): a length of time in milliseconds. */
export function duration(ms, narrow = false) {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  const [s, min, h, d] = narrow ? ['s', 'm', 'h', 'd'] : [' s', ' min', ' h', ' d'];
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}${s}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}${min} ${String(seconds % 60).padStart(2, '0')}${s}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}${h} ${String(minutes % 60).padStart(2, '0')}${min}`;
  return `${Math.floor(hours / 24)}${d} ${hours % 24}${h}`;
}

/**
 * Characters that show nothing yet change what is around them: bidirectional overrides and isolates
 * (U+202A-202E, U+2066-2069), marks (U+200E, U+200F, U+061C), zero-width and other format characters (Cf),
 * line and paragraph separators, and control characters other than tab and line breaks.
 */
const HIDDEN = /[\p{Cf}\p{Zl}\p{Zp}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'gu');

/** `\u202E`, or `\u{E0041}` beyond the first plane: how a hidden character is written on the page. */
export function escapeOf(character) {
  const code = character.codePointAt(0);
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

/**
 * Callback-supplied text cut into plain parts and hidden characters, so each hidden one can be shown as its
 * escape: `live\u202Eabc` must read as such, not reversed. Plain parts are strings, hidden ones `{ escape, code }`.
 */
export function visibleParts(text) {
  const value = String(text);
  if (!HIDDEN.test(value)) return [value];
  const parts = [];
  let from = 0;
  for (const match of value.matchAll(HIDDEN_ALL)) {
    if (match.index > from) parts.push(value.slice(from, match.index));
    parts.push({ escape: escapeOf(match[0]), code: match[0].codePointAt(0) });
    from = match.index + match[0].length;
  }
  if (from < value.length) parts.push(value.slice(from));
  return parts;
}

/** The text with each hidden character written as its escape, for a tooltip (which cannot mark them). */
export const escapedText = (text) => visibleParts(text).map((part) => (typeof part === 'string' ? part : part.escape)).join('');

/** The later of two log positions, decimal strings of any length (the longer is the greater); `a` may be null. */
export const laterPosition = (a, b) => (a === null || b.length > a.length || (b.length === a.length && b > a) ? b : a);
