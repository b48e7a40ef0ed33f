// The projector's CPU per event, read model by read model: a data folder's log replayed into fresh live read-model files.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/projectorCost.js <DATA_DIR> [batch size, default 20] [warm-up events, default 1000] [rounds, default 3]
//
// Each file is created live (query indexes made, serving pragmas), as the running service holds them, and gets the log in
// batches of the given size, one transaction per file as the projector applies them. The first events warm the code up
// (and fill the files as a running service's are) and are not counted. Each round replays the log into new files; the
// median round of each read model is reported (the machine is shared). The data folder is only read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordedEvent } from '../src/eventstore/eventStore';
import type { ProjectionDefinition } from '../src/processing/projectionDefinition';
import { ProjectionFile } from '../src/processing/readModelFile';
import { PROJECTIONS } from '../src/readmodels';
import { readLogCopy } from './lib/eventLog';

const DATA_DIR = process.argv[2];
const BATCH = Number(process.argv[3] ?? 20);
const WARM_UP = Number(process.argv[4] ?? 1000);
const ROUNDS = Number(process.argv[5] ?? 3);
const log = (line: string) => process.stdout.write(`${line}\n`);

/** CPU (user + system) of this process in µs; the bench runs on one thread, so it is the apply's. */
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** One replay into new files: each read model's CPU and wall µs over the events after the warm-up. */
function replay(folder: string, events: readonly RecordedEvent[]) {
  const files = PROJECTIONS.map((definition: ProjectionDefinition) => ProjectionFile.create(path.join(folder, definition.name), definition, 1, 'live'));
  const cpu = new Map<string, number>(files.map((file) => [file.name, 0]));
  const wall = new Map<string, number>(files.map((file) => [file.name, 0]));
  let counted = 0;
  for (let start = 0; start < events.length; start += BATCH) {
    const batch = events.slice(start, start + BATCH);
    const measured = start >= WARM_UP;
    if (measured) counted += batch.length;
    for (const file of files) {
      const cpuBefore = cpuMicros();
      const wallBefore = performance.now();
      file.apply(batch);
      if (!measured) continue;
      wall.set(file.name, wall.get(file.name)! + (performance.now() - wallBefore) * 1000);
      cpu.set(file.name, cpu.get(file.name)! + cpuMicros() - cpuBefore);
    }
  }
  for (const file of files) file.close();
  if (counted === 0) throw new Error(`no events after the ${WARM_UP} of the warm-up`);
  return { cpu, wall, counted };
}

async function main(): Promise<void> {
  if (DATA_DIR === undefined || !fs.existsSync(path.join(DATA_DIR, 'events.db'))) throw new Error('usage: projectorCost.js <DATA_DIR with events.db> [batch size] [warm-up events] [rounds]');
  for (const [name, value] of [['batch size', BATCH], ['rounds', ROUNDS]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'projector-cost-'));
  try {
    const events = await readLogCopy(DATA_DIR, scratch);
    const counts = new Map<string, number>();
    for (const event of events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    const mix = [...counts].sort((a, b) => b[1] - a[1]).map(([type, n]) => `${type} ${((100 * n) / events.length).toFixed(0)}%`).join(', ');
    log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
    log(`${events.length} events (${mix}); batches of ${BATCH}; the first ${WARM_UP} not counted`);
    const rounds = Array.from({ length: ROUNDS }, (_, round) => replay(path.join(scratch, `round${round}`), events));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const counted = rounds[0]!.counted;
    const names = [...rounds[0]!.cpu.keys()];
    const rows = names.map((name) => ({
      name,
      cpu: median(rounds.map((r) => r.cpu.get(name)!)) / counted,
      wall: median(rounds.map((r) => r.wall.get(name)!)) / counted,
    }));
    rows.sort((a, b) => b.cpu - a.cpu);
    const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((total, row) => total + pick(row), 0);
    log(`\n${counted} events measured, median of ${ROUNDS} rounds\n\n| read model | CPU µs per event | wall µs per event |\n| --- | ---: | ---: |`);
    for (const row of rows) log(`| ${row.name} | ${row.cpu.toFixed(1)} | ${row.wall.toFixed(1)} |`);
    log(`| **total** | **${sum((row) => row.cpu).toFixed(1)}** | **${sum((row) => row.wall).toFixed(1)}** |`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
