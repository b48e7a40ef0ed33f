// Where a process's main thread waits: its scheduler state sampled from /proc (Linux), and the kernel's stack whenever it waits on I/O.
//
//   npx tsc -p bench/tsconfig.json && node bench/.build/bench/threadStates.js <pid> [seconds, default 60] [interval ms, default 5]
//
// Each sample reads the state letter of /proc/<pid>/task/<pid>/stat: R running or waiting for a core, S sleeping (the
// event loop idle), D waiting in the kernel, usually for the disk. A thread that should answer within milliseconds and
// is often in D is reading pages the kernel's cache does not hold. The kernel's stack (/proc/.../stack, root only; else
// the wait channel) says what it waited for. Prints the counts, the stacks by frequency and the D samples by 10 s window.
import fs from 'node:fs';

const pid = Number(process.argv[2]);
const seconds = Number(process.argv[3] ?? 60);
const intervalMs = Number(process.argv[4] ?? 5);
if (!Number.isInteger(pid)) throw new Error('usage: threadStates.js <pid> [seconds] [interval ms]');

const task = `/proc/${pid}/task/${pid}`;
const states = new Map<string, number>();
const stacks = new Map<string, number>();
const waitsByWindow = new Map<number, number>();
const started = performance.now();

function kernelStack(): string {
  try {
    return fs
      .readFileSync(`${task}/stack`, 'utf8')
      .split('\n')
      .slice(0, 5)
      .map((line) => line.replace(/^\[<[^>]*>\] /, '').replace(/\+0x.*$/, ''))
      .filter((frame) => frame !== '')
      .join(' < ');
  } catch {
    return `wait channel ${fs.readFileSync(`${task}/wchan`, 'utf8')}`;
  }
}

function sample(): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`${task}/stat`, 'utf8');
  } catch {
    return false; // the process ended
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2)[0] ?? '?';
  states.set(state, (states.get(state) ?? 0) + 1);
  if (state === 'D') {
    const window = Math.floor((performance.now() - started) / 10_000) * 10;
    waitsByWindow.set(window, (waitsByWindow.get(window) ?? 0) + 1);
    const stack = kernelStack();
    stacks.set(stack, (stacks.get(stack) ?? 0) + 1);
  }
  return true;
}

function report(): void {
  const total = [...states.values()].reduce((sum, n) => sum + n, 0);
  console.log(`main thread of ${pid}, ${total} samples every ${intervalMs} ms: ${[...states].map(([s, n]) => `${s} ${n} (${((100 * n) / total).toFixed(2)}%)`).join(', ')}`);
  for (const [stack, n] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  D ${n}: ${stack}`);
  console.log(`  D samples by 10 s window: ${[...waitsByWindow].map(([w, n]) => `${w}s:${n}`).join(' ')}`);
}

const timer = setInterval(() => {
  if (!sample() || performance.now() - started > seconds * 1000) {
    clearInterval(timer);
    report();
  }
}, intervalMs);
