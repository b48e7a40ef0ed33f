// `promote`: puts quarantined callbacks into the log as the events they would have been, each at most once.
import type { CallbackEventMetadata } from '../domain/callbackEvents';
import { eventOfQuarantined, isEventId, QuarantineEventType, readQuarantinedData } from '../domain/quarantine';
import { quarantineStream } from '../domain/streamNames';
import type { EventStore } from '../eventstore/eventStore';
import { appendCallback } from './acceptCallback';
import { promotionRecord } from './storedCallback';

export type PromotionResult =
  | { eventId: string; outcome: 'promoted'; type: string; stream: string; stored: 'new' | 'duplicate'; position: bigint | undefined }
  | { eventId: string; outcome: 'already_promoted'; type: string; stream: string }
  | { eventId: string; outcome: 'not_found' };

/**
 * Appends the callback to its real stream with its own event id (so a later retry of it stays a duplicate), then
 * marks the entry promoted in its quarantine stream. Both appends are idempotent: after a failure between them,
 * promoting again finishes the job.
 */
export async function promoteQuarantined(store: EventStore, eventId: string, now: () => Date = () => new Date()): Promise<PromotionResult> {
  if (!isEventId(eventId)) return { eventId, outcome: 'not_found' };
  const stream = quarantineStream(eventId.toLowerCase());
  const events = await store.readStream(stream);
  const quarantined = events.find((event) => event.type === QuarantineEventType.CallbackQuarantined);
  const data = quarantined === undefined ? null : readQuarantinedData(quarantined.data);
  if (quarantined === undefined || data === null) return { eventId, outcome: 'not_found' };
  if (events.some((event) => event.type === QuarantineEventType.QuarantinedCallbackPromoted)) {
    return { eventId: data.eventId, outcome: 'already_promoted', type: data.type, stream: data.stream };
  }

  const promotedAt = now().toISOString();
  // The metadata of its receipt (time, address, request id, key index), and where and when it was promoted from.
  const metadata = {
    ...quarantined.metadata,
    receivedAt: typeof quarantined.metadata.receivedAt === 'string' ? quarantined.metadata.receivedAt : quarantined.recordedAt.toISOString(),
    authenticatedBy: 'signature',
    promotedFrom: stream,
    promotedAt,
    lateSeconds: data.lateSeconds,
  } as CallbackEventMetadata;
  const { stored, position } = await appendCallback(store, eventOfQuarantined(data), metadata);
  await store.appendToStream(stream, [promotionRecord({ eventId: data.eventId, stream: data.stream, promotedAt, stored })]);
  return { eventId: data.eventId, outcome: 'promoted', type: data.type, stream: data.stream, stored, position };
}

export interface PromotionSummary {
  promoted: number;
  /** Of the promoted ones, those the log held already (CSS's own retry got through meanwhile). */
  alreadyInLog: number;
  alreadyPromoted: number;
  notFound: number;
}

/** Promotes the entries one after the other, in the order given; `onResult` hears each. */
export async function promoteAll(
  store: EventStore,
  eventIds: Iterable<string>,
  onResult: (result: PromotionResult) => void = () => undefined,
): Promise<PromotionSummary> {
  const summary: PromotionSummary = { promoted: 0, alreadyInLog: 0, alreadyPromoted: 0, notFound: 0 };
  for (const eventId of eventIds) {
    const result = await promoteQuarantined(store, eventId);
    if (result.outcome === 'promoted') {
      summary.promoted++;
      if (result.stored === 'duplicate') summary.alreadyInLog++;
    } else if (result.outcome === 'already_promoted') summary.alreadyPromoted++;
    else summary.notFound++;
    onResult(result);
  }
  return summary;
}

/** One line per entry, as `promote` prints it. */
export function describePromotion(result: PromotionResult): string {
  switch (result.outcome) {
    case 'promoted':
      return result.stored === 'new'
        ? `promoted ${result.eventId}: ${result.type} stored in ${result.stream} at position ${result.position}`
        : `promoted ${result.eventId}: ${result.stream} held this ${result.type} already (CSS's own retry got through)`;
    case 'already_promoted':
      return `${result.eventId}: promoted before (${result.type} in ${result.stream}); nothing stored`;
    case 'not_found':
      return `${result.eventId}: no quarantined callback has this id`;
  }
}
