// The one rule that ties a recording, screenshot, moderation hit, recording status... to the push session it came from.
import type { StreamPlace } from './callbackFields';
import type { CallbackEventBody } from './callbackEvents';
import { largest, smallest } from './fieldValues';

/** A push session as the rule needs it: where it was pushed and when (Unix milliseconds). */
export interface SessionInterval {
  sequence: string;
  domain: string | null;
  appName: string | null;
  streamId: string | null;
  /** When the push began; null when unknown (such a session is never tied by time: derive it from the interruption and push_duration first). */
  pushedAt: number | null;
  /** When it was interrupted; null while the session is live. */
  interruptedAt: number | null;
}

/** What a fact offers to be tied by: the push's own `sequence`, or where and when (an instant is `from` = `to`). */
export type SessionTie =
  | { by: 'sequence'; sequence: string }
  | { by: 'streamTime'; domain: string | null; appName: string | null; streamId: string; from: number; to: number };

/** CSS stamps push callbacks on its access nodes and recordings, screenshots and moderation on its media nodes: their clocks may differ by this much. */
export const CLOCK_SKEW_MS = 5_000;
/** Most CSS times are whole seconds: an instant stamped `t` may stand for any moment of that second. */
export const WHOLE_SECOND_MS = 1_000;
/** How far outside a session's [pushedAt, interruptedAt] a fact may fall and still be tied to it, on either side. */
export const SESSION_TIE_TOLERANCE_MS = CLOCK_SKEW_MS + WHOLE_SECOND_MS;

const sameDomain = (a: string | null, b: string | null): boolean => a === null || b === null || a.toLowerCase() === b.toLowerCase();
const sameAppName = (a: string | null, b: string | null): boolean => a === null || b === null || a === b;

interface Candidate {
  session: SessionInterval;
  /** How far the fact lies outside the session (0 when they overlap). */
  gap: number;
  /** How long fact and session overlap. */
  overlap: number;
}

function candidate(tie: Extract<SessionTie, { by: 'streamTime' }>, session: SessionInterval): Candidate | null {
  const { pushedAt } = session;
  if (session.streamId !== tie.streamId || pushedAt === null) return null;
  if (!sameDomain(session.domain, tie.domain) || !sameAppName(session.appName, tie.appName)) return null;
  const end = session.interruptedAt ?? Number.POSITIVE_INFINITY;
  const from = Math.min(tie.from, tie.to);
  const to = Math.max(tie.from, tie.to);
  const gap = Math.max(0, pushedAt - to, from - end);
  if (gap > SESSION_TIE_TOLERANCE_MS) return null;
  return { session, gap, overlap: Math.max(0, Math.min(to, end) - Math.max(from, pushedAt)) };
}

/** Numeric sequences in numeric order without a JS number (they are 64-bit): shorter first, then by digits. */
const compareSequences = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Nearest first; then the longest overlap; then the newer push (a fact at the boundary of two pushes goes to the one that starts); then by sequence. */
function better(a: Candidate, b: Candidate): number {
  if (a.gap !== b.gap) return a.gap - b.gap;
  if (a.overlap !== b.overlap) return b.overlap - a.overlap;
  const pushed = (b.session.pushedAt ?? 0) - (a.session.pushedAt ?? 0);
  return pushed !== 0 ? pushed : compareSequences(a.session.sequence, b.session.sequence);
}

/**
 * The session a fact belongs to, or null. By `sequence`: the session with that sequence. By stream and time:
 * the same `streamId`, the same domain (case-insensitive) and app name where both sides give one, and the
 * fact's time within [pushedAt, interruptedAt] (open-ended while live) give or take SESSION_TIE_TOLERANCE_MS;
 * when several sessions qualify, the order of `better` decides, so the answer never depends on the input order.
 */
export function tieToSession(tie: SessionTie, sessions: readonly SessionInterval[]): SessionInterval | null {
  if (tie.by === 'sequence') return sessions.find((session) => session.sequence === tie.sequence) ?? null;
  let best: Candidate | null = null;
  for (const session of sessions) {
    const found = candidate(tie, session);
    if (found !== null && (best === null || better(found, best) < 0)) best = found;
  }
  return best?.session ?? null;
}

/** Where a fact happened, and when by its own clock ([from, to] in Unix milliseconds); null for events that are not about a stream's picture or sound. */
function placeAndTime(event: CallbackEventBody): { place: StreamPlace; from: number | null; to: number | null } | null {
  const span = (place: StreamPlace, from: number | null, to: number | null) => ({ place, from, to });
  switch (event.type) {
    case 'RecordingFileGenerated':
      return span(event.fields, event.fields.fileStartedAt ?? event.fields.endedAt, event.fields.endedAt);
    case 'RecordingStatusChanged':
    case 'RecordingExceptionReported':
    case 'AudioModerationFlagged':
    case 'StreamMonitoringReported':
    case 'QualityIssueDetected':
    case 'QualityThresholdBreached':
    case 'QualityScoreReported':
      return span(event.fields, event.fields.at, event.fields.at);
    case 'ImageModerationFlagged': {
      const at = event.fields.at ?? event.fields.sentAt;
      return span(event.fields, at, at);
    }
    case 'ScreenshotTaken':
      return span(event.fields, event.fields.takenAt, event.fields.takenAt);
    case 'SubtitlesGenerated':
      return span(event.fields, smallest(event.fields.lines.map((l) => l.startedAt)), largest(event.fields.lines.map((l) => l.endedAt)));
    case 'SmartErasureApplied':
      return span(event.fields, smallest(event.fields.spans.map((s) => s.startedAt)), largest(event.fields.spans.map((s) => s.endedAt)));
    case 'StreamSummaryGenerated':
      return span(event.fields, event.fields.beganAt, event.fields.endedAt);
    case 'HighlightsGenerated':
      return span(event.fields, smallest(event.fields.clips.map((c) => c.beganAt)), largest(event.fields.clips.map((c) => c.endedAt)));
    default:
      return null;
  }
}

/**
 * What an event offers to be tied to a push session by: pushes, interruptions and push anomaly reports
 * their `sequence`; facts about a stream its place and their own time (or `receivedAt`, Unix ms, when
 * they carry none); null for relay events, unrecognized callbacks, and facts that name no stream.
 */
export function sessionTieOf(event: CallbackEventBody, receivedAt: number | null = null): SessionTie | null {
  switch (event.type) {
    case 'StreamPushed':
    case 'StreamInterrupted':
    case 'PushAnomaliesReported':
      return { by: 'sequence', sequence: event.fields.sequence };
    default: {
      const fact = placeAndTime(event);
      if (fact === null || fact.place.streamId === null) return null;
      const from = fact.from ?? fact.to ?? receivedAt;
      const to = fact.to ?? from;
      if (from === null || to === null) return null;
      const { domain, appName, streamId } = fact.place;
      return { by: 'streamTime', domain, appName, streamId, from, to };
    }
  }
}
