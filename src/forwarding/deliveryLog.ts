// The searchable delivery log: a destination's deliveries newest first (by status, stream, event, time), and each one's attempts.
import { bound } from '../eventstore/sqlite/boundValue';
import type { Page } from '../processing/pagination';
import { keysetListing } from '../processing/keysetListing';
import type { DeliveryOrigin, DeliveryStatus } from './deliveryStore';
import type { ForwardingDatabase } from './forwardingDb';

export interface DeliveryLogFilter {
  status?: DeliveryStatus;
  stream?: string;
  eventId?: string;
  /** Offered at or after this time. */
  from?: Date;
  /** Offered before this time. */
  before?: Date;
}

export interface DeliveryLogEntry {
  id: number;
  destination: string;
  eventId: string;
  eventType: string;
  stream: string;
  position: bigint;
  receivedAt: Date;
  offeredAt: Date;
  origin: DeliveryOrigin;
  status: DeliveryStatus;
  attempts: number;
  /** When a pending delivery is tried next. */
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  finishedAt: Date | null;
}

export interface AttemptLogEntry {
  attempt: number;
  at: Date;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
}

type ListingFilter = { destination: string; status?: string; stream?: string; eventId?: string; from?: number; before?: number };
type Raw = Record<string, unknown>;

const COLUMNS = `d.id AS id, d.destination AS destination, d.event_id AS eventId, d.event_type AS eventType, d.stream AS stream,
  d.position AS position, d.received_at AS receivedAt, d.offered_at AS offeredAt, d.origin AS origin, d.status AS status,
  d.attempts AS attempts, d.next_attempt_at AS nextAttemptAt, d.last_status AS lastStatus, d.last_error AS lastError, d.finished_at AS finishedAt`;

const optionalNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const optionalDate = (value: unknown) => (value === null || value === undefined ? null : new Date(Number(value)));

function toEntry(raw: Raw): DeliveryLogEntry {
  const status = raw.status as DeliveryStatus;
  return {
    id: Number(raw.id),
    destination: raw.destination as string,
    eventId: raw.eventId as string,
    eventType: raw.eventType as string,
    stream: raw.stream as string,
    position: BigInt(raw.position as bigint),
    receivedAt: new Date(Number(raw.receivedAt)),
    offeredAt: new Date(Number(raw.offeredAt)),
    origin: raw.origin as DeliveryOrigin,
    status,
    attempts: Number(raw.attempts),
    nextAttemptAt: status === 'pending' ? optionalDate(raw.nextAttemptAt) : null,
    lastStatus: optionalNumber(raw.lastStatus),
    lastError: (raw.lastError as string | null) ?? null,
    finishedAt: optionalDate(raw.finishedAt),
  };
}

/** `settle` writes a destination's results that still wait to be written, so that a listing is as fresh as the destination's status. */
export function deliveryLog(db: ForwardingDatabase, settle: (destination: string) => void = () => {}) {
  const list = keysetListing<ListingFilter, DeliveryLogEntry>(db, {
    listing: 'deliveries',
    from: 'deliveries d',
    columns: COLUMNS,
    sortKey: [{ column: 'd.id', kind: 'integer' }],
    filters: {
      destination: { column: 'd.destination', operator: 'equals' },
      status: { column: 'd.status', operator: 'equals' },
      stream: { column: 'd.stream', operator: 'equals' },
      eventId: { column: 'd.event_id', operator: 'equals' },
      from: { column: 'd.offered_at', operator: 'from' },
      before: { column: 'd.offered_at', operator: 'before' },
    },
    // An event has a few deliveries, a stream a few dozen, a status up to all of them.
    indexedFilters: ['eventId', 'stream', 'status'],
    safeIntegers: true,
    toRow: toEntry,
    keyOf: (entry) => [entry.id],
  });
  const attempts = db.prepare<[number], Raw>(`SELECT attempt, at, http_status, duration_ms, error FROM attempts WHERE delivery_id = ${bound('?')} ORDER BY at, rowid`);

  return {
    /** A destination's deliveries, newest first; `after` is an endCursor of this listing. */
    list(destination: string, filter: DeliveryLogFilter, first: number, after: string | null): Page<DeliveryLogEntry> {
      const { status, stream, eventId, from, before } = filter;
      settle(destination);
      return list({ destination, status, stream, eventId, from: from?.getTime(), before: before?.getTime() }, first, after);
    },
    /** The attempts of one delivery, oldest first. */
    attempts(deliveryId: number): AttemptLogEntry[] {
      return attempts.all(deliveryId).map((raw) => ({
        attempt: Number(raw.attempt),
        at: new Date(Number(raw.at)),
        httpStatus: optionalNumber(raw.http_status),
        durationMs: Number(raw.duration_ms),
        error: (raw.error as string | null) ?? null,
      }));
    },
  };
}
export type DeliveryLog = ReturnType<typeof deliveryLog>;
