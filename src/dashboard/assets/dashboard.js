// The dashboard's state and rendering: a snapshot from GraphQL queries, then live changes from subscriptions.
//
// Each message is applied to the state as it arrives (a few map operations); the page is drawn at most once per
// animation frame, and only the parts a message changed: rows are updated in place, the feed and the live list are
// bounded, the chart moves bar by bar. The badge says when what the page shows lags behind the service.
import { ActivityChart } from './activityChart.js';
import { interruptionRows, liveRows, taskRows } from './dashboardTables.js';
import { DashboardState, FEED_LINES, KEPT } from './dashboardState.js';
import { element, refreshTimes, setText, timeElement, visibleNodes } from './elements.js';
import { forgetToken, openSubscriptions, query, RefusedError, saveToken, storedToken, takeTokenFromAddress } from './graphqlConnection.js';
import { PageLag } from './pageLag.js';

const SESSION_FIELDS = `sequence domain appName streamId status pushedAt interruptedAt pushDurationMs
  errcode subErrcode errmsg reason reasonCategory node userIp width height`;
const TASK_FIELDS = 'taskId streamId status startedAt exitedAt exitCode exitMessage restartCount';
const ACTIVITY_MINUTES = 60;
/** Recent interruptions and relay tasks shown. */
const SHOWN = 25;

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
    ended: sessions(filter: { status: ENDED }, first: ${KEPT.interruptions}) { nodes { ${SESSION_FIELDS} } }
    recentTasks: relayTasks(first: ${KEPT.tasks}) { nodes { ${TASK_FIELDS} } }
  }`,
  `query DashboardCounts {
    runningTasks: relayTasks(filter: { status: RUNNING }, first: ${RUNNING_LOADED}) { totalCount nodes { taskId } }
    callbackActivity(minutes: ${ACTIVITY_MINUTES}) { throughPosition minutes { minute pushes interruptions } }
  }`,
];

/** callbackReceived unfiltered: pushes and interruptions feed the chart, every callback the lag (receivedAt) and the position shown. */
const SUBSCRIPTIONS = {
  session: `subscription DashboardSessions { sessionUpdated { ${SESSION_FIELDS} } }`,
  task: `subscription DashboardTasks { relayTaskUpdated { ${TASK_FIELDS} } }`,
  callback: 'subscription DashboardCallbacks { callbackReceived { type position receivedAt } }',
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

const chart = new ActivityChart($('chart'), ACTIVITY_MINUTES);
const state = new DashboardState(chart);
const tables = { live: liveRows($('live-table')), ended: interruptionRows($('interruptions-table')), tasks: taskRows($('relay-table')) };
const lag = new PageLag(() => showBadge());
let connection = null;
/** Messages that arrive while a snapshot loads, applied after it (each row's last message is its newest state). */
let pending = null;

// ---- rendering, at most once per frame ----

/** Shows the newest notes, newest first, in the feed (a live region: only additions, each announced once). */
function renderFeed() {
  const feed = $('feed');
  for (const { text, tone, at } of state.takeNotes()) feed.prepend(element('li', { className: tone }, timeElement(at), ' ', ...visibleNodes(text)));
  while (feed.children.length > FEED_LINES) feed.lastElementChild.remove();
  document.querySelector('[data-empty-for="feed"]').hidden = feed.children.length > 0;
}

function renderSummary() {
  const { pushes, interruptions } = chart.totals();
  const live = state.totals?.live ?? state.live.size;
  setText($('stat-live'), String(live));
  setText($('stat-pushes'), String(pushes));
  setText($('stat-interruptions'), String(interruptions));
  setText($('stat-relay'), String(state.totals?.running ?? state.runningTaskIds.size));
  setText($('live-count'), live > LIVE_SHOWN ? `(newest ${LIVE_SHOWN} of ${live})` : `(${live})`);
}

/**
 * Frames at least this far apart: people cannot read faster, and under a stream of messages each frame redraws the
 * changed tables whole (style, layout, paint), so fewer frames with more changes each keep the page from falling behind.
 */
const MIN_FRAME_GAP_MS = 200;
let frame = null;
let lastFrame = -Infinity;
/** The clock moved on: durations and relative times are due for a look, whatever changed. */
let refreshDue = false;

function render() {
  frame = null;
  lastFrame = performance.now();
  const { dirty } = state;
  const refresh = refreshDue;
  if (dirty.live || refresh) tables.live.show(state.newestLive(LIVE_SHOWN), { refresh });
  if (dirty.ended || refresh) tables.ended.show(state.newestEnded(SHOWN), { refresh });
  if (dirty.tasks || refresh) tables.tasks.show(state.recentTasks(SHOWN), { refresh });
  if (dirty.chart || refresh) chart.render();
  state.dirty = { live: false, ended: false, tasks: false, chart: false };
  refreshDue = false;
  renderSummary();
  if (state.notes.length > 0) renderFeed();
  if (refresh) refreshTimes();
  // The page now shows every callback up to this log position: a hook for the browser tests and the benchmark.
  if (state.position !== null) document.body.dataset.renderedPosition = state.position;
  lag.rendered();
}

function scheduleRender() {
  if (frame !== null) return;
  const wait = lastFrame + MIN_FRAME_GAP_MS - performance.now();
  frame = wait <= 0 ? requestAnimationFrame(render) : setTimeout(() => (frame = requestAnimationFrame(render)), wait);
}

function receive(kind, data) {
  if (kind === 'callback') lag.arrived(data.callbackReceived.receivedAt);
  if (pending !== null) {
    pending.push([kind, data]);
    return;
  }
  state.apply(kind, data);
  scheduleRender();
}

// ---- connection ----

let connectionState = 'connecting';
let connectionDetail = '';

/** The badge: the connection's state, or how far behind the page is while it is live but lagging. */
function showBadge() {
  const pill = $('connection');
  const behind = connectionState === 'live' && lag.behind;
  const name = behind ? 'behind' : connectionState;
  if (pill.dataset.state !== name) pill.dataset.state = name;
  setText(pill, behind ? `Behind by ${lag.describe()}` : (STATES[connectionState] ?? connectionState));
  pill.title = behind ? 'The newest callback shown reached the service that long ago: the page is catching up.' : connectionDetail;
}

function showState(name, detail) {
  connectionState = name;
  connectionDetail = detail ?? '';
  showBadge();
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
  pending = [];
  showState('loading');
  let parts;
  try {
    parts = await Promise.all(SNAPSHOT.map((document) => query(document)));
  } catch (error) {
    if (generation !== snapshots) return;
    pending = null;
    if (error instanceof RefusedError) {
      connection?.dispose();
      showState('refused', error.message);
    } else {
      showState('failed', error.message);
    }
    return;
  }
  if (generation !== snapshots) return;
  state.load(Object.assign({}, ...parts));
  const arrived = pending;
  pending = null;
  for (const [kind, data] of arrived) state.apply(kind, data);
  scheduleRender();
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
scheduleRender();
connect();
chart.onResize = () => {
  state.dirty.chart = true;
  scheduleRender();
};
async function refreshTotals() {
  if (state.totals === null || pending !== null) return;
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
  refreshDue = true;
  scheduleRender();
}, 15_000);
