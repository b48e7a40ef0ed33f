// The projector's checkpoint: the last applied global position, written in the same transaction as the rows.
import type { ReadModelDatabase } from './readModelDb';

export interface Checkpoint {
  position: bigint;
  eventsApplied: number;
}

export function checkpointTable(db: ReadModelDatabase, name: string) {
  const read = db
    .prepare<[string], { position: bigint; events_applied: bigint }>(
      'SELECT position, events_applied FROM projector_checkpoint WHERE name = ?',
    )
    .safeIntegers(true);
  const write = db.prepare<[string, bigint, number, number]>(
    'INSERT OR REPLACE INTO projector_checkpoint (name, position, events_applied, updated_at) VALUES (?, ?, ?, ?)',
  );
  return {
    read(): Checkpoint {
      const row = read.get(name);
      return row === undefined ? { position: 0n, eventsApplied: 0 } : { position: row.position, eventsApplied: Number(row.events_applied) };
    },
    write(checkpoint: Checkpoint): void {
      write.run(name, checkpoint.position, checkpoint.eventsApplied, Date.now());
    },
  };
}
