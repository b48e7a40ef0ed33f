// Generated traffic made ready to send: shifted to end now, signed the way CSS signs, aimed at <url>/callbacks.
import type { CallbackEventType } from '../domain/callbackEvents';
import { md5Hex } from '../ingest/authenticateCallback';
import { shiftCallbackTimes } from './callbackTimes';
import { trafficRounds, type CallbackBody, type TimedCallback, type TrafficRoundsOptions } from './callbackTraffic';

export { shiftCallbackTimes } from './callbackTimes';

/** One callback as it goes over the wire, with the ids it concerns (for the summary). */
export interface OutgoingCallback {
  /** Path and query, e.g. `/callbacks?token=...`. */
  path: string;
  body: string;
  /** The `sequence` of the session it belongs to: its push and interruption, and in the full story all the rest of its story. */
  sequence?: string;
  /** The relay task's `task_id` (relay callbacks that carry one). */
  taskId?: string;
  /** The event type the service makes of it. */
  kind?: CallbackEventType;
}

const EVENT_TYPE_RELAY = 314;

/** A round of traffic moved as a whole so that its last callback happened at `nowMs` (or just before). */
export function retimeRound(round: readonly TimedCallback[], nowMs: number): TimedCallback[] {
  if (round.length === 0) return [];
  const last = round.reduce((latest, c) => Math.max(latest, c.at), -Infinity);
  const offsetMs = Math.floor((nowMs - last) / 1000) * 1000;
  return round.map((callback) => ({ ...callback, at: callback.at + offsetMs, body: shiftCallbackTimes(callback.body, offsetMs) }));
}

/**
 * Signs as CSS does: every callback but relay ones (push, interruption, recording, screenshot,
 * moderation, anomaly report, ...) carries `t` (the expiry, unix seconds) and `sign = MD5(key + t)`;
 * relay callbacks carry neither (they prove themselves with the URL token).
 * Without a key the body goes unsigned.
 */
export function signAsCss(body: CallbackBody, key: string | null, expiresAt: number): CallbackBody {
  if (key === null || body.event_type === EVENT_TYPE_RELAY) return body;
  return { ...body, t: expiresAt, sign: md5Hex(key + String(expiresAt)) };
}

/** `<base>/callbacks`, keeping any path prefix and query of the base, with `?token=` when given. */
export function callbackTarget(baseUrl: string, token: string | null): URL {
  const target = new URL(baseUrl);
  target.pathname = `${target.pathname.replace(/\/+$/, '')}/callbacks`;
  if (token !== null) target.searchParams.set('token', token);
  return target;
}

export interface SimulatedTrafficOptions extends TrafficRoundsOptions {
  key: string | null;
  /** Path and query every callback is posted to (callbackTarget's). */
  path: string;
  /** How long a signature stays valid: `t` = now + this. */
  validForSeconds: number;
  /** Unix ms; injectable for tests. */
  now?: () => number;
}

/** Endless, lazily generated: each round is shifted to end at the moment it is reached, each callback signed when taken. */
export function* simulatedCallbacks(options: SimulatedTrafficOptions): Generator<OutgoingCallback, void> {
  const now = options.now ?? Date.now;
  for (const round of trafficRounds(options)) {
    for (const { body, kind, sequence } of retimeRound(round, now())) {
      const signed = signAsCss(body, options.key, Math.floor(now() / 1000) + options.validForSeconds);
      const outgoing: OutgoingCallback = { path: options.path, body: JSON.stringify(signed), kind };
      if (sequence !== undefined) outgoing.sequence = sequence;
      // Recordings and screenshots carry a task_id too: only a relay callback's names a relay task.
      if (body.event_type === EVENT_TYPE_RELAY && typeof body.task_id === 'string') outgoing.taskId = body.task_id;
      yield outgoing;
    }
  }
}
