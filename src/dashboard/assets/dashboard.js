// The dashboard's state and rendering: a snapshot from GraphQL queries, then live changes from subscriptions.
import { ActivityChart } from './activityChart.js';
import { duration, fullTime, timeAgo, visibleParts } from './format.js';
import { forgetToken, openSubscriptions, query, RefusedError, saveToken, storedToken, takeTokenFromAddress } from './graphqlConnection.js';

const SESSION_FIELDS = `sequence domain appName streamId status pushedAt interruptedAt pushDurationMs
  errcode subErrcode errmsg reason reasonCategory node userIp width height`;
const TASK_FIELDS = 'taskId streamId status startedAt exitedAt exitCode exitMessage restartCount';
const ACTIVITY_MINUTES = 60;
const RECENT = { interruptions: 50, tasks: 50, feed: 12 };

const LIVE_SHOWN = 100;
const RUNNING_LOADED = 500;
/** Beyond what the snapshot loads, the summary's counts come from the service, asked again on every clock tick. */
const TOTALS = `query DashboardTotals {
  live: sessions(filter: { status: LIVE }, first: 1) { totalCount }
  runningTasks: relayTasks(filter: { status: RUNNING }, first: 1) { totalCount }
}`;

/**
 * The snapshot, in three queries: GraphQL's cost limit (GRAPHQL_MAX_COST, 5000 by default) counts
 * each requested field of each item, and a hundred sessions with these fields cost 1,901 on their own.
 */
const SNAPSHOT = [
  `query DashboardLive {
    live: sessions(filter: { status: LIVE }, first: ${LIVE_SHOWN}) { totalCount nodes { ${SESSION_FIELDS} } }
  }`,
  `query DashboardRecent {
    ended: sessions(filter: { status: ENDED }, first: ${RECENT.interruptions}) { nodes { ${SESSION_FIELDS} } }
    recentTasks: relayTasks(first: ${RECENT.tasks}) { nodes { ${TASK_FIELDS} } }
  }`,
  `query DashboardCounts {
    runningTasks: relayTasks(filter: { status: RUNNING }, first: ${RUNNING_LOADED}) { totalCount nodes { taskId } }
    callbackActivity(minutes: ${ACTIVITY_MINUTES}) { throughPosition minutes { minute pushes interruptions } }
  }`,
];

const SUBSCRIPTIONS = {
  session: `subscription DashboardSessions { sessionUpdated { ${SESSION_FIELDS} } }`,
  task: `subscription DashboardTasks { relayTaskUpdated { ${TASK_FIELDS} } }`,
  pushes: 'subscription DashboardPushes { callbackReceived(filter: { type: "StreamPushed" }) { type position receivedAt } }',
  interruptions: 'subscription DashboardInterruptions { callbackReceived(filter: { type: "StreamInterrupted" }) { type position receivedAt } }',
};

/** Interruption causes (the errcode catalogue's categories) as people say them, with how alarming each is. */
const CATEGORIES = {
  CLIENT_STOPPED: ['pusher stopped', 'neutral'],
  CLIENT_NETWORK: ['pusher network', 'warn'],
  NO_DATA: ['no data', 'warn'],
  PROTOCOL: ['protocol', 'bad'],
  CSS_INTERNAL: ['CSS internal', 'bad'],
  COMMAND: ['command', 'info'],
  SUPERSEDED: ['superseded', 'info'],
  ACCOUNT: ['account', 'bad'],
  PUSH_URL: ['push URL', 'bad'],
  ACCESS_CONTROL: ['access control', 'bad'],
  AUTHENTICATION: ['authentication', 'bad'],
  PUSH_LIMIT: ['push limit', 'bad'],
  UNKNOWN: ['unknown', 'neutral'],
};

const STATES = {
  connecting: 'Connecting…',
  loading: 'Loading…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  refused: 'Token refused',
  failed: 'Disconnected',
};

const $ = (id) => document.getElementById(id);

const state = {
  /** sequence -> session, LIVE ones */
  live: new Map(),
  /** sequence -> session, ENDED ones, the most recent kept */
  ended: new Map(),
  /** taskId -> task, the most recently active kept; `touched` orders them */
  tasks: new Map(),
  runningTaskIds: new Set(),
  /** The service's counts when the snapshot could not load every live session or running task; null otherwise. */
  totals: null,
  touches: 0,
  /** Messages that arrive while a snapshot loads, applied after it (each row's last message is its newest state). */
  pending: null,
};

const chart = new ActivityChart($('chart'), ACTIVITY_MINUTES);
let connection = null;

// ---- elements ----

/** Text as DOM nodes, each hidden character (a bidi override, a zero-width space) shown as its escape, marked. */
function visibleNodes(text) {
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
function element(name, { className, text, title, data } = {}, ...children) {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.append(...visibleNodes(text));
  if (title) node.title = title;
  for (const [key, value] of Object.entries(data ?? {})) node.dataset[key] = value;
  node.append(...children);
  return node;
}

/** A <time> that reads "3 minutes ago" and shows the full date on hover. */
function timeCell(iso) {
  if (iso == null) return element('td', { className: 'muted', text: '—' });
  const time = element('time', { text: timeAgo(iso), title: fullTime(iso) });
  time.dateTime = iso;
  return element('td', {}, time);
}

const badge = (text, tone) => element('span', { className: `badge ${tone}`, text });

function streamCell(session) {
  const where = [session.domain, session.appName].filter(Boolean).join(' / ');
  return element('td', { className: 'stream' }, element('strong', { text: session.streamId }), where ? element('span', { className: 'sub', text: where }) : '');
}

function exitCodeBadge(code) {
  if (code == null) return badge('—', 'neutral');
  return badge(String(code), code === 0 ? 'ok' : 'bad');
}

function fillTable(id, rows) {
  $(id).tBodies[0].replaceChildren(...rows);
  document.querySelector(`[data-empty-for="${id}"]`).hidden = rows.length > 0;
}

// ---- rendering ----

const newestFirst = (a, b) => (b ?? '').localeCompare(a ?? '');

function renderLive() {
  const sessions = [...state.live.values()].sort((a, b) => newestFirst(a.pushedAt, b.pushedAt));
  fillTable(
    'live-table',
    sessions.slice(0, LIVE_SHOWN).map((s) =>
      element(
        'tr',
        { data: { sequence: s.sequence } },
        streamCell(s),
        timeCell(s.pushedAt),
        element('td', { className: 'num', text: s.pushedAt ? duration(Date.now() - Date.parse(s.pushedAt)) : '—' }),
        element('td', { className: 'sub-cell' }, element('span', { text: s.node ?? '—' }), element('span', { className: 'sub', text: s.userIp ?? '' })),
        element('td', { className: 'num', text: s.width && s.height ? `${s.width}×${s.height}` : '—' }),
      ),
    ),
  );
  const total = state.totals?.live ?? sessions.length;
  $('live-count').textContent = total > LIVE_SHOWN ? `(newest ${LIVE_SHOWN} of ${total})` : `(${total})`;
}

function renderInterruptions() {
  const sessions = [...state.ended.values()].sort((a, b) => newestFirst(a.interruptedAt ?? a.pushedAt, b.interruptedAt ?? b.pushedAt));
  fillTable(
    'interruptions-table',
    sessions.slice(0, 25).map((s) => {
      const [label, tone] = CATEGORIES[s.reasonCategory] ?? [s.reasonCategory ?? 'unknown', 'neutral'];
      const code = s.errcode == null ? '—' : s.subErrcode ? `${s.errcode}.${s.subErrcode}` : String(s.errcode);
      return element(
        'tr',
        { data: { sequence: s.sequence } },
        streamCell(s),
        timeCell(s.interruptedAt),
        element('td', { className: 'num', text: duration(s.pushDurationMs) }),
        element('td', { className: 'num' }, badge(code, s.errcode == null ? 'neutral' : tone), element('span', { className: 'sub', text: label })),
        element('td', { className: 'reason', text: s.reason ?? 'No reason known for this errcode' }),
        element('td', { className: 'muted', text: s.errmsg ?? '' }),
      );
    }),
  );
}

function renderTasks() {
  const tasks = [...state.tasks.values()].sort((a, b) => b.touched - a.touched);
  fillTable(
    'relay-table',
    tasks.slice(0, 25).map((t) =>
      element(
        'tr',
        { data: { taskId: t.taskId } },
        element('td', { className: 'mono', text: t.taskId }),
        element('td', { text: t.streamId ?? '—' }),
        element('td', {}, badge(t.status === 'RUNNING' ? 'running' : 'exited', t.status === 'RUNNING' ? 'info' : 'neutral')),
        element('td', { className: 'num' }, exitCodeBadge(t.exitCode)),
        element('td', { text: t.exitMessage ?? '' }),
        timeCell(t.startedAt),
        timeCell(t.exitedAt),
        element('td', { className: 'num', text: t.restartCount }),
      ),
    ),
  );
}

function renderSummary() {
  const { pushes, interruptions } = chart.totals();
  $('stat-live').textContent = String(state.totals?.live ?? state.live.size);
  $('stat-pushes').textContent = String(pushes);
  $('stat-interruptions').textContent = String(interruptions);
  $('stat-relay').textContent = String(state.totals?.running ?? state.runningTaskIds.size);
}

function renderAll() {
  renderLive();
  renderInterruptions();
  renderTasks();
  chart.render();
  renderSummary();
}

// ---- changes ----

/** Adds a line to the feed, a live region: only additions, so screen readers announce each change once. */
function note(text, tone) {
  const at = new Date().toISOString();
  const time = element('time', { text: timeAgo(at), title: fullTime(at) });
  time.dateTime = at;
  const feed = $('feed');
  feed.prepend(element('li', { className: tone }, time, ' ', ...visibleNodes(text)));
  while (feed.children.length > RECENT.feed) feed.lastElementChild.remove();
  document.querySelector('[data-empty-for="feed"]').hidden = true;
}

/** Moves every relative time on the page on with the clock, in place. */
function refreshTimes() {
  for (const time of document.querySelectorAll('time[datetime]')) time.textContent = timeAgo(time.dateTime);
}

function keepNewest(map, limit, order) {
  if (map.size <= limit) return;
  const kept = [...map.values()].sort(order).slice(0, limit);
  map.clear();
  for (const row of kept) map.set(row.sequence ?? row.taskId, row);
}

function applySession(session) {
  const wasLive = state.live.has(session.sequence);
  const wasEnded = state.ended.has(session.sequence);
  if (session.status === 'LIVE') {
    state.live.set(session.sequence, session);
    if (!wasLive) note(`${session.streamId} went live`, 'ok');
  } else {
    state.live.delete(session.sequence);
    state.ended.set(session.sequence, session);
    keepNewest(state.ended, RECENT.interruptions, (a, b) => newestFirst(a.interruptedAt, b.interruptedAt));
    if (!wasEnded) note(`${session.streamId} interrupted: ${session.reason ?? `errcode ${session.errcode ?? '?'}`}`, 'bad');
  }
}

function applyTask(task) {
  const before = state.tasks.get(task.taskId);
  state.tasks.set(task.taskId, { ...task, touched: ++state.touches });
  keepNewest(state.tasks, RECENT.tasks, (a, b) => b.touched - a.touched);
  if (task.status === 'RUNNING') state.runningTaskIds.add(task.taskId);
  else state.runningTaskIds.delete(task.taskId);
  if (task.status === 'RUNNING' && before?.status !== 'RUNNING') note(`relay task ${task.taskId} started`, 'info');
  if (task.status === 'EXITED' && (before?.status !== 'EXITED' || before.exitedAt !== task.exitedAt)) {
    note(`relay task ${task.taskId} exited with code ${task.exitCode ?? '—'}${task.exitMessage ? ` (${task.exitMessage})` : ''}`, task.exitCode === 0 ? 'neutral' : 'bad');
  }
}

const handlers = {
  session: (data) => applySession(data.sessionUpdated),
  task: (data) => applyTask(data.relayTaskUpdated),
  pushes: (data) => chart.count(data.callbackReceived),
  interruptions: (data) => chart.count(data.callbackReceived),
};

function receive(kind, data) {
  if (state.pending !== null) {
    state.pending.push([kind, data]);
    return;
  }
  handlers[kind](data);
  renderAll();
}

function loadSnapshot(snapshot) {
  state.live = new Map(snapshot.live.nodes.map((s) => [s.sequence, s]));
  state.ended = new Map(snapshot.ended.nodes.map((s) => [s.sequence, s]));
  const tasks = snapshot.recentTasks.nodes;
  state.touches = tasks.length;
  state.tasks = new Map(tasks.map((t, i) => [t.taskId, { ...t, touched: tasks.length - i }]));
  state.runningTaskIds = new Set(snapshot.runningTasks.nodes.map((t) => t.taskId));
  const truncated = snapshot.live.totalCount > snapshot.live.nodes.length || snapshot.runningTasks.totalCount > snapshot.runningTasks.nodes.length;
  state.totals = truncated ? { live: snapshot.live.totalCount, running: snapshot.runningTasks.totalCount } : null;
  chart.load(snapshot.callbackActivity);
}

// ---- connection ----

function showState(name, detail) {
  const pill = $('connection');
  pill.dataset.state = name;
  pill.textContent = STATES[name] ?? name;
  pill.title = detail ?? '';
  const refused = $('refused');
  refused.hidden = name !== 'refused' && name !== 'failed';
  if (name === 'refused') {
    refused.replaceChildren(...visibleNodes(`${detail ?? 'The service refused the API token.'} Enter a token from GRAPHQL_API_TOKENS below.`));
    showTokenPanel(true);
  } else if (name === 'failed') {
    refused.replaceChildren(...visibleNodes(`Live updates stopped: ${detail ?? 'the connection failed'}. Reload the page to try again.`));
  }
}

let snapshots = 0;

/** After every (re)connection: a fresh snapshot, with what the subscriptions deliver meanwhile applied on top. */
async function resynchronise() {
  // A reconnection while a snapshot loads starts another; only the latest one is applied.
  const generation = ++snapshots;
  state.pending = [];
  showState('loading');
  let parts;
  try {
    parts = await Promise.all(SNAPSHOT.map((document) => query(document)));
  } catch (error) {
    if (generation !== snapshots) return;
    state.pending = null;
    if (error instanceof RefusedError) {
      connection?.dispose();
      showState('refused', error.message);
    } else {
      showState('failed', error.message);
    }
    return;
  }
  if (generation !== snapshots) return;
  loadSnapshot(Object.assign({}, ...parts));
  const pending = state.pending;
  state.pending = null;
  for (const [kind, data] of pending) handlers[kind](data);
  renderAll();
  showState('live');
}

function connect() {
  snapshots++; // whatever the previous connection was loading no longer applies
  $('token-toggle').textContent = storedToken() === null ? 'API token' : 'API token (set)';
  connection?.dispose();
  connection = openSubscriptions({ onState: showState, onConnected: resynchronise });
  for (const [kind, document] of Object.entries(SUBSCRIPTIONS)) connection.subscribe(document, (data) => receive(kind, data));
}

// ---- token ----

function showTokenPanel(open) {
  $('token-panel').hidden = !open;
  $('token-toggle').setAttribute('aria-expanded', String(open));
  if (open) $('token-input').focus();
}

$('token-toggle').addEventListener('click', () => showTokenPanel($('token-panel').hidden));
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  saveToken($('token-input').value);
  $('token-input').value = '';
  showTokenPanel(false);
  connect();
});
$('token-forget').addEventListener('click', () => {
  forgetToken();
  $('token-input').value = '';
  connect();
});

// ---- start ----

takeTokenFromAddress();
renderAll();
connect();
let resizing = false;
window.addEventListener('resize', () => {
  if (resizing) return;
  resizing = true;
  requestAnimationFrame(() => {
    resizing = false;
    chart.render();
  });
});
async function refreshTotals() {
  if (state.totals === null || state.pending !== null) return;
  try {
    const { live, runningTasks } = await query(TOTALS);
    state.totals = { live: live.totalCount, running: runningTasks.totalCount };
  } catch {
    // the connection state says what is wrong; the last counts stand
  }
}

// Durations, relative times, the chart's window and counts beyond the snapshot move on with the clock.
setInterval(async () => {
  await refreshTotals();
  chart.roll();
  renderAll();
  refreshTimes();
}, 15_000);
