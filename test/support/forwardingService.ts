// Forwarding through the real service: a FORWARD_CONFIG file in the data folder, push callbacks, and GraphQL with or without the admin token.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type ServiceProcess } from './serviceProcess';
import { tempDataDir } from './testService';
import { startReceiver, type WebhookReceiver } from './webhookReceiver';

/** Writes FORWARD_CONFIG's file into `dir` and returns its path. */
export function writeForwardConfig(dir: string, destinations: Array<Record<string, unknown>>): string {
  const file = path.join(dir, 'forward.json');
  writeFileSync(file, JSON.stringify({ destinations }));
  return file;
}

/**
 * For tests that run `serve` as a process forwarding raw callbacks to a receiver (destination `hook`): a temporary
 * folder (`dataDir` a DATA_DIR in it), the receiver once started, and `serve(folder)`.
 */
export function useForwardingServiceProcess(): { dir: string; dataDir: string; receiver(): WebhookReceiver; serve(folder: string): ServiceProcess } {
  const data = tempDataDir();
  let started: WebhookReceiver | undefined;
  beforeAll(async () => {
    started = await startReceiver();
  });
  afterAll(async () => {
    await started?.stop();
    data.remove();
  });
  const receiver = (): WebhookReceiver => started!;
  const serve = (folder: string): ServiceProcess =>
    runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', DATA_DIR: folder, FORWARD_CONFIG: writeForwardConfig(data.dir, [{ name: 'hook', url: receiver().url, format: 'raw' }]) });
  return { dir: data.dir, dataDir: path.join(data.dir, 'data'), receiver, serve };
}

/** A push callback of session `sequence`; `n` makes each one distinct. */
export const pushCallback = (sequence: string, n: number) => ({ event_type: 1, sequence, stream_id: `live${n}`, app: 'push.example.com', event_time: 1_700_000_000 + n });

export interface GraphqlAnswer {
  status: number;
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A GraphQL operation over HTTP, with X-Admin-Token when `adminToken` is given. */
export async function operate(baseUrl: string, query: string, variables: Record<string, unknown> = {}, adminToken?: string): Promise<GraphqlAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (adminToken !== undefined) headers['x-admin-token'] = adminToken;
  const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: response.status, ...((await response.json()) as object) };
}

/**
 * Asks until the answer satisfies `ready` (at most `timeoutMs`), then returns it: a receiver has a request before the
 * ledger has its answer, and results are written a few ms after that.
 */
export async function operateUntil(baseUrl: string, query: string, ready: (answer: GraphqlAnswer) => boolean, timeoutMs = 10_000): Promise<GraphqlAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await operate(baseUrl, query);
    if (ready(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const DESTINATIONS_QUERY = `{ destinations { name url format status paused breaker lagEvents lagSeconds deliveredThrough lastDeliveredPosition lastError deadLetterCount pendingCount } }`;
