// Realistic signed callback requests from the seeded generator: push/interruption signed with t/sign, relay with ?token=.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { generateTraffic, type CallbackBody } from '../../src/simulation/callbackTraffic';
import { signAsCss } from '../../src/simulation/simulatedCallbacks';
import { CALLBACK_KEY, CALLBACK_TOKEN } from '../config';

export interface CallbackRequest {
  /** `/callbacks`, or `/callbacks?token=...` for relay callbacks (CSS signs those by URL, not body). */
  path: string;
  body: string;
}

/** A traffic size whose generated callbacks number about `count` (sessions give ~1.9 each, relay tasks ~10). */
export function trafficForCount(count: number): { sessions: number; relayTasks: number } {
  const units = Math.ceil(count / (1.9 * 10 + 10));
  return { sessions: units * 10, relayTasks: units };
}

/**
 * Signs a generated callback the way CSS does: push and interruption callbacks carry `t` (expiry, unix
 * seconds) and `sign = MD5(key + t)`; relay (314) callbacks carry neither and come with the URL token.
 */
export function signedRequest(body: CallbackBody, expiresAt: number): CallbackRequest {
  const path = body.event_type === 314 ? `/callbacks?token=${encodeURIComponent(CALLBACK_TOKEN)}` : '/callbacks';
  return { path, body: JSON.stringify(signAsCss(body, CALLBACK_KEY, expiresAt)) };
}

/**
 * How far ahead CSS sets `t`: it signs for ten minutes, and the service refuses a `t` further ahead than that plus its
 * clock skew (CSS_CALLBACK_MAX_EXPIRY_AHEAD_SECONDS), so a load that lasts longer re-signs its requests (resignRequests).
 */
export const SIGNED_FOR_SECONDS = 600;

/** At least `count` distinct signed requests in send order (distinct events, so none is stored as a duplicate). */
export function generateRequests(seed: number, count: number, validForSeconds = SIGNED_FOR_SECONDS): CallbackRequest[] {
  const expiresAt = Math.floor(Date.now() / 1000) + validForSeconds;
  const traffic = generateTraffic({ seed, ...trafficForCount(count), startTime: Math.floor(Date.now() / 1000) - 86_400 });
  return traffic.map(({ body }) => signedRequest(body, expiresAt));
}

const SIGNATURE = /"t":\d+,"sign":"[0-9a-f]{32}"}$/;

/** The same requests signed afresh, valid for `validForSeconds` from now (signAsCss puts `t` and `sign` last). */
export function resignRequests(requests: readonly CallbackRequest[], validForSeconds = SIGNED_FOR_SECONDS): CallbackRequest[] {
  const expiresAt = Math.floor(Date.now() / 1000) + validForSeconds;
  const signature = `"t":${expiresAt},"sign":"${createHash('md5').update(CALLBACK_KEY + String(expiresAt)).digest('hex')}"}`;
  return requests.map(({ path, body }) => ({ path, body: body.replace(SIGNATURE, signature) }));
}

/** One request per line: `<path>\t<body>` (JSON text never holds a raw tab or newline). */
export function writeRequests(file: string, requests: readonly CallbackRequest[]): void {
  fs.writeFileSync(file, requests.map((r) => `${r.path}\t${r.body}`).join('\n') + '\n');
}

export function readRequests(file: string): CallbackRequest[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const tab = line.indexOf('\t');
      return { path: line.slice(0, tab), body: line.slice(tab + 1) };
    });
}

/** The share of each kind among requests, for the report. */
export function mixOf(requests: readonly CallbackRequest[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const { body } of requests) {
    const parsed = JSON.parse(body) as CallbackBody;
    const kind =
      parsed.event_type === 1 ? 'push' : parsed.event_type === 0 ? 'interruption' : `relay ${String(parsed.callback_event)}`;
    mix[kind] = (mix[kind] ?? 0) + 1;
  }
  return mix;
}
