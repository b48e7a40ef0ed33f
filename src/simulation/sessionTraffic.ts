// The push sessions of a round: drawn from the seed, kept apart per stream when their story is told, and their push and interruption callbacks.
import { INTERRUPTION_CAUSES } from '../domain/errcodeCatalogue';
import { derivedDraws, type Draws } from './seededDraws';
import type { SimulatedSession } from './storySession';
import { unixSeconds, type TimedCallback } from './timedCallback';

/** A session as drawn, with what only its push and interruption callbacks carry. */
export interface SessionPlan extends SimulatedSession {
  durationMs: number;
  node: string;
  setId: number;
}

export interface SessionDrawOptions {
  seed: number;
  sessions: number;
  /** How many distinct stream names the round's sessions draw from. */
  streams: number;
  /** Unix ms: pushes fall within [start, start + spread]. */
  start: number;
  spread: number;
  firstSession: number;
  /**
   * Set when the sessions' story is told: stream names numbered on from here (a round's names are its
   * own, as every round is timed on its own), the domain and picture size a stream's own.
   */
  firstStream?: number;
}

const INTERRUPTIONS = INTERRUPTION_CAUSES.filter((c) => c.errcode !== 0);
const PICTURE_SIZES: readonly (readonly [number, number])[] = [
  [1280, 720],
  [1920, 1080],
  [720, 1280],
  [960, 540],
];
/** A stream pushed again after an interruption comes back this long after it, at the earliest. */
const RECONNECT_MS: readonly [number, number] = [3_000, 30_000];
const ARRANGE_SALT = 1;

export function drawSessions(draws: Draws, options: SessionDrawOptions): SessionPlan[] {
  const { between, pick } = draws;
  const sessions: SessionPlan[] = [];
  for (let i = options.firstSession; i < options.firstSession + options.sessions; i++) {
    // 19-digit sequences, as CSS sends them: beyond what a double holds exactly.
    const sequence = `66${String(options.seed % 1000).padStart(3, '0')}${String(i).padStart(14, '0')}`;
    const pushedAt = options.start + between(0, options.spread);
    const durationMs = between(5_000, 3_600_000);
    const stream = between(1, options.streams);
    const app = between(1, 3);
    const appid = 1250000000 + between(1, 5);
    const node = `100.121.${between(0, 255)}.${between(0, 255)}`;
    const userIp = `119.29.${between(0, 255)}.${between(0, 255)}`;
    const streamParam = `txSecret=${between(1e5, 9e5)}&txTime=${(pushedAt / 1000 + 86400).toString(16)}`;
    const setId = between(1, 10);
    const cause = draws.random() < 0.9 ? pick(INTERRUPTIONS) : null;
    const session: SessionPlan = {
      index: i,
      sequence,
      appid,
      domain: `push${app}.example.com`,
      appName: 'live',
      streamId: `stream_${stream}`,
      streamParam,
      userIp,
      width: 1280,
      height: 720,
      pushedAt,
      endedAt: cause === null ? null : pushedAt + durationMs,
      cause,
      durationMs,
      node,
      setId,
    };
    if (options.firstStream !== undefined) Object.assign(session, streamOwn(options.firstStream + stream));
    sessions.push(session);
  }
  return options.firstStream === undefined ? sessions : oneAtATimePerStream(sessions, options.seed);
}

/** What belongs to a stream rather than to one push of it: its name, domain (and so account) and picture size. */
function streamOwn(stream: number) {
  const domain = (stream - 1) % 3;
  const [width, height] = PICTURE_SIZES[stream % PICTURE_SIZES.length]!;
  return { streamId: `stream_${stream}`, domain: `push${domain + 1}.example.com`, appid: 1250000001 + domain, width, height };
}

/**
 * CSS has one push of a stream at a time: a stream's sessions follow one another, each pushed again a few
 * seconds after the previous one ended at the earliest, and only the last may still be live. So every fact
 * about the stream has one session it can belong to.
 */
function oneAtATimePerStream(sessions: SessionPlan[], seed: number): SessionPlan[] {
  const byStream = new Map<string, SessionPlan[]>();
  for (const session of sessions) byStream.set(session.streamId, [...(byStream.get(session.streamId) ?? []), session]);
  for (const own of byStream.values()) {
    own.sort((a, b) => a.pushedAt - b.pushedAt || a.index - b.index);
    own.forEach((session, k) => {
      const draws = derivedDraws(seed, session.index, ARRANGE_SALT);
      const previous = own[k - 1];
      if (previous !== undefined) {
        const previousEnd = previous.endedAt ?? previous.pushedAt + previous.durationMs;
        session.pushedAt = Math.max(session.pushedAt, previousEnd + draws.between(...RECONNECT_MS));
      }
      const last = k === own.length - 1;
      session.cause = session.cause ?? (last ? null : draws.pick(INTERRUPTIONS));
      session.endedAt = session.cause === null ? null : session.pushedAt + session.durationMs;
      const expiry = unixSeconds(session.pushedAt) + 86_400;
      session.streamParam = `txSecret=${draws.uuid().replaceAll('-', '')}&txTime=${expiry.toString(16).toUpperCase()}`;
    });
  }
  return sessions;
}

/** The push callback of a session and, once it ended, its interruption. */
export function sessionCallbacks(session: SessionPlan): TimedCallback[] {
  const common = {
    app: session.domain,
    appid: session.appid,
    appname: session.appName,
    stream_id: session.streamId,
    channel_id: session.streamId,
    sequence: session.sequence,
    node: session.node,
    user_ip: session.userIp,
    stream_param: session.streamParam,
    set_id: session.setId,
  };
  const { sequence, pushedAt, endedAt, cause } = session;
  const push = { ...common, event_type: 1, event_time: unixSeconds(pushedAt), errcode: 0, errmsg: 'ok', width: session.width, height: session.height };
  const callbacks: TimedCallback[] = [{ at: pushedAt, body: push, kind: 'StreamPushed', sequence }];
  if (endedAt !== null && cause !== null) {
    const interruption = {
      ...common,
      event_type: 0,
      event_time: unixSeconds(endedAt),
      errcode: cause.errcode,
      ...(cause.subErrcode === 0 ? {} : { sub_errcode: cause.subErrcode }),
      errmsg: cause.reason,
      push_duration: String(session.durationMs),
    };
    callbacks.push({ at: endedAt, body: interruption, kind: 'StreamInterrupted', sequence });
  }
  return callbacks;
}
