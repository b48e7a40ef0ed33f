// The view of a stored event that projections work on: its type, normalized fields and times.
import { CallbackEventType, type CallbackEventBody } from '../domain/callbackEvents';
import type { RecordedEvent } from '../eventstore/eventStore';

export type ProjectedEvent = CallbackEventBody & {
  id: string;
  stream: string;
  position: bigint;
  /** When the service received the callback (ms); a fallback for display, never for ordering. */
  receivedAt: number;
};

const KNOWN_TYPES = new Set<string>(Object.values(CallbackEventType));

/** Null for events this service did not write (foreign types or shapes), which projections skip. */
export function toProjectedEvent(event: RecordedEvent): ProjectedEvent | null {
  const fields = event.data.fields;
  if (!KNOWN_TYPES.has(event.type) || fields === null || typeof fields !== 'object') return null;
  return {
    id: event.id,
    stream: event.stream,
    position: event.position,
    receivedAt: receivedAtOf(event),
    type: event.type,
    fields,
  } as ProjectedEvent;
}

/** When the service received the callback (ms), or the store's own time when the metadata has none. */
export function receivedAtOf(event: RecordedEvent): number {
  const received = typeof event.metadata.receivedAt === 'string' ? Date.parse(event.metadata.receivedAt) : NaN;
  return Number.isNaN(received) ? event.recordedAt.getTime() : received;
}
