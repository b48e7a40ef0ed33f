// How much of a folder's files the kernel holds in its page cache (util-linux's fincore): a query that finds its pages
// there answers in microseconds, one that reads them from the disk waits for it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface PageCacheShare {
  residentBytes: number;
  fileBytes: number;
}

/** Every file under `dir`, recursively (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const entryPath = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(entryPath) : entry.isFile() ? [entryPath] : [];
  });
}

/** The bytes of the files under `dir` in the page cache, and their sizes; null without fincore. */
export function pageCacheShare(dir: string): PageCacheShare | null {
  const files = filesUnder(dir);
  if (files.length === 0) return { residentBytes: 0, fileBytes: 0 };
  let out: string;
  try {
    out = execFileSync('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES,SIZE', ...files], { encoding: 'utf8' });
  } catch {
    return null;
  }
  let residentBytes = 0;
  let fileBytes = 0;
  for (const line of out.trim().split('\n')) {
    const [resident, size] = line.trim().split(/\s+/).map(Number);
    if (Number.isFinite(resident) && Number.isFinite(size)) {
      residentBytes += resident!;
      fileBytes += size!;
    }
  }
  return { residentBytes, fileBytes };
}
