// A stream's page: one stream id on one domain (or on every domain), its sessions newest first, the callbacks of the
// session looked at, and its relay tasks, kept live from subscriptions filtered to the stream.
import { taskRows } from './dashboardTables.js';
import { badge, setText, timeElement } from './elements.js';
import { query } from './graphqlConnection.js';
import { sessionFilter, SESSION_FIELDS, TASK_FIELDS } from './overviewView.js';
import { callbackRows, sessionRows } from './streamTables.js';

const SESSIONS_PAGE = 50;
const TASKS_SHOWN = 25;

const SNAPSHOT = `query StreamPage($sessions: SessionFilter, $tasks: RelayTaskFilter) {
  sessions(filter: $sessions, first: ${SESSIONS_PAGE}) { totalCount pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } }
  relayTasks(filter: $tasks, first: ${TASKS_SHOWN}) { nodes { ${TASK_FIELDS} } }
  callbackActivity(minutes: 1) { throughPosition }
}`;
const OLDER = `query StreamOlderSessions($sessions: SessionFilter, $after: String) {
  sessions(filter: $sessions, first: ${SESSIONS_PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${SESSION_FIELDS} } }
}`;
const CALLBACKS = 'query SessionCallbacks($sequence: ID!) { session(sequence: $sequence) { sequence events { id type position receivedAt raw } } }';

/** Log positions are decimal strings of any length: the longer one is the greater. */
const laterPosition = (a, b) => (a === null || b.length > a.length || (b.length === a.length && b > a) ? b : a);
/** Newest push first; the sequence breaks ties. */
const newestFirst = (a, b) => (b.pushedAt ?? '').localeCompare(a.pushedAt ?? '') || (b.sequence > a.sequence ? 1 : -1);

const $ = (id) => document.getElementById(id);

export class StreamView {
  constructor() {
    this.root = $('stream-page');
    this.route = null;
    this.sessions = new Map();
    this.tasks = new Map();
    this.position = null;
    this.more = null;
    this.tables = { sessions: sessionRows($('stream-sessions-table')), tasks: taskRows($('stream-tasks-table')), callbacks: callbackRows($('session-callbacks-table')) };
    this.dirty = true;
    /** The session whose callbacks are shown, and whether they are due to be asked again. */
    this.shownCallbacks = null;
    this.callbacksDue = false;
    this.onChange = () => undefined;
    $('older-sessions').addEventListener('click', () => void this.loadOlder());
  }

  /** Shows the route; true when the stream changed (a new snapshot and subscriptions are due), false for another session of it. */
  enter(route) {
    const changed = this.root.hidden || this.route?.streamId !== route.streamId || this.route?.domain !== route.domain;
    this.route = route;
    this.callbacksDue = true;
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
    this.callbacksDue = true;
    this.dirty = true;
  }

  apply(kind, data) {
    if (kind === 'callback') {
      this.position = laterPosition(this.position, data.callbackReceived.position);
      return;
    }
    if (kind === 'session') {
      const session = data.sessionUpdated;
      if (!this.sessions.has(session.sequence)) this.total = (this.total ?? 0) + 1;
      this.sessions.set(session.sequence, session);
      if (session.sequence === this.selected()) this.callbacksDue = true;
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
    if (!this.dirty && !refresh && !this.callbacksDue) return;
    const sessions = this.newest();
    const current = sessions.find((s) => s.status === 'LIVE');
    const status = $('stream-status');
    status.replaceChildren(current ? badge('live', 'ok') : badge(sessions.length === 0 ? 'no session yet' : 'not live', 'neutral'));
    const since = $('stream-since');
    if (current) since.replaceChildren('live since ', timeElement(current.pushedAt));
    else if (sessions[0]?.interruptedAt) since.replaceChildren('last interrupted ', timeElement(sessions[0].interruptedAt));
    else since.replaceChildren();
    setText($('stream-session-count'), `(${this.total ?? sessions.length})`);
    this.tables.sessions.show(sessions, { refresh });
    this.tables.tasks.show([...this.tasks.values()].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '')), { refresh });
    $('older-sessions').hidden = this.more === null;
    const selected = this.selected();
    for (const [key, row] of this.tables.sessions.rows) row.tr.classList.toggle('selected', key === selected);
    this.dirty = false;
    if (this.callbacksDue) void this.loadCallbacks(selected);
  }

  /** The callbacks of the session looked at, asked again when it changed. */
  async loadCallbacks(sequence) {
    this.callbacksDue = false;
    setText($('session-callbacks-sequence'), sequence ?? '');
    if (sequence === null) {
      this.tables.callbacks.show([]);
      return;
    }
    const { session } = await query(CALLBACKS, { sequence }).catch(() => ({ session: undefined }));
    if (session === undefined || sequence !== this.selected()) return; // failed (the badge says why), or the page moved on
    this.tables.callbacks.show(session?.events ?? []);
    $('session-callbacks').dataset.sequence = sequence;
  }

  async tick() {}
}
