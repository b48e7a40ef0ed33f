// Pushes and interruptions per minute as an SVG bar chart, kept live from callbackReceived messages. The drawing is
// built once (again when the width changes) and then updated in place: only the bars of minutes that changed move.
//
// Drawn by hand rather than with a chart library: two bar series over sixty minutes take less code
// than a library's set-up would, and SVG (unlike a canvas) gives every minute a readable <title>.
import { clockTime } from './format.js';
import { serviceNow } from './serviceClock.js';

const MINUTE_MS = 60_000;
const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 200;
const PLOT = { left: 34, right: 8, top: 10, bottom: 24 };
const PLOT_HEIGHT = HEIGHT - PLOT.top - PLOT.bottom;

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
    this.lastMinute = Math.floor(serviceNow() / MINUTE_MS) * MINUTE_MS;
    /** The container's width as last laid out; `onResize` hears when it changes. */
    this.width = 0;
    this.onResize = () => undefined;
    new ResizeObserver(([entry]) => {
      // Zero while the page is not laid out (hidden, being captured): the chart keeps the width it had.
      if (entry.contentRect.width === 0 || entry.contentRect.width === this.width) return;
      this.width = entry.contentRect.width;
      this.onResize();
    }).observe(container);
  }

  /** Replaces the counts with a callbackActivity answer. */
  load(activity) {
    this.buckets = new Map(activity.minutes.map((m) => [Date.parse(m.minute), { pushes: m.pushes, interruptions: m.interruptions }]));
    this.throughPosition = BigInt(activity.throughPosition);
    const last = activity.minutes.at(-1);
    if (last !== undefined) this.lastMinute = Math.max(this.lastMinute, Date.parse(last.minute));
    this.roll();
  }

  /** Counts a push or interruption callbackReceived message into its minute, unless the loaded counts hold it already. */
  count(callback) {
    if (callback.type !== 'StreamPushed' && callback.type !== 'StreamInterrupted') return false;
    if (this.throughPosition === null || BigInt(callback.position) <= this.throughPosition) return false;
    const minute = Math.floor(Date.parse(callback.receivedAt) / MINUTE_MS) * MINUTE_MS;
    if (minute < this.firstMinute()) return false;
    const bucket = this.buckets.get(minute) ?? { pushes: 0, interruptions: 0 };
    if (callback.type === 'StreamPushed') bucket.pushes++;
    else bucket.interruptions++;
    this.buckets.set(minute, bucket);
    if (minute > this.lastMinute) {
      this.lastMinute = minute;
      this.roll();
    }
    return true;
  }

  /** Moves the window on to the current minute and forgets what fell out of it. */
  roll(now = serviceNow()) {
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

  /** The SVG's parts that change: one group per minute of the window, the axis labels. */
  build(width) {
    const plotWidth = width - PLOT.left - PLOT.right;
    const slot = plotWidth / this.minutes;
    const chart = svg('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT, role: 'img' });
    const title = svg('title');
    chart.append(title);
    const yLabels = [];
    for (const fraction of [0, 0.5, 1]) {
      const y = PLOT.top + (1 - fraction) * PLOT_HEIGHT;
      chart.append(svg('line', { class: 'grid', x1: PLOT.left, x2: width - PLOT.right, y1: y, y2: y }));
      const label = svg('text', { class: 'axis', x: PLOT.left - 6, y: y + 4, 'text-anchor': 'end' });
      chart.append(label);
      yLabels.push({ fraction, label });
    }
    const slots = [];
    const xLabels = [];
    for (let i = 0; i < this.minutes; i++) {
      const x = PLOT.left + i * slot;
      const barWidth = Math.max(1, slot / 2 - 1);
      const group = svg('g', { class: 'minute' });
      const tip = svg('title');
      // A transparent full-height target, so the tooltip shows over empty minutes too.
      const pushes = svg('rect', { class: 'bar pushes', x: x + 0.5, width: barWidth, y: PLOT.top + PLOT_HEIGHT, height: 0 });
      const interruptions = svg('rect', { class: 'bar interruptions', x: x + 0.5 + barWidth, width: barWidth, y: PLOT.top + PLOT_HEIGHT, height: 0 });
      group.append(tip, svg('rect', { class: 'hover', x, y: PLOT.top, width: slot, height: PLOT_HEIGHT }), pushes, interruptions);
      chart.append(group);
      slots.push({ tip, pushes, interruptions, shown: '' });
      const fromEnd = this.minutes - 1 - i;
      if (fromEnd % 10 === 0) {
        const label = svg('text', { class: 'axis', x: x + slot / 2, y: HEIGHT - 6, 'text-anchor': 'middle' });
        chart.append(label);
        xLabels.push({ i, fromEnd, label });
      }
    }
    this.container.replaceChildren(chart);
    this.view = { width, chart, title, yLabels, slots, xLabels, top: null, label: '' };
  }

  /**
   * Drawn at the container's own width, so that text keeps its size and bars fill the card. The width comes from a
   * ResizeObserver: reading it here, after the tables changed, would force a layout in the middle of every frame.
   */
  render() {
    const width = Math.max(320, Math.round(this.width || 720));
    if (this.view?.width !== width) this.build(width);
    const view = this.view;
    const series = this.series();
    const { pushes, interruptions } = this.totals();
    const top = niceMax(Math.max(1, ...series.map((m) => Math.max(m.pushes, m.interruptions))));
    if (top !== view.top) {
      view.top = top;
      for (const { fraction, label } of view.yLabels) label.textContent = String(top * fraction);
    }
    const height = (value) => (value / top) * PLOT_HEIGHT;
    series.forEach((m, i) => {
      const slot = view.slots[i];
      const shown = `${m.minute}:${m.pushes}:${m.interruptions}:${top}`;
      if (slot.shown === shown) return;
      slot.shown = shown;
      slot.tip.textContent = `${clockTime(m.minute)}: ${plural(m.pushes, 'push')}, ${plural(m.interruptions, 'interruption')}`;
      for (const [bar, value] of [
        [slot.pushes, m.pushes],
        [slot.interruptions, m.interruptions],
      ]) {
        bar.setAttribute('y', String(PLOT.top + PLOT_HEIGHT - height(value)));
        bar.setAttribute('height', String(height(value)));
      }
    });
    for (const { i, fromEnd, label } of view.xLabels) {
      const text = fromEnd === 0 ? 'now' : clockTime(series[i].minute);
      if (label.textContent !== text) label.textContent = text;
    }
    const description = `Last ${this.minutes} minutes: ${plural(pushes, 'push')} and ${plural(interruptions, 'interruption')}`;
    if (description !== view.label) {
      view.label = description;
      view.chart.setAttribute('aria-label', description);
      view.title.textContent = description;
    }
    this.container.dataset.pushes = String(pushes);
    this.container.dataset.interruptions = String(interruptions);
  }
}
