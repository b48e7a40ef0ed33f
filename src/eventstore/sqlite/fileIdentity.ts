// Which file is at a path (device and inode): how an open SQLite file notices it was deleted, moved or replaced under it.
import fs from 'node:fs';

/** A file's device and inode, or null when there is none at `at`. */
export function fileIdentity(at: string): string | null {
  const stats = fs.statSync(at, { throwIfNoEntry: false });
  return stats === undefined ? null : `${stats.dev}:${stats.ino}`;
}
