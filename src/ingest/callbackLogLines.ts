// The callback log as JSON Lines, for `export` and `import`: one stored callback per line, its body exactly as received.
import type { CallbackPayload } from '../domain/callbackJson';
import type { RecordedEvent } from '../eventstore/eventStore';
import { parseCallbackText } from './acceptCallback';

/** One exported line. `eventId`, `type`, `stream` and `position` are for reading; import derives them again from `raw`. */
export interface ExportedCallback {
  receivedAt: string;
  /** The body exactly as received, as a JSON string. */
  raw: string;
  eventId: string;
  type: string;
  stream: string;
  /** Global position in the log it was exported from (a decimal string: it may exceed a double). */
  position: string;
}

/** The line for a stored callback (without the newline), or null for an event this service did not write. */
export function exportLine(event: RecordedEvent): string | null {
  if (typeof event.data.raw !== 'string') return null;
  const received = event.metadata.receivedAt;
  const line: ExportedCallback = {
    // As the projections do: the store's own time when the metadata has none.
    receivedAt: typeof received === 'string' ? received : event.recordedAt.toISOString(),
    raw: event.data.raw,
    eventId: event.id,
    type: event.type,
    stream: event.stream,
    position: event.position.toString(),
  };
  return JSON.stringify(line);
}

export type ImportLine =
  | { kind: 'blank' }
  | { kind: 'callback'; raw: string; payload: CallbackPayload; receivedAt: string | null }
  | { kind: 'rejected'; reason: string };

const BOM = '\ufeff';

/** An exported line has a string `raw`; CSS callbacks have no such field (and always an `event_type`). */
function isEnvelope(payload: CallbackPayload): payload is CallbackPayload & { raw: string } {
  return typeof payload.raw === 'string' && !Object.hasOwn(payload, 'event_type');
}

/**
 * Reads one line of an import: an exported line (its `raw` is the callback, `receivedAt` when it was
 * received), or a bare CSS callback object (the line itself is the callback, received now).
 */
export function readImportLine(line: string): ImportLine {
  const text = line.startsWith(BOM) ? line.slice(1) : line; // a file's byte order mark, on its first line
  if (text.trim() === '') return { kind: 'blank' };
  const parsed = parseCallbackText(text);
  if (!parsed.ok) return { kind: 'rejected', reason: `${parsed.error}: ${parsed.message.replace(/^body /, 'line ')}` };
  if (!isEnvelope(parsed.payload)) return { kind: 'callback', raw: text, payload: parsed.payload, receivedAt: null };

  const { raw, receivedAt } = parsed.payload;
  let received: string | null = null;
  if (receivedAt !== undefined && receivedAt !== null) {
    const ms = typeof receivedAt === 'string' ? Date.parse(receivedAt) : NaN;
    if (Number.isNaN(ms)) return { kind: 'rejected', reason: `invalid_received_at: receivedAt ${JSON.stringify(receivedAt)} is not a date` };
    received = new Date(ms).toISOString();
  }
  const inner = parseCallbackText(raw);
  if (!inner.ok) return { kind: 'rejected', reason: `${inner.error}: raw ${inner.message.replace(/^body /, '')}` };
  return { kind: 'callback', raw, payload: inner.payload, receivedAt: received };
}
