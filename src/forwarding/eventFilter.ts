// Which logged events a destination wants: its filter's types, domains and stream ids (each given one must match).
import type { RecordedEvent } from '../eventstore/eventStore';
import type { DestinationFilter } from './forwardConfig';

/**
 * True when the event passes. Absent criteria match everything; a domains or streamIds filter
 * matches only events that carry one: a session's push domain (`app`), or for a relay task the
 * host of the URL it pushes to (`to_url`, a push domain too).
 */
export function passesFilter(filter: DestinationFilter | undefined, event: Pick<RecordedEvent, 'type' | 'data'>): boolean {
  if (filter === undefined) return true;
  if (filter.types !== undefined && !(filter.types as readonly string[]).includes(event.type)) return false;
  const fields = fieldsOf(event);
  if (filter.domains !== undefined) {
    const domain = eventDomain(fields);
    if (domain === null || !filter.domains.some((wanted) => wanted.toLowerCase() === domain)) return false;
  }
  if (filter.streamIds !== undefined) {
    const streamId = typeof fields.streamId === 'string' ? fields.streamId : null;
    if (streamId === null || !filter.streamIds.includes(streamId)) return false;
  }
  return true;
}

function fieldsOf(event: Pick<RecordedEvent, 'data'>): Record<string, unknown> {
  const fields = event.data.fields;
  return typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {};
}

/** The event's push domain, lower case; null when it names none. */
function eventDomain(fields: Record<string, unknown>): string | null {
  if (typeof fields.domain === 'string' && fields.domain !== '') return fields.domain.toLowerCase();
  if (typeof fields.toUrl === 'string') {
    try {
      const host = new URL(fields.toUrl).hostname;
      return host === '' ? null : host.toLowerCase();
    } catch {
      return null;
    }
  }
  return null;
}
