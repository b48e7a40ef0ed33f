// How times, durations and codes read on the dashboard.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
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

/** "3 minutes ago", "yesterday": an ISO time against now. */
export function timeAgo(iso, now = Date.now()) {
  if (iso == null) return '—';
  let amount = (new Date(iso).getTime() - now) / 1000;
  for (const [size, unit] of STEPS) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return '—';
}

/** The full local date and time, for a tooltip and the <time> element. */
export const fullTime = (iso) => (iso == null ? '' : absolute.format(new Date(iso)));

/** "14:05", for the chart's axis. */
export const clockTime = (ms) => clock.format(new Date(ms));

/** "2 h 05 min", "45 s": a length of time in milliseconds. */
export function duration(ms) {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
