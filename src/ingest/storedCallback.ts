// How an interpreted callback is written to the log: one event, data = normalized fields + raw body; or kept in the quarantine.
import type { CallbackEvent, CallbackEventMetadata } from '../domain/callbackEvents';
import {
  promotionEventId,
  quarantinedData,
  quarantinedEventId,
  QuarantineEventType,
  type QuarantinedCallbackPromotedData,
} from '../domain/quarantine';
import type { LateSignature } from './authenticateCallback';
import type { NewEvent } from '../eventstore/eventStore';

export function storedCallback(event: CallbackEvent, metadata: CallbackEventMetadata): NewEvent {
  return { id: event.id, type: event.type, data: { fields: event.fields, raw: event.raw }, metadata: { ...metadata } };
}

/** The CallbackQuarantined event of an authentic callback whose signature had expired, for its quarantine stream. */
export function quarantinedCallback(event: CallbackEvent, late: LateSignature, metadata: CallbackEventMetadata): NewEvent {
  return {
    id: quarantinedEventId(event.id),
    type: QuarantineEventType.CallbackQuarantined,
    data: { ...quarantinedData(event, late) },
    metadata: { ...metadata },
  };
}

/** The QuarantinedCallbackPromoted event that marks an entry as promoted, for its quarantine stream. */
export function promotionRecord(promoted: QuarantinedCallbackPromotedData): NewEvent {
  return { id: promotionEventId(promoted.eventId), type: QuarantineEventType.QuarantinedCallbackPromoted, data: { ...promoted } };
}
