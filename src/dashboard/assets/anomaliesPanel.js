// The anomaly views on the overview: streams and tasks that likely need someone, counted, the first few named as links.
import { element, setText } from './elements.js';
import { anomalyHref, streamHref } from './router.js';
import { serviceNow } from './serviceClock.js';

const SHOWN = 3;
export const ANOMALIES = `query DashboardAnomalies($domain: String, $since: DateTime, $customer: InterruptionFilter) {
  flapping: flappingStreams(domain: $domain, from: $since, first: ${SHOWN}) { totalCount nodes { streamId domain } }
  stale: staleLiveSessions(domain: $domain, first: ${SHOWN}) { totalCount nodes { streamId domain } }
  customer: interruptions(filter: $customer, first: ${SHOWN * 4}) { totalCount nodes { streamId domain } }
  slow: slowRelayStarts(domain: $domain, first: ${SHOWN}) { totalCount nodes { streamId } }
  restarting: restartingRelayTasks(domain: $domain, first: ${SHOWN}) { totalCount nodes { streamId } }
}`;
/**
 * Flapping streams and customer-side interruptions are looked for over this last stretch of time: what is happening now,
 * and what a busy platform's service finds in tens of milliseconds (a day of a million interruptions takes seconds).
 */
const RECENT_WINDOW_MS = 60 * 60_000;

export const anomalyVariables = (domain) => {
  const since = new Date(serviceNow() - RECENT_WINDOW_MS).toISOString();
  return { domain, since, customer: { cause: 'CUSTOMER', from: since, ...(domain === null ? {} : { domain }) } };
};

/** Each view: its answer's name (and its page's), what it means in a few words, and how alarming a non-zero count is. */
export const ANOMALY_VIEWS = [
  ['flapping', 'Flapping streams', '3 or more interruptions within 10 minutes, last hour', 'bad'],
  ['customer', 'Interrupted on the customer\u2019s side', 'the cause on their side (push URL, authentication, IP lists, account, their encoder), last hour', 'bad'],
  ['stale', 'Live but silent', 'live over an hour, no sign of life for 10 minutes: likely a missed interruption', 'warn'],
  ['slow', 'Slow relay starts', 'first file more than 2 s after the task started, or never', 'warn'],
  ['restarting', 'Relay tasks restarting', 'restarted 2 times or more', 'warn'],
];

/**
 * The first SHOWN streams of a view's nodes, each once with how often it came among them: the customer-side view lists
 * interruptions (the latest few asked for), and a stream interrupted again and again would otherwise fill the line.
 */
function streamsOf(nodes) {
  const streams = new Map();
  for (const { streamId, domain = null } of nodes) {
    if (!streamId) continue;
    const key = `${streamId}\n${domain ?? ''}`;
    const seen = streams.get(key);
    if (seen !== undefined) seen.times += 1;
    else if (streams.size < SHOWN) streams.set(key, { streamId, domain, times: 1 });
  }
  return [...streams.values()];
}

/** Draws the answer into the list: a line per view, its count, its title linked to its page, and its first streams as links. */
export function showAnomalies(list, answer, domain) {
  for (const [name, title, meaning, tone] of ANOMALY_VIEWS) {
    const { totalCount, nodes } = answer[name];
    let item = list.querySelector(`[data-view="${name}"]`);
    if (item === null) {
      item = element('li', { data: { view: name } }, element('span', { className: 'anomaly-count' }), ' ', element('strong', {}, element('a', { className: 'anomaly-link', text: title })), element('span', { className: 'sub', text: meaning }), element('span', { className: 'anomaly-streams' }));
      list.append(item);
    }
    item.querySelector('.anomaly-link').href = anomalyHref(name, domain);
    const count = item.querySelector('.anomaly-count');
    setText(count, String(totalCount));
    count.className = `anomaly-count badge ${totalCount > 0 ? tone : 'neutral'}`;
    const links = streamsOf(nodes).map((stream) =>
      element('a', { href: streamHref(stream.streamId, stream.domain), text: stream.times > 1 ? `${stream.streamId} (${stream.times}×)` : stream.streamId }),
    );
    item.querySelector('.anomaly-streams').replaceChildren(...links.flatMap((link, i) => (i === 0 ? [link] : [', ', link])));
  }
}
