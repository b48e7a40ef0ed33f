// Pure translations between the EventStore port and @eventstore/db-client: events, positions, names.
import { jsonEvent, type AllStreamResolvedEvent, type EventData, type ResolvedEvent } from '@eventstore/db-client';
import { ALL_STREAM_CATEGORIES } from '../../domain/streamNames';
import type { JsonObject, NewEvent, RecordedEvent } from '../eventStore';

/** The ledger's streams are `category-id`: the $all filter keeps these prefixes and nothing else. */
export const LEDGER_STREAM_PREFIXES: readonly string[] = ALL_STREAM_CATEGORIES.map((category) => `${category}-`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `eventstoredb:host:port[,host:port]`, from a connection string, without credentials or options. */
export function describeConnection(connectionString: string): string {
  const withoutScheme = connectionString.trim().replace(/^esdb(\+discover)?:\/\//i, '');
  const authority = withoutScheme.split(/[/?]/, 1)[0] ?? '';
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  return `eventstoredb:${hosts}`;
}

/** EventStoreDB compares event ids as UUIDs, not strings: so do we when looking for duplicates. */
export const idKey = (id: string): string => id.toLowerCase();

/**
 * Drops repeated ids within one call (the first occurrence is the one stored) and rejects what the
 * server would reject later, while the caller can still be told it is their request: non-UUID ids and
 * data that is not JSON-serializable (TypeError, like the SQLite adapter).
 */
export function uniqueEvents(events: NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  const unique: NewEvent[] = [];
  for (const event of events) {
    if (!UUID.test(event.id)) throw new TypeError(`event id ${JSON.stringify(event.id)} is not a UUID`);
    if (seen.has(idKey(event.id))) continue;
    seen.add(idKey(event.id));
    JSON.stringify(event.data); // throws TypeError on bigint, the usual mistake
    if (event.metadata !== undefined) JSON.stringify(event.metadata);
    unique.push(event);
  }
  return unique;
}

export function toEventData(event: NewEvent): EventData {
  return jsonEvent({ id: event.id, type: event.type, data: event.data, ...(event.metadata && { metadata: event.metadata }) });
}

/**
 * The global position of an event: its commit position in $all. Our appends go through the gRPC
 * append, which commits each event implicitly: every event gets its own log record, with commit ==
 * prepare, strictly increasing within a batch and across batches, and the append result's commit
 * position is the one of the batch's last event. (Only legacy TCP explicit transactions share one commit
 * position between several events; those never reach our streams.)
 */
export function positionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): bigint | undefined {
  return resolved.event?.position?.commit ?? resolved.commitPosition;
}

/** Our view of a stored event; undefined for what the port does not carry (unresolved links, system events). */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (event === undefined || event.type.startsWith('$')) return undefined;
  return {
    id: event.id,
    type: event.type,
    stream: event.streamId,
    revision: event.revision,
    position: positionOf(resolved) ?? -1n, // stream reads carry positions from EventStoreDB 22.6 on
    data: toJsonObject(event.data),
    metadata: event.metadata === undefined ? {} : toJsonObject(event.metadata),
    recordedAt: event.created,
  };
}

/** Data as stored; what is not a JSON object (another writer's event) is wrapped rather than dropped. */
function toJsonObject(value: unknown): JsonObject {
  if (value instanceof Uint8Array) {
    const text = Buffer.from(value).toString('utf8');
    try {
      return toJsonObject(JSON.parse(text));
    } catch {
      return { base64: Buffer.from(value).toString('base64') };
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  return { value };
}
