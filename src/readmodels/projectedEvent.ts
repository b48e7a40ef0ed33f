// The view of a stored event that read models work on: its type and normalized fields as today's interpretation reads them, and its times.
import { type CallbackEventBody } from '../domain/callbackEvents';
import { reinterpretStoredCallback } from '../domain/reinterpretStoredCallback';
import type { RecordedEvent } from '../eventstore/eventStore';

export type ProjectedEvent = CallbackEventBody & {
  id: string;
  /** Where the event is stored. */
  stream: string;
  /** The stream its kind lives in today (the stored one, but for a callback stored unrecognized before its type was modelled). */
  interpretedStream?: string;
  position: bigint;
  /** When the service received the callback (ms); a fallback for display, never for ordering. */
  receivedAt: number;
};

/**
 * Null for events this service did not write (foreign types or shapes), which read models skip. A callback stored
 * as UnrecognizedCallbackReceived before its type was modelled is read as the typed event it stands for.
 */
export function toProjectedEvent(event: RecordedEvent): ProjectedEvent | null {
  const known = projected.get(event);
  if (known !== undefined) return known;
  const read = projectedOf(event);
  projected.set(event, read);
  return read;
}

/**
 * Each read model's file reads the same recorded events of a batch: the view is made once for all of them (it depends on
 * the event alone, and no read model changes it) and goes with the event.
 */
const projected = new WeakMap<RecordedEvent, ProjectedEvent | null>();

function projectedOf(event: RecordedEvent): ProjectedEvent | null {
  const read = reinterpretStoredCallback(event);
  if (read === null) return null;
  return {
    id: read.id,
    stream: read.stream,
    interpretedStream: read.interpretedStream,
    position: event.position,
    receivedAt: receivedAtOf(event),
    type: read.type,
    fields: read.fields,
  } as ProjectedEvent;
}

/** When the service received the callback (ms), or the store's own time when the metadata has none. */
export function receivedAtOf(event: Pick<RecordedEvent, 'metadata' | 'recordedAt'>): number {
  const received = typeof event.metadata.receivedAt === 'string' ? Date.parse(event.metadata.receivedAt) : NaN;
  return Number.isNaN(received) ? event.recordedAt.getTime() : received;
}
