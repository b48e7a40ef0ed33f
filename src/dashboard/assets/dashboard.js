// The dashboard's frame: the route (overview or a stream's page), the connection and its badge, the API token, and
// drawing: each message is applied to the page's state as it arrives (a few map operations); the page is drawn at
// most once per animation frame, and only the parts a message changed. The badge says when the page lags behind.
import { refreshTimes, setText, visibleNodes } from './elements.js';
import { forgetToken, openSubscriptions, RefusedError, saveToken, storedToken, takeTokenFromAddress } from './graphqlConnection.js';
import { AnomalyView } from './anomalyView.js';
import { OverviewView } from './overviewView.js';
import { PageLag } from './pageLag.js';
import { watchRefusedPictures } from './mediaPanels.js';
import { currentRoute, followLinks, go, withDomain } from './router.js';
import { StreamView } from './streamView.js';

/** callbackReceived unfiltered, on every page: the lag (receivedAt), the position shown, and the overview's chart. */
const CALLBACKS = 'subscription DashboardCallbacks { callbackReceived { type position receivedAt } }';

const STATES = {
  connecting: 'Connecting…',
  loading: 'Loading…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  refused: 'Token refused',
  failed: 'Disconnected',
};

const $ = (id) => document.getElementById(id);

const views = { overview: new OverviewView(), stream: new StreamView(), anomalies: new AnomalyView() };
let view = null;
const lag = new PageLag(() => showBadge());
let connection = null;
/** Messages that arrive while a snapshot loads, applied after it (each row's last message is its newest state). */
let pending = null;

// ---- rendering, at most once per frame ----

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
  const refresh = refreshDue;
  refreshDue = false;
  view.render(refresh);
  if (refresh) refreshTimes();
  // The page now shows every callback up to this log position: a hook for the browser tests and the benchmark.
  if (view.position !== null) document.body.dataset.renderedPosition = view.position;
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
  view.apply(kind, data);
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
  const loading = view;
  let snapshot;
  try {
    snapshot = await loading.snapshot();
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
  loading.load(snapshot);
  const arrived = pending;
  pending = null;
  for (const [kind, data] of arrived) loading.apply(kind, data);
  scheduleRender();
  showState('live');
}

function connect() {
  snapshots++; // whatever the previous connection was loading no longer applies
  $('token-toggle').textContent = storedToken() === null ? 'API token' : 'API token (set)';
  connection?.dispose();
  connection = openSubscriptions({ onState: showState, onConnected: resynchronise });
  const subscriptions = Object.entries(view.subscriptions());
  for (const [kind, [document, variables]] of subscriptions) connection.subscribe(document, (data) => receive(kind, data), variables);
  connection.subscribe(CALLBACKS, (data) => receive('callback', data));
  // How many subscriptions the page holds: a hook for the browser tests, to know when the service follows it all.
  document.body.dataset.subscriptions = String(subscriptions.length + 1);
}

// ---- where the page is ----

/** Shows the route's view; a different stream or domain is a different snapshot and different subscriptions. */
function show(route) {
  const next = views[route.page];
  if (view !== null && view !== next) {
    view.leave?.();
    view.root.hidden = true;
  }
  const changed = next.enter(route);
  next.root.hidden = false;
  view = next;
  $('domain-input').value = route.domain ?? '';
  $('domain-clear').hidden = route.domain === null;
  for (const link of document.querySelectorAll('a[data-overview-link]')) link.href = withDomain({ page: 'overview' }, route.domain);
  if (changed) {
    delete document.body.dataset.renderedPosition;
    showState('loading');
    connect();
  }
  scheduleRender();
}

$('domain-form').addEventListener('submit', (event) => {
  event.preventDefault();
  go(withDomain(currentRoute(), $('domain-input').value.trim() || null));
});
$('domain-clear').addEventListener('click', () => go(withDomain(currentRoute(), null)));

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
watchRefusedPictures(document.querySelectorAll('.pictures-refused'));
for (const each of Object.values(views)) each.onChange = scheduleRender;
followLinks(show);
show(currentRoute());

// Durations, relative times, the chart's window and counts beyond the snapshot move on with the clock.
setInterval(async () => {
  if (pending === null) await view.tick();
  refreshDue = true;
  scheduleRender();
}, 15_000);
