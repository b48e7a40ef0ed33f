// What the dashboard knows: the snapshot, with every subscription message applied on arrival (a few map operations
// each), and which parts of the page those changes touch, for the next frame to draw.
import { laterPosition } from './format.js';

/** Kept in memory: ended sessions and tasks beyond those shown, so that the feed can tell news from an update. */
export const KEPT = { interruptions: 50, tasks: 50 };
/** Feed lines the page shows; older ones are dropped before they are drawn. */
export const FEED_LINES = 12;

/** Whether session `a` comes before `b`, newest first by `time` (ISO strings); the sequence breaks ties, so rows keep their places. */
function newerBy(time, a, b) {
  const [x, y] = [time(a) ?? '', time(b) ?? ''];
  return x === y ? a.sequence > b.sequence : x > y;
}
const newerLive = (a, b) => newerBy((s) => s.pushedAt, a, b);
const newerEnded = (a, b) => newerBy((s) => s.interruptedAt ?? s.pushedAt, a, b);

export class DashboardState {
  constructor(chart) {
    this.chart = chart;
    /** sequence -> session, LIVE ones */
    this.live = new Map();
    /** sequence -> session, ENDED ones, the most recent kept */
    this.ended = new Map();
    /** taskId -> task, the most recently active kept, least recently changed first */
    this.tasks = new Map();
    this.runningTaskIds = new Set();
    /** The service's counts when the snapshot could not load every live session or running task; null otherwise. */
    this.totals = null;
    /** Feed lines not yet shown, oldest first. */
    this.notes = [];
    /** The highest log position among the callbacks applied, as a decimal string. */
    this.position = null;
    /** What changed since the page was last drawn. */
    this.dirty = { live: true, ended: true, tasks: true, chart: true };
  }

  apply(kind, data) {
    if (kind === 'session') this.applySession(data.sessionUpdated);
    else if (kind === 'task') this.applyTask(data.relayTaskUpdated);
    else this.applyCallback(data.callbackReceived);
  }

  /** A feed line; `stream` (a session's streamId and domain) leads it as a link to the stream's page. */
  note(text, tone, stream) {
    this.notes.push({ text, tone, stream, at: new Date().toISOString() });
    if (this.notes.length > 4 * FEED_LINES) this.notes.splice(0, this.notes.length - FEED_LINES);
  }

  /** The newest notes, oldest first, and none left pending. */
  takeNotes() {
    const notes = this.notes.slice(-FEED_LINES);
    this.notes = [];
    return notes;
  }

  applySession(session) {
    const wasLive = this.live.has(session.sequence);
    const wasEnded = this.ended.has(session.sequence);
    if (session.status === 'LIVE' || wasLive) this.dirty.live = true;
    if (session.status === 'LIVE') {
      this.live.set(session.sequence, session);
      if (!wasLive) this.note(' went live', 'ok', session);
      return;
    }
    this.live.delete(session.sequence);
    this.ended.set(session.sequence, session);
    if (this.ended.size > KEPT.interruptions) {
      let oldest = null;
      for (const ended of this.ended.values()) if (oldest === null || newerEnded(oldest, ended)) oldest = ended;
      this.ended.delete(oldest.sequence);
    }
    if (!wasEnded) this.note(` interrupted: ${session.reason ?? `errcode ${session.errcode ?? '?'}`}`, 'bad', session);
    this.dirty.ended = true;
  }

  applyTask(task) {
    const before = this.tasks.get(task.taskId);
    // Re-inserted, so the map stays in order of last change.
    this.tasks.delete(task.taskId);
    this.tasks.set(task.taskId, task);
    if (this.tasks.size > KEPT.tasks) this.tasks.delete(this.tasks.keys().next().value);
    if (task.status === 'RUNNING') this.runningTaskIds.add(task.taskId);
    else this.runningTaskIds.delete(task.taskId);
    if (task.status === 'RUNNING' && before?.status !== 'RUNNING') this.note(`relay task ${task.taskId} started`, 'info');
    if (task.status === 'EXITED' && (before?.status !== 'EXITED' || before.exitedAt !== task.exitedAt)) {
      const message = task.exitMessage ? ` (${task.exitMessage})` : '';
      this.note(`relay task ${task.taskId} exited with code ${task.exitCode ?? '—'}${message}`, task.exitCode === 0 ? 'neutral' : 'bad');
    }
    this.dirty.tasks = true;
  }

  applyCallback(callback) {
    if (this.chart.count(callback)) this.dirty.chart = true;
    this.position = laterPosition(this.position, callback.position);
  }

  load(snapshot) {
    this.live = new Map(snapshot.live.nodes.map((s) => [s.sequence, s]));
    this.ended = new Map(snapshot.ended.nodes.map((s) => [s.sequence, s]));
    // Newest first in the answer; the map keeps the least recently changed first.
    this.tasks = new Map(snapshot.recentTasks.nodes.toReversed().map((t) => [t.taskId, t]));
    this.runningTaskIds = new Set(snapshot.runningTasks.nodes.map((t) => t.taskId));
    const { live, runningTasks } = snapshot;
    const truncated = live.totalCount > live.nodes.length || runningTasks.totalCount > runningTasks.nodes.length;
    this.totals = truncated ? { live: live.totalCount, running: runningTasks.totalCount } : null;
    this.chart.load(snapshot.callbackActivity);
    this.position = snapshot.callbackActivity.throughPosition;
    this.dirty = { live: true, ended: true, tasks: true, chart: true };
  }

  /** The `limit` newest live sessions, without sorting them all (thousands can be live). */
  newestLive(limit) {
    const top = [];
    const sessions = [...this.live.values()];
    // Mostly newest last in the map: read backwards, most are older than the last of `top` and skipped at once.
    for (let i = sessions.length - 1; i >= 0; i--) {
      const session = sessions[i];
      if (top.length === limit && !newerLive(session, top[limit - 1])) continue;
      let at = top.length;
      while (at > 0 && newerLive(session, top[at - 1])) at--;
      top.splice(at, 0, session);
      if (top.length > limit) top.pop();
    }
    return top;
  }

  newestEnded(limit) {
    return [...this.ended.values()].sort((a, b) => (a === b ? 0 : newerEnded(a, b) ? -1 : 1)).slice(0, limit);
  }

  recentTasks(limit) {
    return [...this.tasks.values()].reverse().slice(0, limit);
  }
}
