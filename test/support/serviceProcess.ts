// Runs `node dist/cli.js` as a child process, the way `npm start` does, and reads what it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the first output line matching the pattern. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface RunOptions {
  /** RLIMIT_FSIZE in KiB (the shell's `ulimit -f`): a write past it fails with EFBIG, as a file system that is full refuses it. */
  fileSizeLimitKib?: number;
  /** RLIMIT_NOFILE (the shell's `ulimit -n`, soft and hard). */
  openFileLimit?: number;
}

export function runCli(args: string[], env: Record<string, string>, options: RunOptions = {}): ServiceProcess {
  const limits = [
    options.fileSizeLimitKib === undefined ? null : `ulimit -f ${options.fileSizeLimitKib}`,
    options.openFileLimit === undefined ? null : `ulimit -n ${options.openFileLimit}`,
  ].filter((limit) => limit !== null);
  const command: [string, string[]] =
    limits.length === 0
      ? [process.execPath, [CLI, ...args]]
      : ['/bin/sh', ['-c', `${limits.join(' && ')} && exec "$0" "$@"`, process.execPath, CLI, ...args]];
  const child = spawn(...command, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    listeners.forEach((listener) => listener());
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  const waitForLine = (pattern: RegExp, timeoutMs = 25_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = output.split('\n').find((l) => pattern.test(l));
        if (line === undefined) return;
        cleanup();
        resolve(line);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${output}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  return { child, output: () => output, waitForLine, exited };
}

/** Its exit, or SIGKILL after `ms`: a process that should have stopped by itself must not outlive its test. */
export async function exitWithin(run: ServiceProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** The URL of the "listening on" line, once the service prints it. */
export async function listeningUrl(run: ServiceProcess): Promise<string> {
  return /http:\/\/127\.0\.0\.1:\d+/.exec(await run.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/))![0];
}

/** A process that should have said one thing: its only output line, as the JSON log line it must be. */
export function onlyLogLine(run: ServiceProcess): { level: number; msg: string } {
  const lines = run.output().trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one line, got ${lines.length}:\n${run.output()}`);
  return JSON.parse(lines[0]!) as { level: number; msg: string };
}
