// The dashboard's tables, column by column: what each cell shows and how it is built.
import { badge, element, timeCell } from './elements.js';
import { duration, escapedText } from './format.js';
import { KeyedRows } from './keyedRows.js';
import { streamHref } from './router.js';
import { serviceNow } from './serviceClock.js';

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

const text = (value) => String(value ?? '');

function streamCell(session) {
  const where = [session.domain, session.appName].filter(Boolean).join(' / ');
  // The whole id on hover: a long one is cut to two lines in the live list.
  const link = element('a', { href: streamHref(session.streamId, session.domain), text: session.streamId, title: escapedText(session.streamId) });
  return element('td', { className: 'stream' }, element('strong', {}, link), where ? element('span', { className: 'sub', text: where }) : '');
}
export const streamKey = (s) => `${s.streamId}\n${s.domain ?? ''}\n${s.appName ?? ''}`;

/** A column whose cell is plain text in a <td> of the given class. */
export const textColumn = (value, className) => ({ key: value, cell: (item) => element('td', { className, text: value(item) }) });
export const timeColumn = (field, narrow = false) => ({ key: (item) => text(item[field]), cell: (item) => timeCell(item[field], narrow) });

export const nodeColumn = {
  key: (s) => `${s.node ?? ''}\n${s.userIp ?? ''}`,
  cell: (s) => element('td', { className: 'sub-cell' }, element('span', { text: s.node ?? '—' }), element('span', { className: 'sub', text: s.userIp ?? '' })),
};

export const liveFor = (s, narrow = false) => (s.pushedAt ? duration(serviceNow() - Date.parse(s.pushedAt), narrow) : '—');
export const size = (s) => (s.width && s.height ? `${s.width}×${s.height}` : '—');

/** `leading`: columns before the stream's (the latest screenshot). */
export const liveRows = (table, leading = []) =>
  new KeyedRows(table, {
    rowKey: (s) => s.sequence,
    data: (s) => ({ sequence: s.sequence }),
    columns: [
      ...leading,
      { key: streamKey, cell: streamCell },
      timeColumn('pushedAt', true),
      textColumn((s) => liveFor(s, true), 'num'),
      nodeColumn,
      textColumn(size, 'num'),
    ],
  });

const errcodeText = (s) => (s.errcode == null ? '—' : s.subErrcode ? `${s.errcode}.${s.subErrcode}` : String(s.errcode));

/** The errcode as a badge coloured by how alarming its cause is, the cause's kind below. */
export const errcodeColumn = {
  key: (s) => `${s.status}\n${errcodeText(s)}\n${s.reasonCategory ?? ''}`,
  cell: (s) => {
    if (s.status === 'LIVE') return element('td', { className: 'muted', text: '—' });
    const [label, tone] = CATEGORIES[s.reasonCategory] ?? [s.reasonCategory ?? 'unknown', 'neutral'];
    return element('td', { className: 'num' }, badge(errcodeText(s), s.errcode == null ? 'neutral' : tone), element('span', { className: 'sub', text: label }));
  },
};

export const interruptionRows = (table) =>
  new KeyedRows(table, {
    rowKey: (s) => s.sequence,
    data: (s) => ({ sequence: s.sequence }),
    columns: [
      { key: streamKey, cell: streamCell },
      timeColumn('interruptedAt'),
      textColumn((s) => duration(s.pushDurationMs), 'num'),
      errcodeColumn,
      textColumn((s) => s.reason ?? 'No reason known for this errcode', 'reason'),
      textColumn((s) => s.errmsg ?? '', 'muted'),
    ],
  });

function exitCodeBadge(code) {
  if (code == null) return badge('—', 'neutral');
  return badge(String(code), code === 0 ? 'ok' : 'bad');
}

export const taskRows = (table) =>
  new KeyedRows(table, {
    rowKey: (t) => t.taskId,
    data: (t) => ({ taskId: t.taskId }),
    columns: [
      textColumn((t) => t.taskId, 'mono'),
      {
        // A relay task names no domain: its link is to the stream id on every domain.
        key: (t) => text(t.streamId),
        cell: (t) => element('td', {}, t.streamId ? element('a', { href: streamHref(t.streamId, null), text: t.streamId }) : '—'),
      },
      {
        key: (t) => t.status,
        cell: (t) => element('td', {}, badge(t.status === 'RUNNING' ? 'running' : 'exited', t.status === 'RUNNING' ? 'info' : 'neutral')),
      },
      { key: (t) => text(t.exitCode), cell: (t) => element('td', { className: 'num' }, exitCodeBadge(t.exitCode)) },
      textColumn((t) => t.exitMessage ?? ''),
      timeColumn('startedAt'),
      timeColumn('exitedAt'),
      textColumn((t) => text(t.restartCount), 'num'),
    ],
  });
