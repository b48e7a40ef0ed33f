// DOM building blocks of the dashboard: every text from a callback goes through visibleNodes.
import { fullTime, timeAgo, visibleParts } from './format.js';
import { serviceNow } from './serviceClock.js';

/** Text as DOM nodes, each hidden character (a bidi override, a zero-width space) shown as its escape, marked. */
export function visibleNodes(text) {
  return visibleParts(text).map((part) => {
    if (typeof part === 'string') return part;
    const mark = document.createElement('span');
    mark.className = 'hidden-char';
    mark.textContent = part.escape;
    mark.title = `hidden character U+${part.code.toString(16).toUpperCase().padStart(4, '0')}, shown as its escape`;
    return mark;
  });
}

/** Every text an element gets here goes through visibleNodes: much of it comes from callbacks. */
export function element(name, { className, text, title, data, href } = {}, ...children) {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (href) node.href = href;
  if (text !== undefined && text !== null) node.append(...visibleNodes(text));
  if (title) node.title = title;
  for (const [key, value] of Object.entries(data ?? {})) node.dataset[key] = value;
  node.append(...children);
  return node;
}

/** A <time> that reads "3 minutes ago" ("3m ago" when narrow) and shows the full date on hover; refreshTimes moves it on. */
export function timeElement(iso, narrow = false) {
  const time = element('time', { text: timeAgo(iso, serviceNow(), narrow), title: fullTime(iso), data: narrow ? { narrow: '' } : {} });
  time.dateTime = iso;
  return time;
}

export function timeCell(iso, narrow = false) {
  if (iso == null) return element('td', { className: 'muted', text: '—' });
  return element('td', {}, timeElement(iso, narrow));
}

export const badge = (text, tone) => element('span', { className: `badge ${tone}`, text });

/** Sets plain text (never from a callback) only when it changed: no DOM work for a figure that stays the same. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** Moves every relative time on the page on with the clock, in place. */
export function refreshTimes() {
  const now = serviceNow();
  for (const time of document.querySelectorAll('time[datetime]')) setText(time, timeAgo(time.dateTime, now, time.dataset.narrow !== undefined));
}
