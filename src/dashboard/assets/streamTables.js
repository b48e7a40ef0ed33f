// A stream's page, column by column: its sessions, and the timeline and push anomalies of the session looked at.
import { errcodeColumn, liveFor, nodeColumn, size, textColumn, timeColumn } from './dashboardTables.js';
import { badge, element } from './elements.js';
import { duration } from './format.js';
import { KeyedRows } from './keyedRows.js';
import { streamHref } from './router.js';

/** How long the session pushed: so far while it is live, CSS's push_duration once it ended; unknown once replaced. */
const pushedFor = (s) => (s.replaced ? '—' : s.status === 'LIVE' ? liveFor(s) : duration(s.pushDurationMs));
const REPLACED = 'A newer push of the stream replaced it; its interruption callback never came';

function statusBadge(s) {
  if (s.replaced) return element('span', { title: REPLACED }, badge('replaced', 'warn'));
  return s.status === 'LIVE' ? badge('live', 'ok') : badge('ended', 'neutral');
}

export const sessionRows = (table) =>
  new KeyedRows(table, {
    rowKey: (s) => s.sequence,
    data: (s) => ({ sequence: s.sequence }),
    columns: [
      {
        // The session's link keeps the stream and its domain and names the session: a view one can reload or share. Its
        // domain is said beside its app name: on every domain, a stream id's sessions may be on several.
        key: (s) => `${s.sequence}\n${s.domain ?? ''}\n${s.appName ?? ''}`,
        cell: (s) => {
          const where = [s.domain, s.appName].filter(Boolean).join(' / ');
          return element(
            'td',
            { className: 'mono' },
            element('a', { href: streamHref(s.streamId, s.domain, s.sequence), text: s.sequence }),
            where ? element('span', { className: 'sub', text: where }) : '',
          );
        },
      },
      { key: (s) => `${s.status}\n${s.replaced === true}`, cell: (s) => element('td', {}, statusBadge(s)) },
      timeColumn('pushedAt'),
      timeColumn('interruptedAt'),
      textColumn(pushedFor, 'num'),
      errcodeColumn,
      textColumn((s) => (s.replaced ? REPLACED : s.status === 'LIVE' ? '' : (s.reason ?? 'No reason known for this errcode')), 'reason'),
      nodeColumn,
      textColumn(size, 'num'),
    ],
  });

/** Everything CSS told of a session, oldest first, one line each, with the callback's body exactly as sent a click away. */
export const timelineRows = (table) =>
  new KeyedRows(table, {
    rowKey: (entry) => entry.key,
    data: (entry) => ({ eventId: entry.event.id }),
    columns: [
      timeColumn('at'),
      textColumn((entry) => entry.kind, 'mono'),
      textColumn((entry) => entry.summary, 'summary'),
      {
        key: (entry) => entry.event.position,
        cell: (entry) =>
          element('td', {}, element('details', {}, element('summary', { text: `#${entry.event.position}` }), element('pre', { className: 'raw', text: entry.event.raw }))),
      },
    ],
  });

/** What CSS's anomaly reports said went wrong with the push, with the catalogue's meaning of each type. */
export const anomalyRows = (table) =>
  new KeyedRows(table, {
    rowKey: (anomaly) => anomaly.key,
    data: () => ({}),
    columns: [
      timeColumn('at'),
      { key: (a) => String(a.type), cell: (a) => element('td', { className: 'num' }, badge(String(a.type), 'warn')) },
      textColumn((a) => a.description, 'reason'),
      textColumn((a) => (a.count == null ? '—' : String(a.count)), 'num'),
    ],
  });
