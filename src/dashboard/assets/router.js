// Where the page is: the overview (`/`), a stream's page (`/streams/<stream id>`) or an anomaly view's
// (`/anomalies/<view>`), with the domain filter and the chosen session in the query string, so that every view is a
// link that survives a reload and can be shared.

/** The anomaly views that have a page of their own, by the name in its address. */
export const ANOMALY_PAGES = ['flapping', 'customer', 'stale', 'slow', 'restarting'];

/** The route the address names: `{ page: 'overview' | 'stream' | 'anomalies', domain, streamId, session, view }`, absent parts null. */
export function currentRoute(address = location) {
  const params = new URLSearchParams(address.search);
  const domain = params.get('domain') || null;
  const anomalies = /^\/anomalies\/([a-z]+)$/.exec(address.pathname);
  if (anomalies !== null && ANOMALY_PAGES.includes(anomalies[1])) return { page: 'anomalies', domain, streamId: null, session: null, view: anomalies[1] };
  const match = /^\/streams\/([^/]+)$/.exec(address.pathname);
  if (match === null) return { page: 'overview', domain, streamId: null, session: null, view: null };
  return { page: 'stream', domain, streamId: decodeURIComponent(match[1]), session: params.get('session') || null, view: null };
}

function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value != null && value !== '') params.set(key, value);
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/** The overview, filtered to one domain or not. */
export const overviewHref = (domain) => withQuery('/', { domain });

/** A stream's page: a stream is its id on its domain (a null domain: the id on every domain). */
export const streamHref = (streamId, domain, session) => withQuery(`/streams/${encodeURIComponent(streamId)}`, { domain, session });

/** An anomaly view's page, filtered to one domain or not. */
export const anomalyHref = (view, domain) => withQuery(`/anomalies/${view}`, { domain });

/** The same page with the domain filter changed: a stream's page keeps its stream, an anomaly page its view, the overview its place. */
export function withDomain(route, domain) {
  if (route.page === 'stream') return streamHref(route.streamId, domain);
  return route.page === 'anomalies' ? anomalyHref(route.view, domain) : overviewHref(domain);
}

/**
 * Follows same-origin links without reloading: `onChange(route)` hears every move, by link, by `go`, and by the
 * browser's back and forward buttons. Links opened in a new tab or window (modifier keys, middle click) are left alone.
 */
export function followLinks(onChange) {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (link === null || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !(url.pathname === '/' || url.pathname.startsWith('/streams/') || url.pathname.startsWith('/anomalies/'))) return;
    event.preventDefault();
    go(`${url.pathname}${url.search}`);
  });
  window.addEventListener('popstate', () => onChange(currentRoute()));
  go = (href, { replace = false } = {}) => {
    if (href === `${location.pathname}${location.search}`) return;
    if (replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    onChange(currentRoute());
  };
}

/** Moves to `href` in the page (pushState) and tells the listener; set up by followLinks. */
export let go = (href) => {
  location.assign(href);
};
