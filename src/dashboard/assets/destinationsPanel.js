// Where callbacks are forwarded (FORWARD_CONFIG) and how each destination is doing: status, lag, dead letters, last error.
import { badge, element, timeCell, timeElement } from './elements.js';
import { duration } from './format.js';
import { KeyedRows } from './keyedRows.js';

export const DESTINATIONS = `query DashboardDestinations {
  destinations { name url status lagEvents lagSeconds lastDeliveredAt lastError lastErrorAt deadLetterCount pendingCount }
}`;
/** No subscription tells of deliveries: destinations are asked again this often while the overview is shown. */
export const DESTINATIONS_EVERY_MS = 5_000;

const STATUSES = {
  ACTIVE: ['delivering', 'ok'],
  PAUSED: ['paused', 'neutral'],
  BREAKER_OPEN: ['breaker open', 'warn'],
  FAILED: ['failing', 'bad'],
};

// A destination shared through an EventStoreDB group has no lag or dead-letter count of its own to show (null).
const lag = (d) =>
  d.lagEvents === null ? '—' : d.lagEvents === 0 ? 'caught up' : `${d.lagEvents} event${d.lagEvents === 1 ? '' : 's'}, ${duration(d.lagSeconds * 1000)}`;
const deadLetters = (d) => (d.deadLetterCount === null ? '—' : String(d.deadLetterCount));

export const destinationRows = (table) =>
  new KeyedRows(table, {
    rowKey: (d) => d.name,
    data: (d) => ({ destination: d.name }),
    columns: [
      {
        key: (d) => `${d.name}\n${d.url}`,
        cell: (d) => element('td', { className: 'stream' }, element('strong', { text: d.name }), element('span', { className: 'sub', text: d.url })),
      },
      {
        key: (d) => d.status,
        cell: (d) => {
          const [text, tone] = STATUSES[d.status] ?? [d.status.toLowerCase(), 'neutral'];
          return element('td', {}, badge(text, tone));
        },
      },
      { key: lag, cell: (d) => element('td', { className: 'num', text: lag(d) }) },
      { key: (d) => d.lastDeliveredAt ?? '', cell: (d) => timeCell(d.lastDeliveredAt) },
      { key: deadLetters, cell: (d) => element('td', { className: 'num' }, badge(deadLetters(d), d.deadLetterCount > 0 ? 'bad' : 'neutral')) },
      {
        key: (d) => `${d.lastError ?? ''}\n${d.lastErrorAt ?? ''}`,
        cell: (d) =>
          d.lastError
            ? element('td', { className: 'muted' }, element('span', { text: d.lastError }), d.lastErrorAt ? element('span', { className: 'sub' }, timeElement(d.lastErrorAt)) : '')
            : element('td', { className: 'muted', text: '—' }),
      },
    ],
  });
