// One destination's rows in forwarding.db: intake with its guarded checkpoint, pending deliveries, attempt results, dead letters, pruning.
import { limitBy } from '../eventstore/sqlite/boundLimit';
import { bound } from '../eventstore/sqlite/boundValue';
import type { DeliveryContent } from './deliveryFormat';
import type { ForwardingDatabase } from './forwardingDb';

export type DeliveryOrigin = 'log' | 'replay';
export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** A pending delivery as the delivery loop holds it. */
export interface PendingDelivery extends DeliveryContent {
  id: number;
  origin: DeliveryOrigin;
  offeredAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastDelayMs: number | null;
}

/** What an attempt came to, written with its delivery's new state (a copy: the delivery may move on before it is written). */
export interface AttemptRecord {
  deliveryId: number;
  position: bigint;
  /** Which attempt of the delivery this was, from 1. */
  attempt: number;
  sentAt: number;
  finishedAt: number;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  /** The delivery's state after the attempt: delivered, dead-lettered, or pending until nextAttemptAt. */
  status: DeliveryStatus;
  nextAttemptAt: number;
  lastDelayMs: number | null;
}

/** The intake checkpoint moved under us: another process forwards to this destination from the same file. */
export class CheckpointConflictError extends Error {
  readonly code = 'FORWARDING_CHECKPOINT_CONFLICT';
  constructor(destination: string, expected: bigint) {
    super(`destination ${destination}: intake checkpoint is no longer ${expected}; another process forwards to it from the same forwarding.db, so this one stops`);
    this.name = 'CheckpointConflictError';
  }
}

export interface DestinationSummary {
  paused: boolean;
  lastDeliveredPosition: bigint | null;
  lastDeliveredAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

type Row = Record<string, unknown>;
const PENDING_COLUMNS = `id, event_id, event_type, stream, position, received_at, offered_at, origin, attempts, next_attempt_at, last_delay_ms, raw, fields, content_type`;

export function toPendingDelivery(row: Row): PendingDelivery {
  return {
    id: Number(row.id),
    eventId: row.event_id as string,
    eventType: row.event_type as string,
    stream: row.stream as string,
    position: BigInt(row.position as bigint),
    receivedAt: Number(row.received_at),
    offeredAt: Number(row.offered_at),
    origin: row.origin as DeliveryOrigin,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastDelayMs: row.last_delay_ms === null ? null : Number(row.last_delay_ms),
    raw: (row.raw as string | null) ?? '',
    fieldsJson: (row.fields as string | null) ?? '{}',
    contentType: row.content_type as string | null,
  };
}

export function deliveryStore(db: ForwardingDatabase, destination: string) {
  const statements = {
    checkpoint: db.prepare('SELECT position FROM destinations WHERE name = ?').pluck().safeIntegers(true),
    createDestination: db.prepare('INSERT OR IGNORE INTO destinations (name, position, updated_at) VALUES (?, ?, ?)'),
    advance: db.prepare('UPDATE destinations SET position = @next, updated_at = @now WHERE name = @name AND position = @previous'),
    insert: db.prepare(
      `INSERT INTO deliveries (destination, event_id, event_type, stream, position, received_at, offered_at, origin, status, attempts, next_attempt_at, raw, fields, content_type)
       VALUES (@destination, @eventId, @eventType, @stream, @position, @receivedAt, @now, @origin, 'pending', 0, @now, @raw, @fieldsJson, @contentType)`,
    ),
    pending: db.prepare(`SELECT ${PENDING_COLUMNS} FROM deliveries WHERE destination = ${bound('?')} AND status = 'pending' ORDER BY id`).safeIntegers(true),
    attempt: db.prepare('INSERT INTO attempts (delivery_id, attempt, at, http_status, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?)'),
    delivered: db.prepare(
      `UPDATE deliveries SET status = 'delivered', attempts = @attempts, last_status = @httpStatus, last_error = NULL, finished_at = @at, raw = NULL, fields = NULL WHERE id = @id`,
    ),
    failed: db.prepare(
      `UPDATE deliveries SET status = @status, attempts = @attempts, next_attempt_at = @nextAttemptAt, last_delay_ms = @lastDelayMs,
         last_status = @httpStatus, last_error = @error, finished_at = CASE WHEN @status = 'dead' THEN @at END WHERE id = @id`,
    ),
    lastDelivered: db.prepare('UPDATE destinations SET last_delivered_position = ?, last_delivered_at = ? WHERE name = ?'),
    lastError: db.prepare('UPDATE destinations SET last_error = ?, last_error_at = ? WHERE name = ?'),
    setPaused: db.prepare('UPDATE destinations SET paused = ?, updated_at = ? WHERE name = ?'),
    summary: db.prepare('SELECT paused, last_delivered_position, last_delivered_at, last_error, last_error_at FROM destinations WHERE name = ?').safeIntegers(true),
    deadCount: db.prepare(`SELECT count(*) FROM deliveries WHERE destination = ? AND status = 'dead'`).pluck(),
    lastDead: db.prepare(`SELECT max(id) FROM deliveries WHERE destination = ${bound('?')} AND status = 'dead'`).pluck(),
    revive: db
      .prepare(
        `UPDATE deliveries SET status = 'pending', attempts = 0, offered_at = @now, next_attempt_at = @now, last_delay_ms = NULL, finished_at = NULL
         WHERE id IN (SELECT id FROM deliveries WHERE destination = ${bound('@destination')} AND status = 'dead' AND id <= @upTo ORDER BY id ${limitBy('@limit')})
         RETURNING ${PENDING_COLUMNS}`,
      )
      .safeIntegers(true),
    prunable: db
      .prepare(
        `SELECT id FROM deliveries WHERE destination = ${bound('@destination')} AND status != 'pending' AND (finished_at < @before OR id <= @keepAbove)
         ORDER BY id ${limitBy('@limit')}`,
      )
      .pluck(),
    keepAbove: db
      .prepare(`SELECT id FROM deliveries WHERE destination = ${bound('?')} AND status != 'pending' ORDER BY id DESC LIMIT 1 OFFSET ?`)
      .pluck(),
    deleteAttempts: db.prepare('DELETE FROM attempts WHERE delivery_id IN (SELECT value FROM json_each(?))'),
    deleteDeliveries: db.prepare('DELETE FROM deliveries WHERE id IN (SELECT value FROM json_each(?))'),
  };

  const insertAll = (offers: readonly OfferedEvent[], origin: DeliveryOrigin, now: number): PendingDelivery[] =>
    offers.map((offer) => {
      const id = Number(statements.insert.run({ ...offer, destination, origin, now }).lastInsertRowid);
      return { ...offer, id, origin, offeredAt: now, attempts: 0, nextAttemptAt: now, lastDelayMs: null };
    });

  const intake = db.transaction((previous: bigint, next: bigint, offers: readonly OfferedEvent[], now: number) => {
    const inserted = insertAll(offers, 'log', now);
    if (next !== previous) {
      const changed = statements.advance.run({ name: destination, previous, next, now }).changes;
      if (changed !== 1) throw new CheckpointConflictError(destination, previous);
    }
    return inserted;
  });

  const record = db.transaction((records: readonly AttemptRecord[]) => {
    let lastDelivered: AttemptRecord | null = null;
    let lastFailed: AttemptRecord | null = null;
    for (const r of records) {
      statements.attempt.run(r.deliveryId, r.attempt, r.sentAt, r.httpStatus, r.durationMs, r.error);
      const row = { id: r.deliveryId, attempts: r.attempt, httpStatus: r.httpStatus, at: r.finishedAt };
      if (r.status === 'delivered') {
        statements.delivered.run(row);
        lastDelivered = r;
      } else {
        statements.failed.run({ ...row, status: r.status, nextAttemptAt: r.nextAttemptAt, lastDelayMs: r.lastDelayMs, error: r.error });
        lastFailed = r;
      }
    }
    if (lastDelivered !== null) statements.lastDelivered.run(lastDelivered.position, lastDelivered.finishedAt, destination);
    if (lastFailed !== null) statements.lastError.run(lastFailed.error, lastFailed.finishedAt, destination);
  });

  const prune = db.transaction((before: number, maxRows: number, limit: number): number => {
    const keepAbove = (statements.keepAbove.get(destination, maxRows) as number | undefined) ?? 0;
    const ids = statements.prunable.all({ destination, before, keepAbove, limit }) as number[];
    if (ids.length === 0) return 0;
    const list = JSON.stringify(ids);
    statements.deleteAttempts.run(list);
    statements.deleteDeliveries.run(list);
    return ids.length;
  });

  return {
    /** The intake checkpoint; a destination seen for the first time starts at `initial`. */
    openCheckpoint(initial: bigint, now: number): bigint {
      statements.createDestination.run(destination, initial, now);
      return statements.checkpoint.get(destination) as bigint;
    },
    /** Moves the checkpoint from `previous` to `next`, offering nothing. */
    moveCheckpoint(previous: bigint, next: bigint, now: number): void {
      statements.advance.run({ name: destination, previous, next, now });
    },
    /** Records the offers and moves the checkpoint from `previous` to `next` in one transaction. */
    intake(previous: bigint, next: bigint, offers: readonly OfferedEvent[], now: number): PendingDelivery[] {
      return intake.immediate(previous, next, offers, now);
    },
    /** New deliveries outside the intake (a replay): the checkpoint does not move. */
    offer(offers: readonly OfferedEvent[], now: number): PendingDelivery[] {
      return db.transaction(() => insertAll(offers, 'replay', now)).immediate();
    },
    pending(): PendingDelivery[] {
      return (statements.pending.all(destination) as Row[]).map(toPendingDelivery);
    },
    record(records: readonly AttemptRecord[]): void {
      if (records.length > 0) record.immediate(records);
    },
    setPaused(paused: boolean, now: number): void {
      statements.setPaused.run(paused ? 1 : 0, now, destination);
    },
    summary(): DestinationSummary {
      const row = statements.summary.get(destination) as Row | undefined;
      const asNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));
      return {
        paused: row !== undefined && Number(row.paused) === 1,
        lastDeliveredPosition: row?.last_delivered_position == null ? null : BigInt(row.last_delivered_position as bigint),
        lastDeliveredAt: asNumber(row?.last_delivered_at),
        lastError: (row?.last_error as string | null | undefined) ?? null,
        lastErrorAt: asNumber(row?.last_error_at),
      };
    },
    deadLetterCount(): number {
      return Number(statements.deadCount.get(destination));
    },
    /** The newest dead letter's id (0 when none): a redelivery takes those up to it, not the ones that die meanwhile. */
    lastDeadLetterId(): number {
      return Number(statements.lastDead.get(destination) ?? 0);
    },
    /** Puts up to `limit` dead letters with ids up to `upTo`, oldest first, back to pending with fresh attempts. */
    reviveDeadLetters(upTo: number, limit: number, now: number): PendingDelivery[] {
      return db.transaction(() => (statements.revive.all({ destination, upTo, limit, now }) as Row[]).map(toPendingDelivery)).immediate();
    },
    /** Deletes up to `limit` finished deliveries (and their attempts) finished before `before` or beyond the newest `maxRows`. */
    prune(before: number, maxRows: number, limit: number): number {
      return prune.immediate(before, maxRows, limit);
    },
  };
}
export type DeliveryStore = ReturnType<typeof deliveryStore>;

/** An event offered to a destination: what its delivery row keeps of it, which is what is sent. */
export type OfferedEvent = DeliveryContent;
