// What the projector writes per event, read model by read model and B-tree by B-tree: a data folder's log replayed into
// fresh live read-model files, every WAL frame kept.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/walBytes.js <DATA_DIR> [batch size, default 20] [warm-up events, default 3000] [B-trees listed, default 20]
//
// As projectorCost.js replays (live files, one transaction per file and batch), but after the warm-up each file's WAL is
// emptied and no longer checkpointed: what it holds at the end is every page the measured batches committed, each once
// per commit that changed it (a checkpoint writes each of them once more into the file). Each frame is put down to the
// table or index its page belongs to at the end (SQLite's dbstat). The data folder is only read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectionDefinition } from '../src/processing/projectionDefinition';
import { ProjectionFile } from '../src/processing/readModelFile';
import { PROJECTIONS } from '../src/readmodels';
import { readLogCopy } from './lib/eventLog';

const DATA_DIR = process.argv[2];
const BATCH = Number(process.argv[3] ?? 20);
const WARM_UP = Number(process.argv[4] ?? 3000);
const LISTED = Number(process.argv[5] ?? 20);
const log = (line: string) => process.stdout.write(`${line}\n`);

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/** The page number of each frame of a WAL file, in order, and the page size its header gives. */
function walFrames(file: string): { pageSize: number; pages: number[] } {
  const wal = fs.readFileSync(file);
  if (wal.length < WAL_HEADER_BYTES) return { pageSize: 0, pages: [] };
  const pageSize = wal.readUInt32BE(8);
  const pages: number[] = [];
  for (let at = WAL_HEADER_BYTES; at + FRAME_HEADER_BYTES + pageSize <= wal.length; at += FRAME_HEADER_BYTES + pageSize) pages.push(wal.readUInt32BE(at));
  return { pageSize, pages };
}

async function main(): Promise<void> {
  if (DATA_DIR === undefined || !fs.existsSync(path.join(DATA_DIR, 'events.db'))) throw new Error('usage: walBytes.js <DATA_DIR with events.db> [batch size] [warm-up events] [B-trees listed]');
  for (const [name, value] of [['batch size', BATCH], ['B-trees listed', LISTED]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-bytes-'));
  try {
    const events = await readLogCopy(DATA_DIR, scratch);
    if (events.length <= WARM_UP) throw new Error(`the log has ${events.length} events, no more than the ${WARM_UP} of the warm-up`);
    const files = PROJECTIONS.map((definition: ProjectionDefinition) => ProjectionFile.create(path.join(scratch, definition.name), definition, 1, 'live'));
    for (let start = 0; start < events.length; start += BATCH) {
      if (start === WARM_UP) {
        for (const file of files) {
          file.db.pragma('wal_checkpoint(TRUNCATE)');
          file.db.pragma('wal_autocheckpoint = 0');
        }
      }
      for (const file of files) file.apply(events.slice(start, start + BATCH));
    }
    const measured = events.length - WARM_UP;
    const commits = Math.ceil(measured / BATCH);
    const byFile: Array<{ name: string; bytes: number }> = [];
    const byTree = new Map<string, number>();
    let allFrames = 0;
    for (const file of files) {
      const { pageSize, pages } = walFrames(`${file.db.name}-wal`);
      byFile.push({ name: file.name, bytes: pages.length * (pageSize + FRAME_HEADER_BYTES) });
      const owner = new Map((file.db.prepare('SELECT pageno, name FROM dbstat').all() as Array<{ pageno: number; name: string }>).map((row) => [row.pageno, row.name]));
      for (const page of pages) {
        const tree = `${file.name}: ${owner.get(page) ?? '(free)'}`;
        byTree.set(tree, (byTree.get(tree) ?? 0) + 1);
      }
      allFrames += pages.length;
      file.close();
    }
    byFile.sort((a, b) => b.bytes - a.bytes);
    const total = byFile.reduce((sum, row) => sum + row.bytes, 0);
    log(`${measured} events measured after ${WARM_UP}, batches of ${BATCH} (${commits} commits per file)\n`);
    log('| read model | WAL KB per event |\n| --- | ---: |');
    for (const { name, bytes } of byFile) log(`| ${name} | ${(bytes / measured / 1024).toFixed(2)} |`);
    log(`| **total** | **${(total / measured / 1024).toFixed(2)}** |\n`);
    log('| B-tree | pages written per commit | share of every page written |\n| --- | ---: | ---: |');
    for (const [tree, frames] of [...byTree].sort((a, b) => b[1] - a[1]).slice(0, LISTED)) {
      log(`| ${tree} | ${(frames / commits).toFixed(1)} | ${((100 * frames) / allFrames).toFixed(1)} % |`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
