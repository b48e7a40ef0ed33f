// A worker thread's own CPU priority: Linux keeps a nice value per thread, so the others keep theirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Lowers the calling thread's priority to `niceness` (0 leaves it); its thread id and nice value, null off Linux. */
export function lowerThreadPriority(niceness: number): { threadId: number | null; niceness: number | null } {
  try {
    const threadId = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    if (!Number.isInteger(threadId)) return { threadId: null, niceness: null };
    if (niceness > 0) os.setPriority(threadId, niceness);
    return { threadId, niceness: os.getPriority(threadId) };
  } catch {
    return { threadId: null, niceness: null }; // not Linux: the thread runs at the service's priority
  }
}
