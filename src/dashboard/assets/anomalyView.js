// An anomaly view's page (`/anomalies/<view>`): every stream, session or relay task the view finds, a page at a time,
// with the overview's domain filter. Asked for again on the clock: the views are queries, not subscriptions.
import { ANOMALY_VIEWS, anomalyVariables } from './anomaliesPanel.js';
import { interruptionRows, liveRows, taskRows } from './dashboardTables.js';
import { badge, element, setText } from './elements.js';
import { laterPosition } from './format.js';
import { query } from './graphqlConnection.js';
import { KeyedRows } from './keyedRows.js';
import { SESSION_FIELDS, TASK_FIELDS } from './overviewView.js';
import { streamHref } from './router.js';

const PAGE = 50;
const CONNECTION = (fields) => `totalCount pageInfo { hasNextPage endCursor } nodes { ${fields} }`;
const STREAM_FIELDS = 'streamId domain live';

/** Each view: its query's field and arguments, the variables it declares, what its rows are, and their column headers. */
const SHAPES = {
  flapping: { field: 'flappingStreams(domain: $domain, from: $since', declares: '$domain: String, $since: DateTime', rows: 'streams', headers: ['Stream', 'Now'] },
  customer: { field: 'interruptions(filter: $customer', declares: '$customer: InterruptionFilter', rows: 'interruptions', headers: ['Stream', 'Interrupted', 'Pushed for', 'Errcode', 'Reason', 'CSS message'] },
  stale: { field: 'staleLiveSessions(domain: $domain', declares: '$domain: String', rows: 'live', headers: ['Stream', 'Pushed', 'Live for', 'Node / pusher', 'Size'] },
  slow: { field: 'slowRelayStarts(domain: $domain', declares: '$domain: String', rows: 'tasks', headers: ['Task', 'Stream', 'Status', 'Exit code', 'Exit message', 'Started', 'Exited', 'Restarts'] },
  restarting: { field: 'restartingRelayTasks(domain: $domain', declares: '$domain: String', rows: 'tasks', headers: ['Task', 'Stream', 'Status', 'Exit code', 'Exit message', 'Started', 'Exited', 'Restarts'] },
};
const FIELDS = { streams: STREAM_FIELDS, interruptions: SESSION_FIELDS, live: SESSION_FIELDS, tasks: TASK_FIELDS };

const pageQuery = (view) => {
  const shape = SHAPES[view];
  return `query AnomalyPage(${shape.declares}, $after: String) {
  view: ${shape.field}, first: ${PAGE}, after: $after) { ${CONNECTION(FIELDS[shape.rows])} }
  activity: callbackActivity(minutes: 1) { throughPosition }
}`;
};

/** Only the variables the view's query declares: GraphQL refuses any other. */
function variablesOf(view, domain, after) {
  const all = anomalyVariables(domain);
  const declared = SHAPES[view].declares.match(/\$\w+/g).map((name) => name.slice(1));
  return { ...Object.fromEntries(declared.map((name) => [name, all[name] ?? null])), after };
}

const streamRows = (table) =>
  new KeyedRows(table, {
    rowKey: (s) => `${s.streamId}\n${s.domain ?? ''}`,
    data: (s) => ({ streamId: s.streamId }),
    columns: [
      {
        key: (s) => `${s.streamId}\n${s.domain ?? ''}`,
        cell: (s) => element('td', { className: 'stream' }, element('strong', {}, element('a', { href: streamHref(s.streamId, s.domain ?? null), text: s.streamId })), element('span', { className: 'sub', text: s.domain ?? '' })),
      },
      { key: (s) => String(s.live), cell: (s) => element('td', {}, s.live ? badge('live', 'ok') : badge('not live', 'neutral')) },
    ],
  });
const ROWS = { streams: streamRows, interruptions: interruptionRows, live: (table) => liveRows(table), tasks: taskRows };

const $ = (id) => document.getElementById(id);

export class AnomalyView {
  constructor() {
    this.root = $('anomaly-page');
    this.route = null;
    this.rows = null;
    this.items = [];
    this.total = null;
    this.after = null;
    this.position = null;
    this.dirty = false;
    this.onChange = () => undefined;
    $('anomaly-more').addEventListener('click', () => void this.loadMore());
  }

  /** Shows the route; true when the view or the domain changed (a new snapshot is due). */
  enter(route) {
    const changed = this.root.hidden || this.route?.view !== route.view || this.route?.domain !== route.domain;
    this.route = route;
    if (changed) {
      const [, title, meaning] = ANOMALY_VIEWS.find(([name]) => name === route.view);
      setText($('anomaly-title'), title);
      setText($('anomaly-meaning'), meaning);
      setText($('anomaly-domain'), route.domain ?? 'every domain');
      document.title = `${title} · CSS callback ledger`;
      // A table of the view's own columns, under the id its "nothing found" line names.
      const table = element('table', {}, element('thead', {}, element('tr', {}, ...SHAPES[route.view].headers.map((name) => element('th', { text: name })))), element('tbody'));
      table.id = 'anomaly-table';
      $('anomaly-table').replaceWith(table);
      this.rows = ROWS[SHAPES[route.view].rows](table);
      this.items = [];
      this.total = null;
      this.after = null;
      this.dirty = true;
    }
    return changed;
  }

  leave() {
    document.title = 'Live streams · CSS callback ledger';
  }

  subscriptions() {
    return {};
  }

  snapshot() {
    return query(pageQuery(this.route.view), variablesOf(this.route.view, this.route.domain, null));
  }

  load(snapshot) {
    this.items = snapshot.view.nodes;
    this.total = snapshot.view.totalCount;
    this.after = snapshot.view.pageInfo.hasNextPage ? snapshot.view.pageInfo.endCursor : null;
    this.position = laterPosition(this.position, snapshot.activity.throughPosition);
    this.dirty = true;
  }

  apply(kind, data) {
    if (kind === 'callback') this.position = laterPosition(this.position, data.callbackReceived.position);
  }

  async loadMore() {
    if (this.after === null) return;
    const { view, domain } = this.route;
    const { view: page } = await query(pageQuery(view), variablesOf(view, domain, this.after));
    if (view !== this.route.view || domain !== this.route.domain) return; // the page moved on meanwhile
    this.items = [...this.items, ...page.nodes];
    this.after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    this.dirty = true;
    this.onChange();
  }

  render(refresh) {
    if (!this.dirty && !refresh) return;
    this.rows.show(this.items, { refresh });
    setText($('anomaly-count'), this.total === null ? '' : this.items.length < this.total ? `(first ${this.items.length} of ${this.total})` : `(${this.total})`);
    $('anomaly-more').hidden = this.after === null;
    this.dirty = false;
  }

  /** The clock moved on: the first page is asked again, unless more pages were loaded (then the total alone). */
  async tick() {
    if (this.route === null || this.root.hidden) return;
    const { view, domain } = this.route;
    const answer = await query(pageQuery(view), variablesOf(view, domain, null)).catch(() => null);
    if (answer === null || view !== this.route.view || domain !== this.route.domain) return;
    if (this.items.length > PAGE) {
      this.total = answer.view.totalCount;
      this.dirty = true;
    } else this.load(answer);
  }
}
