// What building a read model costs per event: the first events of a data folder's log applied to fresh files as a rebuild builds them.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/buildCost.js <DATA_DIR> [events, default 200000] [batch size, default 2000] [read model ...]
//
// Each named read model (all when none is named) gets a new file in the building state (no query indexes, a rebuild's
// pragmas), and the log's first events in batches of the given size, read as a build reads them: only the types it
// handles parsed. `process.cpuUsage` around each batch's apply gives its CPU per event, and its wall time. Where
// projectorCost.js measures live files on a small log copied whole, this reads a slice of a large log in place, so that
// the files grow as a rebuild's do. The log is opened as the service opens it (which may write its WAL), and read only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../src/eventstore/sqlite/sqliteEventStore';
import type { ProjectionDefinition } from '../src/processing/projectionDefinition';
import { ProjectionFile } from '../src/processing/readModelFile';
import { PROJECTIONS } from '../src/readmodels';

const [DATA_DIR, eventsArg = '200000', batchArg = '2000', ...NAMES] = process.argv.slice(2);
const EVENTS = Number(eventsArg);
const BATCH = Number(batchArg);
const log = (line: string) => process.stdout.write(`${line}\n`);

async function build(store: SqliteEventStore, folder: string, name: string) {
  const definition = (PROJECTIONS as readonly ProjectionDefinition[]).find((candidate) => candidate.name === name);
  if (definition === undefined) throw new Error(`no read model named ${name} (${PROJECTIONS.map((d) => d.name).join(', ')})`);
  const file = ProjectionFile.create(path.join(folder, name), definition, 1, 'building');
  const typesWithData = new Set<string>(definition.canHandle);
  let [after, events, cpu, wall] = [0n, 0, 0, 0];
  try {
    while (events < EVENTS) {
      const batch = await store.readAll({ after, maxCount: Math.min(BATCH, EVENTS - events), typesWithData });
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.position;
      events += batch.length;
      const cpuBefore = process.cpuUsage();
      const wallBefore = performance.now();
      file.apply(batch);
      const used = process.cpuUsage(cpuBefore);
      cpu += used.user + used.system;
      wall += (performance.now() - wallBefore) * 1000;
    }
  } finally {
    file.close();
  }
  return { name, events, cpu: cpu / events, wall: wall / events };
}

async function main(): Promise<void> {
  if (DATA_DIR === undefined || !fs.existsSync(path.join(DATA_DIR, 'events.db'))) throw new Error('usage: buildCost.js <DATA_DIR with events.db> [events] [batch size] [read model ...]');
  for (const [what, value] of [['events', EVENTS], ['batch size', BATCH]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${what} must be a positive integer`);
  }
  const names = NAMES.length > 0 ? NAMES : PROJECTIONS.map((definition) => definition.name);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'build-cost-'));
  const store = SqliteEventStore.open(path.join(DATA_DIR, 'events.db'));
  try {
    log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
    log(`the first ${EVENTS} events of ${DATA_DIR}, batches of ${BATCH}, into files being built\n`);
    log('| read model | events | CPU µs per event | wall µs per event |\n| --- | ---: | ---: | ---: |');
    for (const name of names) {
      const row = await build(store, scratch, name);
      log(`| ${row.name} | ${row.events} | ${row.cpu.toFixed(1)} | ${row.wall.toFixed(1)} |`);
    }
  } finally {
    await store.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
