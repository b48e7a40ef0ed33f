// The real service as a child process (`node dist/cli.js serve`), and the baseline servers beside it.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { BUILD_DIR, CALLBACK_KEY, CALLBACK_TOKEN, REPO_ROOT, SERVICE_CLI, type BenchConfig } from '../config';
import { freePort, httpGet, spawnNode, waitForHttp, type Child } from './children';

export interface Server {
  child: Child;
  url: string;
  /** Where its --cpu-prof profile goes when profiling, else null. */
  profileDir: string | null;
}

export interface ServiceOptions {
  dataDir: string;
  /** Name of the profile subfolder when profiling is on. */
  label: string;
  timeoutMs: number;
  /** How long start-up (projector catch-up included) may take. */
  readyTimeoutMs?: number;
  /** More environment variables for the service (e.g. FORWARD_CONFIG). */
  env?: Record<string, string>;
}

/** The node options `npm start` runs the service with (package.json), so the benchmark measures the service as it is started. */
export const SERVICE_NODE_OPTIONS: readonly string[] = (() => {
  const start = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const match = /^node ((?:--\S+ )*)dist\/cli\.js serve$/.exec(start);
  if (match === null) throw new Error(`package.json's start script is not "node [--options] dist/cli.js serve": ${start}`);
  return match[1]!.trim().split(' ').filter((option) => option !== '');
})();

/** Starts `node dist/cli.js serve` (with SERVICE_NODE_OPTIONS) on loopback with signing keys and a token, and waits until /readyz answers 200. */
export async function startService(config: BenchConfig, options: ServiceOptions): Promise<Server> {
  const port = await freePort();
  const profileDir = config.cpuProfile ? path.join(config.profileDir, options.label) : null;
  if (profileDir !== null) fs.mkdirSync(profileDir, { recursive: true });
  const child = spawnNode(`service:${options.label}`, SERVICE_CLI, ['serve'], {
    nodeArgs: [...SERVICE_NODE_OPTIONS, ...(profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`])],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
      CSS_CALLBACK_KEYS: CALLBACK_KEY,
      CSS_CALLBACK_TOKEN: CALLBACK_TOKEN,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...config.serviceEnv,
      ...options.env,
    },
    timeoutMs: options.timeoutMs,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, child, options.readyTimeoutMs ?? 30_000);
  return { child, url, profileDir };
}

/** The projector's position as /readyz reports it. */
export async function projectorStatus(url: string): Promise<{ position: string; eventsApplied: number; lagMs: number | null }> {
  const { body } = await httpGet(`${url}/readyz`);
  const parsed = JSON.parse(body) as { projector: { position: string; eventsApplied: number; lagMs: number | null } };
  return parsed.projector;
}

/** Events each processor (the foreground and background projections, builds beside them) has yet to apply, as /readyz reports them. */
export async function processorBacklog(url: string): Promise<Record<string, number>> {
  const { body } = await httpGet(`${url}/readyz`);
  const parsed = JSON.parse(body) as { processors: Array<{ name: string; lagEvents: number }> };
  return Object.fromEntries(parsed.processors.map((p) => [p.name, p.lagEvents]));
}

/** What was left when a load stopped, and how long the service took to apply it. */
export interface CatchUp {
  /** Events behind the log's head, by processor, when the wait began. */
  backlog: Record<string, number>;
  seconds: number;
}

/**
 * Waits until every processor has applied the whole log (no backlog on two polls in a row), at most `timeoutMs`: so
 * that a phase of a benchmark starts on a service that has finished the work of the phase before.
 */
export async function caughtUp(url: string, timeoutMs = 300_000): Promise<CatchUp> {
  const started = performance.now();
  const backlog = await processorBacklog(url);
  let quiet = 0;
  let latest = backlog;
  while (quiet < 2) {
    if (performance.now() - started > timeoutMs) {
      throw new Error(`the service still had events to apply after ${timeoutMs / 1000} s: ${JSON.stringify(latest)}`);
    }
    quiet = Object.values(latest).every((events) => events === 0) ? quiet + 1 : 0;
    if (quiet < 2) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      latest = await processorBacklog(url);
    }
  }
  return { backlog, seconds: (performance.now() - started) / 1000 };
}

/** Starts bench/servers/<script> on a free loopback port and waits for it to answer. */
export async function startBaselineServer(name: string, script: string, args: string[], timeoutMs: number): Promise<Server> {
  const port = await freePort();
  const child = spawnNode(name, path.join(BUILD_DIR, 'servers', script), [String(port), ...args], { timeoutMs });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`, child, 15_000);
  return { child, url, profileDir: null };
}

/** `/healthz` every 20 ms until stopped: [ms since the start, ms to answer] of each. */
export function askHealth(url: string): { stop(): Array<[number, number]> } {
  const started = Date.now();
  const answers: Array<[number, number]> = [];
  let asking = true;
  void (async () => {
    while (asking) {
      const sent = Date.now();
      await new Promise<void>((resolve) => http.get(`${url}/healthz`, (res) => res.resume().on('end', resolve)).on('error', () => resolve()));
      answers.push([sent - started, Date.now() - sent]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop() {
      asking = false;
      return answers;
    },
  };
}
