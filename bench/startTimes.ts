// How long a restart keeps CSS waiting: from spawning `serve` to the first callback stored (200), builds alternated.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/startTimes.js [runs, default 5] [dist folder ...]
//
// Each dist folder (default: dist/) is started `runs` times on one data folder of its own, in turn with the others, as
// `npm start` starts it; each start posts a callback every 10 ms until one is answered 200, then stops the service.
// Give two builds (a copy of dist/ from each checkout) to compare them in the same minutes of this shared machine.
// START_TIMES_DATA=<DATA_DIR>: every start on that folder instead (each adds its callback to it); START_TIMES_COLD=1:
// the kernel's page cache dropped before each start (root only), as after a reboot.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST_DIR } from './config';
import { freePort, killAllNow, spawnNode } from './lib/children';
import { SERVICE_NODE_OPTIONS } from './lib/service';

const RUNS = Number(process.argv[2] ?? 5);
const DISTS = process.argv.length > 3 ? process.argv.slice(3).map((folder) => path.resolve(folder)) : [DIST_DIR];
const DATA = process.env.START_TIMES_DATA;
const COLD = process.env.START_TIMES_COLD === '1';
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Writes dirty pages back, then drops every clean one: the next start reads its files from the disk. */
function dropPageCache(): void {
  execFileSync('sync');
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3\n');
}

/** Posts a push every 10 ms until one is stored; the ms from `since` to that 200. */
async function firstStored(url: string, since: number, sequence: string): Promise<number> {
  const body = JSON.stringify({ event_type: 1, sequence, stream_id: 'start-times', event_time: Math.floor(Date.now() / 1000) });
  for (const deadline = since + 60_000; performance.now() < deadline; ) {
    const stored = await fetch(`${url}/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
      (answer) => answer.status === 200,
      () => false,
    );
    if (stored) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} stored no callback within 60 s`);
}

async function main(): Promise<void> {
  if (!Number.isSafeInteger(RUNS) || RUNS < 1) throw new Error('runs must be a positive integer');
  for (const dist of DISTS) if (!fs.existsSync(path.join(dist, 'cli.js'))) throw new Error(`${dist}/cli.js is missing`);
  if (DATA !== undefined && !fs.existsSync(path.join(DATA, 'events.db'))) throw new Error(`START_TIMES_DATA: ${DATA}/events.db is missing`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'start-times-'));
  const times = new Map<string, number[]>(DISTS.map((dist) => [dist, []]));
  try {
    log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
    log(`data: ${DATA ?? 'an empty folder per build'}; page cache ${COLD ? 'dropped before each start' : 'as it is'}`);
    for (let run = 0; run < RUNS; run++) {
      for (const [index, dist] of DISTS.entries()) {
        const port = await freePort();
        if (COLD) dropPageCache();
        const since = performance.now();
        const service = spawnNode(`service ${index + 1}`, path.join(dist, 'cli.js'), ['serve'], {
          nodeArgs: [...SERVICE_NODE_OPTIONS],
          env: { DATA_DIR: DATA ?? path.join(scratch, String(index)), HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
          timeoutMs: 120_000,
        });
        try {
          times.get(dist)!.push(await firstStored(`http://127.0.0.1:${port}`, since, `start-times-${Date.now()}-${run}-${index}`));
        } finally {
          await service.stop();
        }
      }
    }
    log('\n| build | first callback stored after start, each run (ms) | median |\n| --- | --- | ---: |');
    for (const [dist, ms] of times) {
      const median = [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
      log(`| ${path.relative(process.cwd(), dist) || dist} | ${ms.map((value) => value.toFixed(0)).join(', ')} | ${median.toFixed(0)} |`);
    }
  } finally {
    killAllNow();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
