// Given/when/then for one read model's projection, run against a real read-model file in a temp folder:
// given earlier events, when new ones arrive (also more than once, and in another order), then these rows.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCallbackBody } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import { quarantineStream } from '../../src/domain/streamNames';
import type { NewEvent, RecordedEvent } from '../../src/eventstore/eventStore';
import { promotionRecord, quarantinedCallback, storedCallback } from '../../src/ingest/storedCallback';
import type { ProjectionDefinition, ReadModelDatabase } from '../../src/processing/projectionDefinition';
import { ProjectionFile } from '../../src/processing/readModelFile';

/** An event as it reaches the log; its position is given when it arrives. */
export type Arrival = Omit<RecordedEvent, 'position' | 'revision'>;

/** 2024-01-01T00:00:00Z: the default receipt time, far from the CSS times the specs use. */
export const RECEIVED_AT = Date.UTC(2024, 0, 1);

const arrival = (stream: string, event: NewEvent, receivedAt: number): Arrival => ({
  id: event.id,
  type: event.type,
  stream,
  data: event.data,
  metadata: event.metadata ?? {},
  recordedAt: new Date(receivedAt),
});

function interpreted(body: object | string) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const parsed = parseCallbackBody(raw);
  if (!parsed.ok) throw new Error(`not a callback body: ${parsed.message}`);
  return interpretCallback(parsed.payload, raw);
}

/** A CSS callback body stored as POST /callbacks stores it. */
export function callback(body: object | string, receivedAt = RECEIVED_AT): Arrival {
  const event = interpreted(body);
  return arrival(event.stream, storedCallback(event, { receivedAt: new Date(receivedAt).toISOString(), authenticatedBy: 'none' }), receivedAt);
}

/** An authentic callback whose signature had expired, kept in the quarantine. */
export function quarantined(body: object | string, receivedAt = RECEIVED_AT): Arrival {
  const event = interpreted(body);
  const metadata = { receivedAt: new Date(receivedAt).toISOString(), authenticatedBy: 'signature' as const, keyIndex: 0 };
  return arrival(quarantineStream(event.id), quarantinedCallback(event, { t: 1, lateSeconds: 90, keyIndex: 0 }, metadata), receivedAt);
}

/** The promotion of a quarantined callback. */
export function promoted(body: object | string, promotedAt: number): Arrival {
  const event = interpreted(body);
  const record = promotionRecord({ eventId: event.id, stream: event.stream, promotedAt: new Date(promotedAt).toISOString(), stored: 'new' });
  return arrival(quarantineStream(event.id), record, promotedAt);
}

export interface WhenOptions {
  /** Delivered this many times in a row, each time at new positions (a repeat in the log); default 1. */
  times?: number;
  /** `reversed`: they reach the log in the opposite order. */
  order?: 'as given' | 'reversed';
  /** The file is closed after the given events and opened again for these, as a restart of the service does. */
  reopened?: boolean;
}

export interface SpecResult<Change> {
  /** A table's rows in primary-key order, under their keys, JSON columns parsed. */
  rows(table: string): Array<Record<string, unknown>>;
  /** The changes the `when` deliveries published, in order. */
  changes: Change[];
  /** The file itself, for the read model's queries. */
  db: ReadModelDatabase;
}

type ExpectedRows = Record<string, Array<Record<string, unknown>>>;

export function projectionSpec<Change>(definition: ProjectionDefinition<Change>) {
  const run = (given: readonly Arrival[], when: readonly Arrival[], options: WhenOptions, check: (result: SpecResult<Change>) => void) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `projection-spec-${definition.name}-`));
    let file = ProjectionFile.create(dir, definition, 1, 'live');
    try {
      let position = 0n;
      const deliver = (events: readonly Arrival[]) =>
        events.length === 0 ? [] : file.apply(events.map((event) => ({ ...event, position: ++position, revision: position })));
      deliver(given);
      if (options.reopened === true) {
        file.close();
        file = ProjectionFile.open(file.file, definition);
      }
      const ordered = options.order === 'reversed' ? [...when].reverse() : when;
      const changes: Change[] = [];
      for (let i = 0; i < (options.times ?? 1); i++) changes.push(...deliver(ordered));
      const rows = (name: string) => {
        const table = definition.tables.find((t) => t.name === name);
        if (table === undefined) throw new Error(`${definition.name} has no table ${name}`);
        const order = table.primaryKey.map((key) => table.column(key)).join(', ');
        const statement = file.db.prepare(`SELECT ${table.selectList(file.db)} FROM ${name} ORDER BY ${order}`).safeIntegers(table.readsBigint);
        return (statement.all() as Array<Record<string, unknown>>).map((stored) => table.fromStored(stored));
      };
      check({ rows, changes, db: file.db });
    } finally {
      file.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return {
    given: (...given: Arrival[]) => ({
      when: (when: Arrival[], options: WhenOptions = {}) => ({
        /** These rows (a subset of each row's columns, every row of each table named), or a check of its own. */
        then(expected: ExpectedRows | ((result: SpecResult<Change>) => void)): void {
          run(given, when, options, (result) => {
            if (typeof expected === 'function') return expected(result);
            for (const [table, rows] of Object.entries(expected)) expect(result.rows(table)).toMatchObject(rows);
          });
        },
      }),
    }),
  };
}

