// CPU time per thread of a process, from /proc/<pid>/task/<tid>/stat (Linux), grouped by what each thread does.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Clock ticks per second of the times in /proc (`getconf CLK_TCK`; 100 on every usual Linux). */
export const CLOCK_TICKS: number = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** utime + stime in clock ticks from a /proc stat line (the command name, in parentheses, may hold spaces). */
export function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, the state is field 3 of the line: utime and stime (14 and 15) are the 12th and 13th here.
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU time (user + system) a process has used so far, every thread (ended ones included), in seconds. */
export function processCpuSeconds(pid: number): number | null {
  try {
    return statTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

export interface ThreadSample {
  tid: number;
  /** `comm`: Node 22+ names its threads MainThread, WorkerThread (or the Worker's `name`), libuv-worker, V8Worker, ... */
  name: string;
  ticks: number;
}

export interface ProcessSample {
  pid: number;
  at: number;
  /** The whole process, threads that have ended included. */
  processTicks: number;
  threads: ThreadSample[];
}

/** Every thread's CPU time so far; null when the process is gone. */
export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const processTicks = statTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const threads: ThreadSample[] = [];
    for (const entry of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const name = fs.readFileSync(`/proc/${pid}/task/${entry}/comm`, 'utf8').trim();
        threads.push({ tid: Number(entry), name, ticks: statTicks(fs.readFileSync(`/proc/${pid}/task/${entry}/stat`, 'utf8')) });
      } catch {
        // the thread ended between listing and reading: its time counts in the process's total
      }
    }
    threads.sort((a, b) => a.tid - b.tid);
    return { pid, at: performance.now(), processTicks, threads };
  } catch {
    return null;
  }
}

/** Thread groups in the order the report lists them. */
export const THREAD_GROUPS = ['main thread', 'ledger writer', 'projector', 'forwarding', 'libuv threadpool', 'V8 platform (GC, JIT)', 'other'] as const;
export type ThreadGroup = (typeof THREAD_GROUPS)[number] | string;

/** The service's Worker names, and the group each is reported under. */
const SERVICE_THREADS: ReadonlyArray<[string, ThreadGroup]> = [
  ['sqlite writer', 'ledger writer'],
  ['ledger projector', 'projector'],
  ['forwarding', 'forwarding'],
];

/** Names Node gives its own threads besides those above (before Node 22 every thread was `node`). */
const NODE_THREAD_NAMES = new Set(['node', '', 'SignalInspector', 'inspector']);

/**
 * What a thread does, from its name. Node names every Worker's thread `WorkerThread` unless the Worker is given a
 * `name`; `workerRoles` then names them by creation order (thread ids grow): the service starts its ledger writer and
 * waits for it to be ready before it starts the projector, so the lower id is the writer.
 */
export function threadGroup(thread: ThreadSample, pid: number, workerIndex: number, workerRoles: readonly string[]): ThreadGroup {
  if (thread.tid === pid || thread.name === 'MainThread') return 'main thread';
  if (thread.name === 'WorkerThread') return workerRoles[workerIndex] ?? 'other';
  if (thread.name.startsWith('libuv-worker')) return 'libuv threadpool';
  if (thread.name === 'V8Worker' || thread.name.startsWith('DelayedTask')) return 'V8 platform (GC, JIT)';
  // The service names its Workers; Linux keeps 15 characters of a thread's name.
  const named = SERVICE_THREADS.find(([prefix]) => thread.name === prefix.slice(0, 15));
  if (named !== undefined) return named[1];
  // A Worker given another name shows under it (Node names its thread after it); Node's other threads are "other".
  return NODE_THREAD_NAMES.has(thread.name) ? 'other' : thread.name;
}

export interface ThreadCpu {
  /** Seconds of CPU per group, over the window. */
  groups: Map<ThreadGroup, number>;
  /** The process's own total over the window: threads that ended during it count here and under "other". */
  totalSeconds: number;
  windowSeconds: number;
}

/** CPU each group of threads used between two samples of the same process. */
export function threadCpuBetween(before: ProcessSample, after: ProcessSample, workerRoles: readonly string[] = []): ThreadCpu {
  const earlier = new Map(before.threads.map((t) => [t.tid, t.ticks]));
  const groups = new Map<ThreadGroup, number>();
  let workers = 0;
  let counted = 0;
  for (const thread of after.threads) {
    const group = threadGroup(thread, after.pid, thread.name === 'WorkerThread' ? workers++ : -1, workerRoles);
    // A thread born during the window counts from zero.
    const ticks = thread.ticks - (earlier.get(thread.tid) ?? 0);
    counted += ticks;
    groups.set(group, (groups.get(group) ?? 0) + ticks / CLOCK_TICKS);
  }
  const totalTicks = after.processTicks - before.processTicks;
  // Threads that ended within the window (or before the last sample) are in the process's total only.
  if (totalTicks > counted) groups.set('other', (groups.get('other') ?? 0) + (totalTicks - counted) / CLOCK_TICKS);
  return { groups, totalSeconds: Math.max(totalTicks, counted) / CLOCK_TICKS, windowSeconds: (after.at - before.at) / 1000 };
}
