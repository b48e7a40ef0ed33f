// A stream's page, column by column: its sessions, and the callbacks of the session looked at.
import { errcodeColumn, liveFor, nodeColumn, size, textColumn, timeColumn } from './dashboardTables.js';
import { badge, element } from './elements.js';
import { duration } from './format.js';
import { KeyedRows } from './keyedRows.js';
import { streamHref } from './router.js';

/** How long the session pushed: so far while it is live, CSS's push_duration once it ended. */
const pushedFor = (s) => (s.status === 'LIVE' ? liveFor(s) : duration(s.pushDurationMs));

export const sessionRows = (table) =>
  new KeyedRows(table, {
    rowKey: (s) => s.sequence,
    data: (s) => ({ sequence: s.sequence }),
    columns: [
      {
        // The session's link keeps the stream and its domain and names the session: a view one can reload or share.
        key: (s) => `${s.sequence}\n${s.appName ?? ''}`,
        cell: (s) =>
          element(
            'td',
            { className: 'mono' },
            element('a', { href: streamHref(s.streamId, s.domain, s.sequence), text: s.sequence }),
            s.appName ? element('span', { className: 'sub', text: s.appName }) : '',
          ),
      },
      { key: (s) => s.status, cell: (s) => element('td', {}, s.status === 'LIVE' ? badge('live', 'ok') : badge('ended', 'neutral')) },
      timeColumn('pushedAt'),
      timeColumn('interruptedAt'),
      textColumn(pushedFor, 'num'),
      errcodeColumn,
      textColumn((s) => (s.status === 'LIVE' ? '' : (s.reason ?? 'No reason known for this errcode')), 'reason'),
      nodeColumn,
      textColumn(size, 'num'),
    ],
  });

/** Each callback of a session, oldest first, with its body exactly as CSS sent it a click away. */
export const callbackRows = (table) =>
  new KeyedRows(table, {
    rowKey: (e) => e.id,
    data: (e) => ({ eventId: e.id }),
    columns: [
      textColumn((e) => e.type, 'mono'),
      timeColumn('receivedAt'),
      textColumn((e) => e.position, 'num'),
      {
        key: (e) => e.raw,
        cell: (e) => element('td', {}, element('details', {}, element('summary', { text: 'body' }), element('pre', { className: 'raw', text: e.raw }))),
      },
    ],
  });
