// Pushes and interruptions per minute as an SVG bar chart, kept live from callbackReceived messages.
//
// Drawn by hand rather than with a chart library: two bar series over sixty minutes take less code
// than a library's set-up would, and SVG (unlike a canvas) gives every minute a readable <title>.
import { clockTime } from './format.js';

const MINUTE_MS = 60_000;
const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 200;
const PLOT = { left: 34, right: 8, top: 10, bottom: 24 };

function svg(name, attributes = {}, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A round axis maximum at or above `value`: 1, 2, 5, 10, 20, 50, ... */
function niceMax(value) {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;

export class ActivityChart {
  constructor(container, minutes = 60) {
    this.container = container;
    this.minutes = minutes;
    /** minute start (ms) -> { pushes, interruptions } */
    this.buckets = new Map();
    /** Callbacks up to this log position are in the loaded counts already. */
    this.throughPosition = null;
    this.lastMinute = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  }

  /** Replaces the counts with a callbackActivity answer. */
  load(activity) {
    this.buckets = new Map(activity.minutes.map((m) => [Date.parse(m.minute), { pushes: m.pushes, interruptions: m.interruptions }]));
    this.throughPosition = BigInt(activity.throughPosition);
    const last = activity.minutes.at(-1);
    if (last !== undefined) this.lastMinute = Math.max(this.lastMinute, Date.parse(last.minute));
    this.roll();
  }

  /** Counts a callbackReceived message into its minute, unless the loaded counts hold it already. */
  count(callback) {
    if (this.throughPosition === null || BigInt(callback.position) <= this.throughPosition) return false;
    const minute = Math.floor(Date.parse(callback.receivedAt) / MINUTE_MS) * MINUTE_MS;
    if (minute > this.lastMinute) this.lastMinute = minute;
    const bucket = this.buckets.get(minute) ?? { pushes: 0, interruptions: 0 };
    if (callback.type === 'StreamPushed') bucket.pushes++;
    else if (callback.type === 'StreamInterrupted') bucket.interruptions++;
    this.buckets.set(minute, bucket);
    this.roll();
    return true;
  }

  /** Moves the window on to the current minute and forgets what fell out of it. */
  roll(now = Date.now()) {
    this.lastMinute = Math.max(this.lastMinute, Math.floor(now / MINUTE_MS) * MINUTE_MS);
    const first = this.firstMinute();
    for (const minute of this.buckets.keys()) if (minute < first) this.buckets.delete(minute);
  }

  firstMinute() {
    return this.lastMinute - (this.minutes - 1) * MINUTE_MS;
  }

  /** Every minute of the window, oldest first. */
  series() {
    const first = this.firstMinute();
    return Array.from({ length: this.minutes }, (_, i) => {
      const minute = first + i * MINUTE_MS;
      return { minute, ...(this.buckets.get(minute) ?? { pushes: 0, interruptions: 0 }) };
    });
  }

  totals() {
    return this.series().reduce((sum, m) => ({ pushes: sum.pushes + m.pushes, interruptions: sum.interruptions + m.interruptions }), {
      pushes: 0,
      interruptions: 0,
    });
  }

  render() {
    const series = this.series();
    const { pushes, interruptions } = this.totals();
    const top = niceMax(Math.max(1, ...series.map((m) => Math.max(m.pushes, m.interruptions))));
    // Drawn at the container's own width, so that text keeps its size and bars fill the card.
    const WIDTH = Math.max(320, Math.round(this.container.clientWidth || 720));
    const plotWidth = WIDTH - PLOT.left - PLOT.right;
    const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
    const slot = plotWidth / series.length;
    const barWidth = Math.max(1, slot / 2 - 1);
    const y = (value) => PLOT.top + plotHeight - (value / top) * plotHeight;

    const chart = svg('svg', {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      width: WIDTH,
      height: HEIGHT,
      role: 'img',
      'aria-label': `Last ${this.minutes} minutes: ${plural(pushes, 'push')} and ${plural(interruptions, 'interruption')}`,
    });
    chart.append(svg('title', {}, chart.getAttribute('aria-label')));
    for (const value of [0, top / 2, top]) {
      chart.append(svg('line', { class: 'grid', x1: PLOT.left, x2: WIDTH - PLOT.right, y1: y(value), y2: y(value) }));
      chart.append(svg('text', { class: 'axis', x: PLOT.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, String(value)));
    }
    series.forEach((m, i) => {
      const x = PLOT.left + i * slot;
      const group = svg('g', { class: 'minute' });
      group.append(svg('title', {}, `${clockTime(m.minute)}: ${plural(m.pushes, 'push')}, ${plural(m.interruptions, 'interruption')}`));
      // A transparent full-height target, so the tooltip shows over empty minutes too.
      group.append(svg('rect', { class: 'hover', x, y: PLOT.top, width: slot, height: plotHeight }));
      if (m.pushes > 0) group.append(svg('rect', { class: 'bar pushes', x: x + 0.5, y: y(m.pushes), width: barWidth, height: y(0) - y(m.pushes) }));
      if (m.interruptions > 0) {
        group.append(svg('rect', { class: 'bar interruptions', x: x + 0.5 + barWidth, y: y(m.interruptions), width: barWidth, height: y(0) - y(m.interruptions) }));
      }
      chart.append(group);
      const fromEnd = series.length - 1 - i;
      if (fromEnd % 10 === 0) {
        chart.append(svg('text', { class: 'axis', x: x + slot / 2, y: HEIGHT - 6, 'text-anchor': 'middle' }, fromEnd === 0 ? 'now' : clockTime(m.minute)));
      }
    });
    this.container.replaceChildren(chart);
    this.container.dataset.pushes = String(pushes);
    this.container.dataset.interruptions = String(interruptions);
  }
}
