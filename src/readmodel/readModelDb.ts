// The read-model database: its own SQLite file, disposable, rebuilt from the event log at will.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Bump when tables change: a file with another version is emptied and rebuilt from the log. */
export const READ_MODEL_SCHEMA_VERSION = 5;

const SCHEMA = `
  CREATE TABLE projector_checkpoint (
    name           TEXT PRIMARY KEY,
    position       INTEGER NOT NULL,  -- global position of the last applied event
    events_applied INTEGER NOT NULL,  -- how many events were applied in all: equals the log's count when none is applied twice
    updated_at     INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE sessions (
    sequence         TEXT PRIMARY KEY,
    app_id           TEXT,
    domain           TEXT,
    app_name         TEXT,
    stream_id        TEXT,
    channel_id       TEXT,
    status           TEXT NOT NULL,
    pushed_at        INTEGER,
    interrupted_at   INTEGER,
    push_duration_ms INTEGER,
    errcode          INTEGER,
    sub_errcode      INTEGER,
    errmsg           TEXT,
    reason           TEXT,
    reason_category  TEXT,
    node             TEXT,
    user_ip          TEXT,
    stream_param     TEXT,
    set_id           INTEGER,
    width            INTEGER,
    height           INTEGER,
    session_at       INTEGER NOT NULL, -- pushed_at, or interrupted_at when the push was never seen: the listing order
    state            TEXT NOT NULL     -- the reducer's state (JSON)
  ) STRICT;
  CREATE INDEX sessions_by_stream ON sessions (stream_id, session_at DESC, sequence DESC);
  CREATE INDEX sessions_by_errcode ON sessions (errcode, session_at DESC, sequence DESC);
  CREATE INDEX sessions_by_status ON sessions (status, session_at DESC, sequence DESC);
  CREATE INDEX sessions_by_time ON sessions (session_at DESC, sequence DESC);

  CREATE TABLE relay_tasks (
    task_id       TEXT PRIMARY KEY,
    app_id        TEXT,
    stream_id     TEXT,
    source_urls   TEXT NOT NULL,  -- JSON array
    source_key    TEXT,           -- app id + source URLs: how a TaskExit without task_id is matched
    to_url        TEXT,
    status        TEXT NOT NULL,
    started_at    INTEGER,
    exited_at     INTEGER,
    exit_code     INTEGER,
    exit_message  TEXT,
    restart_count INTEGER NOT NULL,
    runs          TEXT NOT NULL,  -- JSON
    files         TEXT NOT NULL,  -- JSON
    alarms        TEXT NOT NULL,  -- JSON
    last_event_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX relay_tasks_by_exit_code ON relay_tasks (exit_code, last_event_at DESC, task_id DESC);
  CREATE INDEX relay_tasks_by_status ON relay_tasks (status, last_event_at DESC, task_id DESC);
  CREATE INDEX relay_tasks_by_stream ON relay_tasks (stream_id, last_event_at DESC, task_id DESC);
  CREATE INDEX relay_tasks_by_time ON relay_tasks (last_event_at DESC, task_id DESC);
  CREATE INDEX relay_tasks_by_source ON relay_tasks (source_key, status);

  -- The reducer's state of each relay task, its set of facts: one row per fact, so that a new fact is
  -- one insert however long the task has run.
  CREATE TABLE relay_task_facts (
    task_id TEXT NOT NULL,
    fact_id TEXT NOT NULL,
    fact    TEXT NOT NULL,  -- JSON
    PRIMARY KEY (task_id, fact_id)
  ) STRICT, WITHOUT ROWID;

  -- TaskExits that carried no task_id: matched to a task (task_id set) or waiting for one (NULL).
  CREATE TABLE relay_exits (
    event_id     TEXT PRIMARY KEY,
    stream       TEXT NOT NULL,
    position     INTEGER NOT NULL,
    source_key   TEXT,
    exit_code    INTEGER,
    exit_message TEXT,
    exited_at    INTEGER,
    received_at  INTEGER NOT NULL,
    task_id      TEXT,
    fact         TEXT NOT NULL    -- the fact it adds to a task (JSON)
  ) STRICT;
  CREATE INDEX relay_exits_unmatched ON relay_exits (position DESC) WHERE task_id IS NULL;
  CREATE INDEX relay_exits_unmatched_by_source ON relay_exits (source_key) WHERE task_id IS NULL;
  -- With position: a task's exits come out in log order without a sort.
  CREATE INDEX relay_exits_by_task ON relay_exits (task_id, position) WHERE task_id IS NOT NULL;

  -- Every callback this service stored, body as received: the audit log GraphQL serves whatever the event store.
  CREATE TABLE callback_log (
    position    INTEGER PRIMARY KEY, -- global position in the event log
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    stream      TEXT NOT NULL,
    received_at INTEGER NOT NULL,    -- ms
    raw         TEXT NOT NULL
  ) STRICT;
  CREATE INDEX callback_log_by_type ON callback_log (type, position DESC);
  CREATE INDEX callback_log_by_stream ON callback_log (stream, position DESC);
  -- Callbacks of a type per minute of receipt (the dashboard's activity chart): a range of this index, no table read.
  CREATE INDEX callback_log_by_type_time ON callback_log (type, received_at);

  -- Authentic callbacks whose signature had expired, kept outside the callback log until an operator promotes them.
  CREATE TABLE quarantined_callbacks (
    event_id     TEXT PRIMARY KEY,        -- the event it would become: the entry's id
    position     INTEGER NOT NULL UNIQUE, -- of its CallbackQuarantined event: the listing's order
    type         TEXT NOT NULL,           -- the event type it would become
    stream       TEXT NOT NULL,           -- the stream it would go to
    received_at  INTEGER NOT NULL,        -- ms
    reason       TEXT NOT NULL,
    late_seconds INTEGER NOT NULL,        -- how far in the past t was on receipt
    key_index    INTEGER,
    raw          TEXT NOT NULL,
    promoted_at  INTEGER                  -- ms; NULL until promoted
  ) STRICT;
  -- What the quarantine's cap counts, and what promote --all takes.
  CREATE INDEX quarantined_callbacks_unpromoted ON quarantined_callbacks (position) WHERE promoted_at IS NULL;
`;

const TABLES = ['projector_checkpoint', 'sessions', 'relay_tasks', 'relay_task_facts', 'relay_exits', 'callback_log', 'quarantined_callbacks'];

export type ReadModelDatabase = Database.Database;

/**
 * Opens (creating when missing) the read-model file. WAL with synchronous=NORMAL: a process crash
 * loses nothing committed, and a power loss can only roll back whole transactions, which the
 * projector replays from the log.
 */
export function openReadModelDb(file: string): ReadModelDatabase {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === READ_MODEL_SCHEMA_VERSION) return;
    for (const table of TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.exec(SCHEMA);
    db.pragma(`user_version = ${READ_MODEL_SCHEMA_VERSION}`);
  }).immediate();
  return db;
}

/** Opens the read models of a running (or stopped) service for reading only; null when missing or of another version. */
export function openReadModelDbReadOnly(file: string): ReadModelDatabase | null {
  if (!fs.existsSync(file)) return null;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  if (db.pragma('user_version', { simple: true }) === READ_MODEL_SCHEMA_VERSION) return db;
  db.close();
  return null;
}

/** Empties every read model and the checkpoint, so the projector replays the log from the start. */
/**
 * Indexes that only serve listings: a rebuild drops them and creates them once at the end, which
 * is far cheaper than keeping them up to date row by row. (Indexes the projector itself queries,
 * such as relay_tasks_by_source, stay.)
 */
const LISTING_INDEXES = [
  'sessions_by_stream', 'sessions_by_errcode', 'sessions_by_status', 'sessions_by_time',
  'relay_tasks_by_exit_code', 'relay_tasks_by_status', 'relay_tasks_by_stream', 'relay_tasks_by_time',
  'callback_log_by_type', 'callback_log_by_stream', 'callback_log_by_type_time',
];

/** Runs `load` with the listing indexes dropped, then recreates them exactly as the schema defines them. */
export async function withoutListingIndexes<T>(db: ReadModelDatabase, load: () => Promise<T>): Promise<T> {
  const definitions = LISTING_INDEXES.map((name) => {
    const sql = db.prepare<[string], string>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck().get(name);
    if (sql === undefined) throw new Error(`read-model index ${name} is missing`);
    return sql;
  });
  for (const name of LISTING_INDEXES) db.exec(`DROP INDEX ${name}`);
  const result = await load();
  db.transaction(() => definitions.forEach((sql) => db.exec(sql)))();
  return result;
}

export function clearReadModels(db: ReadModelDatabase): void {
  db.transaction(() => {
    for (const table of TABLES) db.exec(`DELETE FROM ${table}`);
  })();
}
