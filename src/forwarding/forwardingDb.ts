// The forwarding state: its own SQLite file (DATA_DIR/forwarding.db) with each destination's checkpoint, deliveries and attempts.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WAL_AUTOCHECKPOINT_PAGES } from '../eventstore/sqlite/sqliteEventLog';

export type ForwardingDatabase = Database.Database;

/** Forwarding's state: each destination's checkpoint, deliveries and attempts, beside (not inside) the log and read models. */
export const forwardingFile = (dataDir: string): string => path.join(dataDir, 'forwarding', 'forwarding.db');

/**
 * Bump with a migration when tables change in a way an older build cannot read: unlike a read model, this state cannot
 * be rebuilt from the log. A table an older build never reads is added without a bump, so that going back to it works.
 */
const SCHEMA_VERSION = 1;

/** Which log the checkpoints are positions of (its first event; logAtStart.ts); added to version 1 files as they open. */
const LOG_TABLE = `
  CREATE TABLE IF NOT EXISTS log (
    first_event TEXT NOT NULL
  ) STRICT;
`;

const SCHEMA = `
  CREATE TABLE destinations (
    name                    TEXT PRIMARY KEY,
    position                INTEGER NOT NULL, -- intake checkpoint: every event up to here is a delivery or filtered out
    paused                  INTEGER NOT NULL DEFAULT 0,
    last_delivered_position INTEGER,
    last_delivered_at       INTEGER,
    last_error              TEXT,
    last_error_at           INTEGER,
    updated_at              INTEGER NOT NULL
  ) STRICT;

  -- One row per offer of an event to a destination: a replay or a redelivery is a new row with the same event id.
  CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, so cursors stay valid after pruning
    destination     TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    stream          TEXT NOT NULL,
    position        INTEGER NOT NULL,
    received_at     INTEGER NOT NULL, -- ms
    offered_at      INTEGER NOT NULL, -- ms; retry.maxAgeSeconds counts from here
    origin          TEXT NOT NULL,    -- log | replay
    status          TEXT NOT NULL,    -- pending | delivered | dead
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_delay_ms   INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    finished_at     INTEGER,
    raw             TEXT,             -- what is sent; cleared once delivered, kept while a redelivery may need it
    fields          TEXT,
    content_type    TEXT
  ) STRICT;
  CREATE INDEX deliveries_by_destination ON deliveries (destination, id);
  CREATE INDEX deliveries_by_status ON deliveries (destination, status, id);
  CREATE INDEX deliveries_by_stream ON deliveries (destination, stream, id);
  CREATE INDEX deliveries_by_event ON deliveries (destination, event_id, id);
  CREATE INDEX deliveries_finished ON deliveries (destination, id) WHERE status != 'pending';

  CREATE TABLE attempts (
    delivery_id INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    at          INTEGER NOT NULL, -- ms, when it was sent
    http_status INTEGER,
    duration_ms REAL NOT NULL,
    error       TEXT
  ) STRICT;
  CREATE INDEX attempts_by_delivery ON attempts (delivery_id, at);
`;

/**
 * Opens (creating when missing) the forwarding file. WAL with synchronous=NORMAL: a process
 * crash loses nothing committed; a power loss may roll back the last transactions, which only
 * sends their deliveries again (at least once).
 */
export function openForwardingDb(file: string): ForwardingDatabase {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // The service's background thread checkpoints it (processing/walCheckpoints.ts): an intake's commit does not copy
  // the WAL back, nor fsync it beside the log's. This threshold is the safety net, and what a command alone does.
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma('busy_timeout = 5000');
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== 0 && version !== SCHEMA_VERSION) {
      throw new Error(`${file} has forwarding schema version ${version}; this version of the ledger reads ${SCHEMA_VERSION}`);
    }
    if (version === 0) db.exec(SCHEMA);
    db.exec(LOG_TABLE);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  return db;
}

/** The first event of the log the checkpoints follow (logAtStart.ts); null before one was recorded. */
export function recordedLogFirstEvent(db: ForwardingDatabase): string | null {
  return (db.prepare('SELECT first_event FROM log').pluck().get() as string | undefined) ?? null;
}

export function recordLogFirstEvent(db: ForwardingDatabase, id: string): void {
  db.transaction(() => {
    db.prepare('DELETE FROM log').run();
    db.prepare('INSERT INTO log (first_event) VALUES (?)').run(id);
  }).immediate();
}
