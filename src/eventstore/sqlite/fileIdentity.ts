// Which file is at a path (device and inode): how an open SQLite file notices it was deleted, moved or replaced under it.
import fs from 'node:fs';

/** A file's device and inode, or null when there is none at `at`. */
export function fileIdentity(at: string): string | null {
  const stats = fs.statSync(at, { throwIfNoEntry: false });
  return stats === undefined ? null : `${stats.dev}:${stats.ino}`;
}

/** A SQLite file, its WAL and its WAL index as they are at their paths now; one that is absent is left out. */
export type OpenedFiles = ReadonlyArray<{ path: string; identity: string }>;

export function openedFiles(file: string): OpenedFiles {
  return [file, `${file}-wal`, `${file}-shm`].flatMap((at) => {
    const identity = fileIdentity(at);
    return identity === null ? [] : [{ path: at, identity }];
  });
}

/** The path of the first of them that is no longer the same file (deleted, moved, replaced), or undefined. */
export function firstChanged(opened: OpenedFiles): string | undefined {
  return opened.find(({ path, identity }) => fileIdentity(path) !== identity)?.path;
}
