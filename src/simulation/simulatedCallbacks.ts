// Generated traffic made ready to send: shifted to end now, signed the way CSS signs, aimed at <url>/callbacks.
import { md5Hex } from '../ingest/authenticateCallback';
import { trafficRounds, type CallbackBody, type TimedCallback, type TrafficRoundsOptions } from './callbackTraffic';

/** One callback as it goes over the wire, with the ids it concerns (for the summary). */
export interface OutgoingCallback {
  /** Path and query, e.g. `/callbacks?token=...`. */
  path: string;
  body: string;
  /** The session's `sequence` (push and interruption callbacks). */
  sequence?: string;
  /** The relay task's `task_id` (relay callbacks that carry one). */
  taskId?: string;
}

const EVENT_TYPE_RELAY = 314;

/** Shifts a unix-seconds value kept as CSS sent it (number or numeric string); 0 means "not given" and stays. */
function shiftSeconds(value: unknown, offsetSeconds: number): unknown {
  if (typeof value === 'number' && value !== 0) return value + offsetSeconds;
  if (typeof value === 'string' && /^\d+$/.test(value) && value !== '0') return String(Number(value) + offsetSeconds);
  return value;
}

/**
 * The same callback `offsetMs` later (a whole number of seconds, so second and millisecond times stay
 * consistent): `event_time` (s), and in a relay callback's embedded `msg`, `task_start_time` and
 * `task_exit_time` (ms). Durations (`push_duration`, a file's `duration`) are intervals and stay.
 */
export function shiftCallbackTimes(body: CallbackBody, offsetMs: number): CallbackBody {
  if (offsetMs % 1000 !== 0) throw new RangeError(`offset must be whole seconds, got ${offsetMs} ms`);
  const shifted: CallbackBody = { ...body };
  if ('event_time' in body) shifted.event_time = shiftSeconds(body.event_time, offsetMs / 1000);
  if (typeof body.msg === 'string') {
    let msg: unknown;
    try {
      msg = JSON.parse(body.msg);
    } catch {
      return shifted; // not JSON: nothing to shift in it
    }
    if (msg !== null && typeof msg === 'object' && !Array.isArray(msg)) {
      const times = { ...(msg as Record<string, unknown>) };
      for (const name of ['task_start_time', 'task_exit_time']) {
        const value = times[name];
        if (typeof value === 'number' && value !== 0) times[name] = value + offsetMs;
      }
      shifted.msg = JSON.stringify(times);
    }
  }
  return shifted;
}

/** A round of traffic moved as a whole so that its last callback happened at `nowMs` (or just before). */
export function retimeRound(round: readonly TimedCallback[], nowMs: number): TimedCallback[] {
  if (round.length === 0) return [];
  const last = Math.max(...round.map((c) => c.at));
  const offsetMs = Math.floor((nowMs - last) / 1000) * 1000;
  return round.map(({ at, body }) => ({ at: at + offsetMs, body: shiftCallbackTimes(body, offsetMs) }));
}

/**
 * Signs as CSS does: push and interruption callbacks carry `t` (the expiry, unix seconds) and
 * `sign = MD5(key + t)`; relay callbacks carry neither (they prove themselves with the URL token).
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
    for (const { body } of retimeRound(round, now())) {
      const signed = signAsCss(body, options.key, Math.floor(now() / 1000) + options.validForSeconds);
      const outgoing: OutgoingCallback = { path: options.path, body: JSON.stringify(signed) };
      if (typeof body.sequence === 'string') outgoing.sequence = body.sequence;
      if (typeof body.task_id === 'string') outgoing.taskId = body.task_id;
      yield outgoing;
    }
  }
}
