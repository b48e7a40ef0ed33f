// What every way in (POST /callbacks, `import`) does with a callback's text: parse it, interpret it, append it once.
import type { CallbackEvent, CallbackEventMetadata } from '../domain/callbackEvents';
import { parseCallbackBody, type ParsedBody } from '../domain/callbackJson';
import type { EventStore } from '../eventstore/eventStore';
import { storedCallback } from './storedCallback';

const BOM = '\ufeff';

/** Parses the body as text; a leading byte order mark is not part of the JSON (the stored raw keeps it). */
export function parseCallbackText(raw: string): ParsedBody {
  return parseCallbackBody(raw.startsWith(BOM) ? raw.slice(1) : raw);
}

export interface AppendedCallback {
  stored: 'new' | 'duplicate';
  /** Global position of the new event; undefined for a duplicate. */
  position: bigint | undefined;
}

/** Appends the event to its stream; a callback stored before (same event id) is a duplicate, not a second copy. */
export async function appendCallback(store: EventStore, event: CallbackEvent, metadata: CallbackEventMetadata): Promise<AppendedCallback> {
  const result = await store.appendToStream(event.stream, [storedCallback(event, metadata)]);
  return { stored: result.appended.length > 0 ? 'new' : 'duplicate', position: result.position };
}
