// The quarantine: authentic callbacks whose signature had expired, kept in streams of their own until an operator promotes them.
import { v5 as uuidv5 } from 'uuid';
import type { CallbackEvent, CallbackEventBody, CallbackEventType } from './callbackEvents';

export const QuarantineEventType = {
  /** An authentic callback kept aside: the event it would have become, not in the callback log. */
  CallbackQuarantined: 'CallbackQuarantined',
  /** An operator put the callback into the log as the event it would have been. */
  QuarantinedCallbackPromoted: 'QuarantinedCallbackPromoted',
} as const;

/** Why a callback was quarantined; the only reason so far is a signature that had expired. */
export type QuarantineReason = 'expired';

/** Data of a CallbackQuarantined event. */
export interface CallbackQuarantinedData {
  /** The id of the event it would become: the quarantine entry's id too. */
  eventId: string;
  type: CallbackEventType;
  stream: string;
  fields: CallbackEventBody['fields'];
  /** The body exactly as received. */
  raw: string;
  reason: QuarantineReason;
  /** The callback's expiry (unix seconds) and how far in the past it was on receipt. */
  t: number;
  lateSeconds: number;
}

/** Data of a QuarantinedCallbackPromoted event. */
export interface QuarantinedCallbackPromotedData {
  eventId: string;
  stream: string;
  promotedAt: string;
  /** `duplicate`: the log held the event already (CSS's own retry got through meanwhile). */
  stored: 'new' | 'duplicate';
}

/** Namespace of the quarantine's own event ids; distinct from the callback ids, which the promoted events keep. */
const QUARANTINE_NAMESPACE = 'd39bf647-834c-450a-927b-1380cfe5b72d';

/** One quarantine event per callback, whatever its retries: a replayed signature with the same body adds nothing. */
export const quarantinedEventId = (eventId: string): string => uuidv5(`quarantined ${eventId}`, QUARANTINE_NAMESPACE);
/** One promotion per entry: promoting twice stores nothing new. */
export const promotionEventId = (eventId: string): string => uuidv5(`promoted ${eventId}`, QUARANTINE_NAMESPACE);

export function quarantinedData(event: CallbackEvent, late: { t: number; lateSeconds: number }): CallbackQuarantinedData {
  return {
    eventId: event.id,
    type: event.type,
    stream: event.stream,
    fields: event.fields,
    raw: event.raw,
    reason: 'expired',
    t: late.t,
    lateSeconds: late.lateSeconds,
  };
}

/** The event a quarantined callback would have been, as interpretCallback made it on receipt. */
export function eventOfQuarantined(data: CallbackQuarantinedData): CallbackEvent {
  return { id: data.eventId, stream: data.stream, raw: data.raw, type: data.type, fields: data.fields } as CallbackEvent;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The data of a CallbackQuarantined event as read back, or null when it is not one this service wrote. */
export function readQuarantinedData(data: { [key: string]: unknown }): CallbackQuarantinedData | null {
  const { eventId, type, stream, fields, raw, reason, t, lateSeconds } = data;
  const ok =
    typeof eventId === 'string' && UUID.test(eventId) &&
    typeof type === 'string' && typeof stream === 'string' && typeof raw === 'string' &&
    fields !== null && typeof fields === 'object' &&
    reason === 'expired' && Number.isSafeInteger(t) && Number.isSafeInteger(lateSeconds);
  return ok ? (data as unknown as CallbackQuarantinedData) : null;
}

export const isEventId = (value: string): boolean => UUID.test(value);
