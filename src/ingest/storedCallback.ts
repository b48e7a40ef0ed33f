// How an interpreted callback is written to the log: one event, data = normalized fields + raw body.
import type { CallbackEvent, CallbackEventMetadata } from '../domain/callbackEvents';
import type { NewEvent } from '../eventstore/eventStore';

export function storedCallback(event: CallbackEvent, metadata: CallbackEventMetadata): NewEvent {
  return { id: event.id, type: event.type, data: { fields: event.fields, raw: event.raw }, metadata: { ...metadata } };
}
