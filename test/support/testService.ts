// Starts the real service on a loopback port with its data in a fresh temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfig, type Environment } from '../../src/config';
import { md5Hex } from '../../src/ingest/authenticateCallback';
import { startService, type RunningService } from '../../src/server';

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'css-ledger-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestService(dataDir: string, env: Environment = {}, logger?: Logger): Promise<RunningService> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ...env });
  return startService(config, logger ?? pino({ level: 'silent' }));
}

export interface ServiceFixture {
  /** The running service; read it inside tests and hooks (it starts in beforeAll). */
  readonly service: RunningService;
  /** Its DATA_DIR. */
  readonly dataDir: string;
}

/**
 * The one way integration tests start and stop the service: started before the tests of the enclosing describe
 * (data in a fresh temp folder), stopped after them and its folder removed. `env` may be a function, read at start.
 */
export function useTestService(env: Environment | (() => Environment) = {}, logger?: Logger): ServiceFixture {
  const data = tempDataDir();
  let running: RunningService | undefined;
  beforeAll(async () => {
    running = await startTestService(data.dir, typeof env === 'function' ? env() : env, logger);
  });
  afterAll(async () => {
    await running?.close();
    data.remove();
  });
  return {
    get service(): RunningService {
      if (running === undefined) throw new Error('the test service starts in beforeAll: read it inside a test or hook');
      return running;
    },
    dataDir: data.dir,
  };
}

/** Adds `t` (expiring in ten minutes) and `sign = MD5(key + t)`, as CSS does. */
export function signCallback(body: Record<string, unknown>, key: string, t = Math.floor(Date.now() / 1000) + 600) {
  return { ...body, t, sign: md5Hex(key + String(t)) };
}

export interface PostResult {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function postCallback(
  baseUrl: string,
  body: string | object | Uint8Array,
  options: { query?: string; contentType?: string | null; headers?: Record<string, string> } = {},
): Promise<PostResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const response = await fetch(`${baseUrl}/callbacks${options.query ?? ''}`, { method: 'POST', headers, body: payload });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text: the assertion will show it
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Posts a callback and waits until the read models include it. */
export async function postAndProject(service: RunningService, body: string | object, options: { query?: string } = {}) {
  const response = await postCallback(service.url, body, options);
  if (response.status !== 200) throw new Error(`callback answered ${response.status}: ${JSON.stringify(response.body)}`);
  const position = response.headers.get('callback-position');
  if (position !== null) await service.projector.waitForPosition(BigInt(position));
  return response;
}
