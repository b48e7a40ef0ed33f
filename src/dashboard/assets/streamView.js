// A stream's page: one stream id on one domain (or on every domain), its sessions newest first, the timeline, push
// anomalies, screenshots, recordings and moderation hits of the session looked at, and its relay tasks, kept live.
import { taskRows } from './dashboardTables.js';
import { badge, setText, timeElement } from './elements.js';
import { laterPosition } from './format.js';
import { query } from './graphqlConnection.js';
import { sessionFilter, SESSION_FIELDS, TASK_FIELDS } from './overviewView.js';
import { MODERATION_FIELDS, moderationRows, RECORDING_FIELDS, recordingRows, SCREENSHOT_FIELDS, showScreenshots } from './mediaPanels.js';
import { anomalyRows, sessionRows, timelineRows } from './streamTables.js';

const SESSIONS_PAGE = 50;
const TASKS_SHOWN = 25;
const TIMELINE_PAGE = 100;
const SCREENSHOTS_SHOWN = 8;
/** A session's details are asked for again at most this often while callbacks keep coming. */
const DETAILS_EVERY_MS = 1_000;
/**
 * The details come from read models that may apply a callback after the message that announced it (a session's
 * update, the callback itself): asked once more this long after the last such message, they show what it brought.
 */
const DETAILS_SETTLE_MS = 1_500;

const SNAPSHOT = `query StreamPage($sessions: SessionFilter, $tasks: RelayTaskFilter) {
  sessions(filter: $sessions, first: ${SESSIONS_PAGE}) { totalCount pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } }
  relayTasks(filter: $tasks, first: ${TASKS_SHOWN}) { nodes { ${TASK_FIELDS} } }
  callbackActivity(minutes: 1) { throughPosition }
}`;
const OLDER = `query StreamOlderSessions($sessions: SessionFilter, $after: String) {
  sessions(filter: $sessions, first: ${SESSIONS_PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } }
}`;
const TIMELINE_FIELDS = `totalCount pageInfo { hasNextPage endCursor } nodes { at kind summary event { id position raw } }`;
const DETAILS = `query SessionDetails($sequence: ID!) { session(sequence: $sequence) {
  sequence timeline(first: ${TIMELINE_PAGE}) { ${TIMELINE_FIELDS} }
  pushAnomalies { type description count at event { id } }
  screenshots(first: ${SCREENSHOTS_SHOWN}) { totalCount nodes { ${SCREENSHOT_FIELDS} } }
  recordings { ${RECORDING_FIELDS} }
  moderationHits { ${MODERATION_FIELDS} }
} }`;
const LATER = `query SessionTimelineLater($sequence: ID!, $after: String) { session(sequence: $sequence) {
  timeline(first: ${TIMELINE_PAGE}, after: $after) { ${TIMELINE_FIELDS} }
} }`;
/** Relay callbacks tell nothing of a push session; any other may add to the timeline of the one looked at. */
const tellsOfSessions = (type) => !type.startsWith('Relay');

/** Rows keyed by their callback's id, numbered when one callback gives several (a report of many anomalies). */
function keyed(items) {
  const seen = new Map();
  return items.map((item) => {
    const n = (seen.get(item.event.id) ?? 0) + 1;
    seen.set(item.event.id, n);
    return { ...item, key: `${item.event.id}#${n}` };
  });
}

/** Newest push first; the sequence breaks ties. */
const newestFirst = (a, b) => (b.pushedAt ?? '').localeCompare(a.pushedAt ?? '') || (b.sequence > a.sequence ? 1 : -1);

/**
 * Sessions newest first, each LIVE one with a newer push of the stream on its domain marked `replaced`: CSS lets a stream
 * push once at a time, a newer push replacing the one before, so that one's interruption callback never came.
 */
function markReplaced(newestFirstSessions) {
  const newerPushOn = new Set();
  return newestFirstSessions.map((session) => {
    const domain = session.domain ?? '';
    const replaced = session.status === 'LIVE' && newerPushOn.has(domain);
    newerPushOn.add(domain);
    return replaced ? { ...session, replaced } : session;
  });
}

const $ = (id) => document.getElementById(id);

export class StreamView {
  constructor() {
    this.root = $('stream-page');
    this.route = null;
    this.sessions = new Map();
    this.tasks = new Map();
    this.position = null;
    this.more = null;
    this.tables = {
      sessions: sessionRows($('stream-sessions-table')),
      tasks: taskRows($('stream-tasks-table')),
      timeline: timelineRows($('session-timeline-table')),
      anomalies: anomalyRows($('session-anomalies-table')),
      recordings: recordingRows($('session-recordings-table')),
      moderation: moderationRows($('session-moderation-table'), { withStream: false }),
    };
    this.dirty = true;
    /** The session whose details are shown, whether they are due to be asked again, and when they last were. */
    this.shownDetails = null;
    this.detailsDue = false;
    this.detailsAsked = -Infinity;
    /** A live message asked for the details since they were last asked: they are asked once more when things settle. */
    this.liveChange = false;
    this.settleTimer = undefined;
    /** The timeline's entries loaded so far, oldest first, and the cursor of what comes after them. */
    this.timeline = { entries: [], total: 0, after: null };
    this.onChange = () => undefined;
    $('older-sessions').addEventListener('click', () => void this.loadOlder());
    $('later-timeline').addEventListener('click', () => void this.loadLater());
  }

  /** Shows the route; true when the stream changed (a new snapshot and subscriptions are due), false for another session of it. */
  enter(route) {
    const changed = this.root.hidden || this.route?.streamId !== route.streamId || this.route?.domain !== route.domain;
    this.route = route;
    this.detailsDue = true;
    this.dirty = true;
    if (changed) {
      this.sessions.clear();
      this.tasks.clear();
      this.more = null;
      setText($('stream-title'), route.streamId);
      setText($('stream-domain'), route.domain ?? 'every domain');
      document.title = `${route.streamId} · CSS callback ledger`;
    }
    return changed;
  }

  leave() {
    document.title = 'Live streams · CSS callback ledger';
  }

  get sessionsFilter() {
    return sessionFilter(this.route.domain, { streamId: this.route.streamId });
  }

  subscriptions() {
    return {
      session: [`subscription StreamSessions($filter: SessionFilter) { sessionUpdated(filter: $filter) { ${SESSION_FIELDS} } }`, { filter: this.sessionsFilter }],
      task: [`subscription StreamTasks($filter: RelayTaskFilter) { relayTaskUpdated(filter: $filter) { ${TASK_FIELDS} } }`, { filter: { streamId: this.route.streamId } }],
      moderation: [`subscription StreamModeration($filter: ModerationFilter) { moderationHitRaised(filter: $filter) { event { id } } }`, { filter: this.sessionsFilter }],
    };
  }

  snapshot() {
    return query(SNAPSHOT, { sessions: this.sessionsFilter, tasks: { streamId: this.route.streamId } });
  }

  load(snapshot) {
    this.sessions = new Map(snapshot.sessions.nodes.map((s) => [s.sequence, s]));
    this.tasks = new Map(snapshot.relayTasks.nodes.map((t) => [t.taskId, t]));
    this.total = snapshot.sessions.totalCount;
    this.more = snapshot.sessions.pageInfo.hasNextPage ? snapshot.sessions.pageInfo.endCursor : null;
    this.position = snapshot.callbackActivity.throughPosition;
    this.detailsDue = true;
    this.dirty = true;
  }

  apply(kind, data) {
    if (kind === 'callback') {
      this.position = laterPosition(this.position, data.callbackReceived.position);
      if (tellsOfSessions(data.callbackReceived.type)) this.detailsDue = this.liveChange = true;
      return;
    }
    if (kind === 'moderation') {
      this.detailsDue = this.liveChange = true;
      return;
    }
    if (kind === 'session') {
      const session = data.sessionUpdated;
      if (!this.sessions.has(session.sequence)) this.total = (this.total ?? 0) + 1;
      this.sessions.set(session.sequence, session);
      if (session.sequence === this.selected()) this.detailsDue = this.liveChange = true;
    } else {
      this.tasks.set(data.relayTaskUpdated.taskId, data.relayTaskUpdated);
    }
    this.dirty = true;
  }

  async loadOlder() {
    if (this.more === null) return;
    const filter = this.sessionsFilter;
    const { sessions } = await query(OLDER, { sessions: filter, after: this.more });
    if (JSON.stringify(filter) !== JSON.stringify(this.sessionsFilter)) return; // the page moved on meanwhile
    for (const session of sessions.nodes) if (!this.sessions.has(session.sequence)) this.sessions.set(session.sequence, session);
    this.more = sessions.pageInfo.hasNextPage ? sessions.pageInfo.endCursor : null;
    this.dirty = true;
    this.onChange();
  }

  /** The session named in the address, or else the newest one. */
  selected() {
    if (this.route?.session) return this.route.session;
    return this.newest()[0]?.sequence ?? null;
  }

  newest() {
    return [...this.sessions.values()].sort(newestFirst);
  }

  render(refresh) {
    if (!this.dirty && !refresh && !this.detailsDue) return;
    const sessions = markReplaced(this.newest());
    const current = sessions.find((s) => s.status === 'LIVE' && !s.replaced);
    const status = $('stream-status');
    status.replaceChildren(current ? badge('live', 'ok') : badge(sessions.length === 0 ? 'no session yet' : 'not live', 'neutral'));
    const since = $('stream-since');
    if (current) since.replaceChildren('live since ', timeElement(current.pushedAt));
    else if (sessions[0]?.interruptedAt) since.replaceChildren('last interrupted ', timeElement(sessions[0].interruptedAt));
    else since.replaceChildren();
    setText($('stream-session-count'), `(${this.total ?? sessions.length})`);
    $('session-story').hidden = sessions.length === 0;
    this.tables.sessions.show(sessions, { refresh });
    this.tables.tasks.show([...this.tasks.values()].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '')), { refresh });
    $('older-sessions').hidden = this.more === null;
    const selected = this.selected();
    for (const [key, row] of this.tables.sessions.rows) row.tr.classList.toggle('selected', key === selected);
    this.dirty = false;
    if (this.detailsDue) this.askDetails(selected);
  }

  /** Asks for the details now, or once DETAILS_EVERY_MS has passed since the last time (a frame asks again then). */
  askDetails(sequence) {
    const wait = this.detailsAsked + DETAILS_EVERY_MS - performance.now();
    if (wait > 0 && sequence === this.shownDetails) {
      clearTimeout(this.detailsTimer);
      this.detailsTimer = setTimeout(() => this.onChange(), wait);
      return;
    }
    this.detailsAsked = performance.now();
    void this.loadDetails(sequence);
  }

  /** The session looked at: its timeline and push anomalies, asked again when they may have changed. */
  async loadDetails(sequence) {
    this.detailsDue = false;
    if (this.liveChange) {
      this.liveChange = false;
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => {
        this.detailsDue = true;
        this.onChange();
      }, DETAILS_SETTLE_MS);
    }
    this.shownDetails = sequence;
    setText($('session-timeline-sequence'), sequence ?? '');
    const { session } = sequence === null ? { session: null } : await query(DETAILS, { sequence }).catch(() => ({ session: undefined }));
    if (session === undefined || sequence !== this.selected()) return; // failed (the badge says why), or the page moved on
    // Entries beyond the first page that were loaded stay: the timeline only grows.
    const first = session?.timeline ?? { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
    const kept = this.timeline.sequence === sequence ? this.timeline.entries.slice(first.nodes.length) : [];
    this.timeline = { sequence, entries: [...first.nodes, ...kept], total: first.totalCount, after: kept.length > 0 ? this.timeline.after : first.pageInfo.endCursor };
    this.timeline.more = this.timeline.entries.length < first.totalCount;
    this.showTimeline();
    this.tables.anomalies.show(keyed(session?.pushAnomalies ?? []));
    this.tables.recordings.show(session?.recordings ?? []);
    this.tables.moderation.show(session?.moderationHits ?? []);
    const shots = session?.screenshots ?? { totalCount: 0, nodes: [] };
    showScreenshots($('session-screenshots'), shots.nodes, this.route.streamId);
    $('session-screenshots-empty').hidden = shots.totalCount > 0;
    setText($('session-screenshots-count'), shots.totalCount > shots.nodes.length ? `(newest ${shots.nodes.length} of ${shots.totalCount})` : `(${shots.totalCount})`);
    $('session-timeline').dataset.sequence = sequence ?? '';
  }

  showTimeline() {
    const { entries, total, more } = this.timeline;
    this.tables.timeline.show(keyed(entries));
    setText($('session-timeline-count'), entries.length < total ? `(first ${entries.length} of ${total})` : `(${total})`);
    $('later-timeline').hidden = !more;
  }

  async loadLater() {
    const { sequence, after } = this.timeline;
    if (after == null) return;
    const { session } = await query(LATER, { sequence, after });
    if (sequence !== this.timeline.sequence || session === null) return;
    this.timeline.entries.push(...session.timeline.nodes);
    this.timeline.after = session.timeline.pageInfo.endCursor;
    this.timeline.more = session.timeline.pageInfo.hasNextPage;
    this.showTimeline();
  }

  async tick() {}
}
