// Child processes of the benchmark: spawned on loopback, tracked, and every one of them killed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { processCpuSeconds } from './threadCpu';

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Child>();

/** Folders to remove however the run ends (an interrupted run included). */
export const temporaryPaths = new Set<string>();

export function removeTemporaryPaths(): void {
  for (const folder of temporaryPaths) fs.rmSync(folder, { recursive: true, force: true });
  temporaryPaths.clear();
}

export interface SpawnOptions {
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Kill it (SIGKILL) if it still runs after this long. */
  timeoutMs?: number;
  /** Echo its output, prefixed, to our stderr. */
  echo?: boolean;
  /** Hears each complete line the child writes to stderr, as it comes (a child's "ready" or "measuring" marker). */
  onStderrLine?: (line: string) => void;
}

/** Runs `node <script> ...args`; the child gets PATH and the given variables only. */
export function spawnNode(name: string, script: string, args: string[], options: SpawnOptions = {}): Child {
  return spawnProcess(name, process.execPath, [...(options.nodeArgs ?? []), script, ...args], options);
}

/** Runs a program (node or another, e.g. wrk); the child gets PATH and the given variables only. */
export function spawnProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  let all = '';
  let out = '';
  const echo = (chunk: string) => {
    if (!options.echo) return;
    for (const line of chunk.split('\n')) if (line.trim() !== '') process.stderr.write(`  [${name}] ${line}\n`);
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    all += chunk;
    out += chunk;
    echo(chunk);
  });
  let partialLine = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    all += chunk;
    echo(chunk);
    if (options.onStderrLine === undefined) return;
    const lines = (partialLine + chunk).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) options.onStderrLine(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          process.stderr.write(`  ${name} still running after ${options.timeoutMs} ms: killed\n`);
          child.kill('SIGKILL');
        }, options.timeoutMs);
  const handle: Child = {
    name,
    process: child,
    pid: child.pid,
    output: () => all,
    stdout: () => out,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
      }
    },
  };
  running.add(handle);
  void exited.then(() => {
    if (timer !== undefined) clearTimeout(timer);
    running.delete(handle);
  });
  return handle;
}

/** Waits for a child to finish and returns its stdout; throws when it fails. */
export async function finished(child: Child): Promise<string> {
  const { code, signal } = await child.exited;
  if (code !== 0) throw new Error(`${child.name} failed (code ${code}, signal ${signal}):\n${child.output().slice(-4000)}`);
  return child.stdout();
}

/** The last line of stdout that parses as JSON: how worker children hand back their result. */
export function jsonResult<T>(stdout: string): T {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (line.startsWith('{') || line.startsWith('[')) return JSON.parse(line) as T;
  }
  throw new Error(`no JSON result in output:\n${stdout.slice(-2000)}`);
}

/** Kills every child still running (SIGKILL after a short grace period). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(3000)));
}

/** Synchronous last resort on exit: SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const child of running) child.process.kill('SIGKILL');
}

/** A free TCP port on loopback (bound and released: nothing else on this machine races for it in practice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET a URL on loopback; resolves with status and body. */
export function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}

/** Polls `url` until it answers `status` (default 200), the child exits, or the time is up. */
export async function waitForHttp(url: string, child: Child, timeoutMs: number, status = 200): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  let last = '';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child.name} exited before ${url} answered:\n${child.output().slice(-4000)}`);
    try {
      const response = await httpGet(url, 2000);
      if (response.status === status) return response.body;
      last = `${response.status} ${response.body}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last}); output:\n${child.output().slice(-4000)}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process, from /proc (Linux): current and peak (high-water mark), in bytes. */
export function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Measures the CPU a process uses from now until `stop()`: as a share of one core. */
export function measureCpu(pid: number) {
  const startCpu = processCpuSeconds(pid);
  const startedAt = performance.now();
  return {
    stop(): number {
      const endCpu = processCpuSeconds(pid);
      const seconds = (performance.now() - startedAt) / 1000;
      return startCpu === null || endCpu === null || seconds <= 0 ? NaN : (endCpu - startCpu) / seconds;
    },
  };
}

/** Samples a process's memory every `intervalMs` until stopped; reports the largest RSS seen and the last HWM. */
export function sampleMemory(pid: number, intervalMs = 100) {
  let maxRss = 0;
  let hwm = 0;
  let samples = 0;
  const take = () => {
    const memory = memoryOf(pid);
    if (memory === null) return;
    samples++;
    if (memory.rss > maxRss) maxRss = memory.rss;
    if (memory.hwm > hwm) hwm = memory.hwm;
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop(): { maxRss: number; hwm: number; samples: number } {
      take();
      clearInterval(timer);
      return { maxRss, hwm, samples };
    },
  };
}
