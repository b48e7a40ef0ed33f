// A push session as its story needs it (where, when, who), the options of the full story, and the round it is told in.
import type { InterruptionCause } from '../domain/errcodeCatalogue';
import type { Draws } from './seededDraws';

export interface SimulatedSession {
  /** Its number in the whole traffic, from 0: what the draws of its story derive from. */
  index: number;
  sequence: string;
  appid: number;
  /** The push domain (`app`, or `domain` in the newer callbacks). */
  domain: string;
  /** The push path (`appname`, or `path`). */
  appName: string;
  streamId: string;
  streamParam: string;
  userIp: string;
  width: number;
  height: number;
  /** Unix ms. */
  pushedAt: number;
  /** Unix ms; null while it is still live at the end of its round. */
  endedAt: number | null;
  cause: InterruptionCause | null;
}

/** What the full story plays for each session besides its push and interruption. */
export interface StoryOptions {
  /** Recording files (100) of the formats the domain's template records, with their statuses (332) and exceptions (341). */
  recordings: boolean;
  /** Seconds between two screenshots (200) of a live session; 0 for none. */
  screenshotsEverySeconds: number;
  /** Share of sessions with image (317) and audio (315) moderation hits. */
  moderationRate: number;
  /** Push anomaly reports (321). */
  anomalies: boolean;
  /** Share of sessions with one of the rarer analysis callbacks (328, 338, 343-349). */
  analysisRate: number;
  /** Where screenshots and flagged pictures and sound are stored: `pic_full_url` = this + `pic_url`. */
  imageHost: string;
}

export const FULL_STORY: Readonly<StoryOptions> = Object.freeze({
  recordings: true,
  screenshotsEverySeconds: 30,
  moderationRate: 0.2,
  anomalies: true,
  analysisRate: 0.05,
  imageHost: 'https://snapshots.example.invalid',
});

/** Screenshots of one session in one round, at most, whatever the interval. */
export const MAX_SCREENSHOTS_PER_SESSION = 12;

/** The round a story is told in. */
export interface StoryRound {
  seed: number;
  /** Unix ms: where the round's sessions and relay tasks end, and so where a live session's story stops. */
  horizon: number;
  /** How much of a session's life (ms, the end of it) the round shows in screenshots: the round's spread. */
  window: number;
  story: StoryOptions;
}

/** Where a session's story ends: its interruption, or the round's horizon while it is live. */
export const sessionEnd = (session: SimulatedSession, round: StoryRound): number => session.endedAt ?? Math.max(session.pushedAt, round.horizon);

/** An instant (unix ms) from `from` to `to`, both included. */
export const instantWithin = (draws: Draws, from: number, to: number): number => draws.between(Math.ceil(from), Math.floor(Math.max(from, to)));

/** Where newer callbacks (`domain`, `path`) say the stream was pushed. */
export const newerPlace = (session: SimulatedSession) => ({
  appid: session.appid,
  domain: session.domain,
  path: session.appName,
  stream_id: session.streamId,
});
