// Reads a stored callback event as today's interpretation makes it: an UnrecognizedCallbackReceived stored
// before its type was modelled becomes the typed event its raw body stands for (an upcaster for read models).
import { parseCallbackBody } from './callbackJson';
import { CallbackEventType, type CallbackEventBody } from './callbackEvents';
import { interpretCallback } from './interpretCallback';

/** An event as the store gives it back (structurally the event store's RecordedEvent). */
export interface StoredCallback {
  id: string;
  type: string;
  stream: string;
  data: { [key: string]: unknown };
}

export type ReinterpretedCallback = CallbackEventBody & {
  /** The stored event's id: a callback keeps its id whatever it is read as. */
  id: string;
  /** Where the event is stored; never moved. */
  stream: string;
  /**
   * The stream the same callback is appended to today: the stored one for every event but an upcast one,
   * whose stored stream is `unrecognized-<event id>` while this says where its kind lives (`session-<sequence>`
   * for a push anomaly report, `recording-<session_id>` for a recording status...). Read models that key on a
   * stream name key on this one.
   */
  interpretedStream: string;
  raw: string;
  /** Stored as UnrecognizedCallbackReceived, read as a type this service now models. */
  upcast: boolean;
};

const KNOWN_TYPES = new Set<string>(Object.values(CallbackEventType));
const UNRECOGNIZED: string = CallbackEventType.UnrecognizedCallbackReceived;

/**
 * The event as read models should see it; null for what this service did not write (a foreign type,
 * no body or fields). Events of a modelled type are returned as stored; only unrecognized ones are read
 * again from their raw body, so that an upgrade models the callbacks received before it too.
 */
export function reinterpretStoredCallback(stored: StoredCallback): ReinterpretedCallback | null {
  const { raw, fields } = stored.data;
  if (typeof raw !== 'string' || !KNOWN_TYPES.has(stored.type) || fields === null || typeof fields !== 'object') return null;
  const kept = { id: stored.id, stream: stored.stream, raw };
  if (stored.type === UNRECOGNIZED) {
    const parsed = parseCallbackBody(raw);
    if (parsed.ok) {
      const today = interpretCallback(parsed.payload, raw);
      return { ...today, ...kept, interpretedStream: today.stream, upcast: today.type !== UNRECOGNIZED };
    }
  }
  const asStored = { type: stored.type, fields } as CallbackEventBody;
  return { ...asStored, ...kept, interpretedStream: stored.stream, upcast: false };
}
