// A digest of every read-model row: equal digests mean identical read models (rebuild vs. incremental).
import { createHash } from 'node:crypto';
import type { ReadModelDatabase } from './readModelDb';

const ORDERED_TABLES: ReadonlyArray<readonly [table: string, key: string]> = [
  ['sessions', 'sequence'],
  ['relay_tasks', 'task_id'],
  ['relay_task_facts', 'task_id, fact_id'],
  ['relay_exits', 'event_id'],
  ['callback_log', 'position'],
  ['quarantined_callbacks', 'event_id'],
];

export function readModelDigest(db: ReadModelDatabase): string {
  const hash = createHash('sha256');
  for (const [table, key] of ORDERED_TABLES) {
    hash.update(`${table}\n`);
    const rows = db.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).raw(true).safeIntegers(true);
    for (const row of rows.iterate()) {
      hash.update(JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
      hash.update('\n');
    }
  }
  return hash.digest('hex');
}
