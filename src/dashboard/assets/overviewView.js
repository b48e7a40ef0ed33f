// The overview: streams live now, recent interruptions, relay tasks and callbacks per minute, for every domain or one.
//
// A snapshot from GraphQL queries, then live changes from subscriptions, each applied to the state as it arrives;
// drawing (rows updated in place, the feed and the live list bounded, the chart bar by bar) waits for the next frame.
import { ActivityChart } from './activityChart.js';
import { ANOMALIES, anomalyVariables, showAnomalies } from './anomaliesPanel.js';
import { interruptionRows, liveRows, taskRows } from './dashboardTables.js';
import { DashboardState, FEED_LINES, KEPT } from './dashboardState.js';
import { element, setText, timeElement, visibleNodes } from './elements.js';
import { DESTINATIONS, DESTINATIONS_EVERY_MS, destinationRows } from './destinationsPanel.js';
import { query } from './graphqlConnection.js';
import { MODERATION_FIELDS, moderationRows, thumbnailColumn } from './mediaPanels.js';
import { streamHref } from './router.js';

export const SESSION_FIELDS = `sequence domain appName streamId status pushedAt interruptedAt pushDurationMs
  errcode subErrcode errmsg reason reasonCategory node userIp width height`;
export const TASK_FIELDS = 'taskId streamId status startedAt exitedAt exitCode exitMessage restartCount';
const ACTIVITY_MINUTES = 60;
/** Recent interruptions and relay tasks shown. */
const SHOWN = 25;
const LIVE_SHOWN = 100;
const RUNNING_LOADED = 500;
const MODERATION_SHOWN = 10;
/** Screenshots come every few seconds per stream: their thumbnails are asked for again at most this often. */
const THUMBNAILS_EVERY_MS = 3_000;

/** The latest screenshot of each live stream shown; no subscription announces them, so they are asked for. */
const THUMBNAILS = `query DashboardThumbnails($live: SessionFilter) {
  live: sessions(filter: $live, first: ${LIVE_SHOWN}) { nodes { sequence latestScreenshot { url takenAt } } }
}`;
const MODERATION = `query DashboardModeration($moderation: ModerationFilter) {
  moderationHits(filter: $moderation, first: ${MODERATION_SHOWN}) { nodes { ${MODERATION_FIELDS} } }
}`;

/** Beyond what the snapshot loads, the summary's counts come from the service, asked again on every clock tick. */
const TOTALS = `query DashboardTotals($live: SessionFilter) {
  live: sessions(filter: $live, first: 1) { totalCount }
  runningTasks: relayTasks(filter: { status: RUNNING }, first: 1) { totalCount }
}`;

/**
 * The snapshot, in three queries: GraphQL's cost limit (GRAPHQL_MAX_COST, 5000 by default) counts
 * each requested field of each item, and a hundred sessions with these fields cost 1,901 on their own.
 */
const SNAPSHOT = [
  `query DashboardLive($live: SessionFilter) {
    live: sessions(filter: $live, first: ${LIVE_SHOWN}) { totalCount nodes { ${SESSION_FIELDS} } }
  }`,
  `query DashboardRecent($ended: SessionFilter) {
    ended: sessions(filter: $ended, first: ${KEPT.interruptions}) { nodes { ${SESSION_FIELDS} } }
    recentTasks: relayTasks(first: ${KEPT.tasks}) { nodes { ${TASK_FIELDS} } }
  }`,
  `query DashboardCounts {
    runningTasks: relayTasks(filter: { status: RUNNING }, first: ${RUNNING_LOADED}) { totalCount nodes { taskId } }
    callbackActivity(minutes: ${ACTIVITY_MINUTES}) { throughPosition minutes { minute pushes interruptions } }
  }`,
  DESTINATIONS,
  THUMBNAILS,
  MODERATION,
];

/** A SessionFilter with the domain filter in it when one is set (a null domain would be refused by no one, but means nothing). */
export const sessionFilter = (domain, rest = {}) => (domain === null ? rest : { ...rest, domain });

const $ = (id) => document.getElementById(id);

export class OverviewView {
  constructor() {
    this.root = $('overview-page');
    this.domain = null;
    this.chart = new ActivityChart($('chart'), ACTIVITY_MINUTES);
    this.state = new DashboardState(this.chart);
    /** sequence -> latest screenshot, of the live sessions shown */
    this.screenshots = new Map();
    this.thumbnails = { due: false, asked: -Infinity, changed: false };
    /** event id -> moderation hit, newest first */
    this.moderation = new Map();
    this.moderationDirty = true;
    this.tables = {
      moderation: moderationRows($('moderation-table')),
      live: liveRows($('live-table'), [thumbnailColumn(this.screenshots)]),
      ended: interruptionRows($('interruptions-table')),
      tasks: taskRows($('relay-table')),
      destinations: destinationRows($('destinations-table')),
    };
    /** When the anomaly views were last asked for: again on the clock, and after interruptions, at most every few seconds. */
    this.anomaliesAsked = -Infinity;
    /** The forwarding destinations as last asked, null until the first answer. */
    this.destinations = null;
    setInterval(() => void this.refreshDestinations(), DESTINATIONS_EVERY_MS);
    /** Set by the page: asks for a frame. */
    this.onChange = () => undefined;
    this.chart.onResize = () => {
      this.state.dirty.chart = true;
      this.onChange();
    };
  }

  /** Shows the route; true when what the page follows changed (a new snapshot and subscriptions are due). */
  enter(route) {
    const changed = route.domain !== this.domain || this.root.hidden;
    this.domain = route.domain;
    for (const scope of document.querySelectorAll('[data-scope="all-domains"]')) scope.hidden = this.domain === null;
    $('live-title').firstChild.textContent = this.domain === null ? 'Live now ' : `Live now on ${this.domain} `;
    return changed;
  }

  get position() {
    return this.state.position;
  }

  subscriptions() {
    return {
      session: [`subscription DashboardSessions($filter: SessionFilter) { sessionUpdated(filter: $filter) { ${SESSION_FIELDS} } }`, { filter: sessionFilter(this.domain) }],
      task: [`subscription DashboardTasks { relayTaskUpdated { ${TASK_FIELDS} } }`, {}],
      moderation: [`subscription DashboardModeration($filter: ModerationFilter) { moderationHitRaised(filter: $filter) { ${MODERATION_FIELDS} } }`, { filter: sessionFilter(this.domain) }],
    };
  }

  async snapshot() {
    const variables = { live: sessionFilter(this.domain, { status: 'LIVE' }), ended: sessionFilter(this.domain, { status: 'ENDED' }), moderation: sessionFilter(this.domain) };
    // Each query is sent only the variables it declares.
    const parts = await Promise.all(SNAPSHOT.map((document) => query(document, Object.fromEntries(Object.entries(variables).filter(([name]) => document.includes(`$${name}:`))))));
    // The thumbnails' query names its sessions `live` too: it is kept apart.
    return { ...Object.assign({}, ...parts.slice(0, 4)), thumbnails: parts[4].live.nodes, moderation: parts[5].moderationHits.nodes };
  }

  load(snapshot) {
    // Feed lines of another domain's snapshot would mislead.
    if (this.loadedDomain !== this.domain) $('feed').replaceChildren();
    this.loadedDomain = this.domain;
    this.state.load(snapshot);
    this.showThumbnails(snapshot.thumbnails);
    this.moderation = new Map(snapshot.moderation.map((hit) => [hit.event.id, hit]));
    this.moderationDirty = true;
    this.destinations = snapshot.destinations;
    this.anomaliesAsked = -Infinity;
    void this.refreshAnomalies();
  }

  /** Asks for the anomaly views again, at most every 5 s (a later ask in the meantime is folded into the next). */
  async refreshAnomalies() {
    const wait = this.anomaliesAsked + 5_000 - performance.now();
    if (wait > 0) {
      this.anomaliesTimer ??= setTimeout(() => {
        this.anomaliesTimer = undefined;
        void this.refreshAnomalies();
      }, wait);
      return;
    }
    this.anomaliesAsked = performance.now();
    const domain = this.domain;
    const answer = await query(ANOMALIES, anomalyVariables(domain)).catch(() => null);
    if (answer !== null && domain === this.domain) showAnomalies($('anomalies'), answer, domain);
  }

  apply(kind, data) {
    if (kind === 'session' && data.sessionUpdated.status === 'ENDED') void this.refreshAnomalies();
    if (kind === 'moderation') {
      const hit = data.moderationHitRaised;
      this.moderation = new Map([[hit.event.id, hit], ...[...this.moderation].slice(0, MODERATION_SHOWN - 1)]);
      this.moderationDirty = true;
      this.state.note(` ${hit.kind.toLowerCase()} moderation: ${hit.suggestion ?? 'no suggestion'} ${hit.label ?? ''}`.trimEnd(), hit.suggestion === 'BLOCK' ? 'bad' : 'info', {
        streamId: hit.streamId,
        domain: hit.session?.domain ?? this.domain,
      });
      return;
    }
    if (kind === 'callback' && data.callbackReceived.type === 'ScreenshotTaken') this.thumbnails.due = true;
    this.state.apply(kind, data);
  }

  showThumbnails(nodes) {
    this.screenshots.clear();
    for (const { sequence, latestScreenshot } of nodes) if (latestScreenshot !== null) this.screenshots.set(sequence, latestScreenshot);
    this.thumbnails.changed = true;
  }

  /** Asks for the live streams' latest screenshots again, once a screenshot arrived and at most every few seconds. */
  async refreshThumbnails() {
    const { thumbnails } = this;
    if (!thumbnails.due || performance.now() - thumbnails.asked < THUMBNAILS_EVERY_MS) return;
    thumbnails.due = false;
    thumbnails.asked = performance.now();
    const domain = this.domain;
    const answer = await query(THUMBNAILS, { live: sessionFilter(domain, { status: 'LIVE' }) }).catch(() => null);
    if (answer === null || domain !== this.domain) return;
    this.showThumbnails(answer.live.nodes);
    this.onChange();
  }

  render(refresh) {
    const { state, tables, chart } = this;
    const { dirty } = state;
    const sessionsChanged = dirty.live || dirty.ended;
    const pictures = this.thumbnails.changed;
    this.thumbnails.changed = false;
    // New pictures change no session: every row's cells are looked at again, and only the pictures' change.
    if (dirty.live || refresh || pictures) tables.live.show(state.newestLive(LIVE_SHOWN), { refresh: refresh || pictures });
    if (this.moderationDirty || refresh) tables.moderation.show([...this.moderation.values()], { refresh });
    this.moderationDirty = false;
    if (this.thumbnails.due) setTimeout(() => void this.refreshThumbnails(), Math.max(0, this.thumbnails.asked + THUMBNAILS_EVERY_MS - performance.now()));
    if (dirty.ended || refresh) tables.ended.show(state.newestEnded(SHOWN), { refresh });
    if (dirty.tasks || refresh) tables.tasks.show(state.recentTasks(SHOWN), { refresh });
    if (dirty.chart || refresh) chart.render();
    state.dirty = { live: false, ended: false, tasks: false, chart: false };
    this.renderSummary();
    if (state.notes.length > 0) this.renderFeed();
    if (sessionsChanged) this.offerDomains();
    if (this.destinations !== null) this.renderDestinations(refresh);
  }

  /** The forwarding card, shown only when FORWARD_CONFIG names destinations. */
  renderDestinations(refresh) {
    $('forwarding').hidden = this.destinations.length === 0;
    this.tables.destinations.show(this.destinations, { refresh });
  }

  async refreshDestinations() {
    if (this.root.hidden || this.destinations === null) return;
    const answer = await query(DESTINATIONS).catch(() => null);
    if (answer === null) return; // the connection state says what is wrong; the last figures stand
    this.destinations = answer.destinations;
    this.onChange();
  }

  /** The domains of the sessions on the page, offered as the filter's choices (only while the page shows every domain). */
  offerDomains() {
    if (this.domain !== null) return;
    const domains = new Set();
    for (const sessions of [this.state.live, this.state.ended]) for (const { domain } of sessions.values()) if (domain) domains.add(domain);
    const list = $('known-domains');
    const wanted = [...domains].sort();
    if (wanted.join('\n') === [...list.options].map((option) => option.value).join('\n')) return;
    list.replaceChildren(...wanted.map((domain) => Object.assign(document.createElement('option'), { value: domain })));
  }

  /** Shows the newest notes, newest first, in the feed (a live region: only additions, each announced once). */
  renderFeed() {
    const feed = $('feed');
    for (const { text, tone, at, stream } of this.state.takeNotes()) {
      const what = stream === undefined ? visibleNodes(text) : [element('a', { href: streamHref(stream.streamId, stream.domain), text: stream.streamId }), ...visibleNodes(text)];
      feed.prepend(element('li', { className: tone }, timeElement(at), ' ', ...what));
    }
    while (feed.children.length > FEED_LINES) feed.lastElementChild.remove();
    document.querySelector('[data-empty-for="feed"]').hidden = feed.children.length > 0;
  }

  renderSummary() {
    const { state, chart } = this;
    const { pushes, interruptions } = chart.totals();
    const live = state.totals?.live ?? state.live.size;
    setText($('stat-live'), String(live));
    setText($('stat-pushes'), String(pushes));
    setText($('stat-interruptions'), String(interruptions));
    setText($('stat-relay'), String(state.totals?.running ?? state.runningTaskIds.size));
    setText($('live-count'), live > LIVE_SHOWN ? `(newest ${LIVE_SHOWN} of ${live})` : `(${live})`);
  }

  /** The clock moved on: the chart's window, and counts beyond the snapshot asked again. */
  async tick() {
    this.chart.roll();
    void this.refreshAnomalies();
    this.thumbnails.due = true;
    void this.refreshThumbnails();
    if (this.state.totals === null) return;
    try {
      const { live, runningTasks } = await query(TOTALS, { live: sessionFilter(this.domain, { status: 'LIVE' }) });
      this.state.totals = { live: live.totalCount, running: runningTasks.totalCount };
    } catch {
      // the connection state says what is wrong; the last counts stand
    }
  }
}
