// What the timeline makes of an event (pure): when it happened, its one-line summary, and what ties it to a session.
import type { CallbackEventBody } from '../../domain/callbackEvents';
import type { StreamPlace } from '../../domain/callbackFields';
import type { SessionInterval, SessionTie } from '../../domain/sessionTie';
import { sessionTieOf } from '../../domain/sessionTie';
import { summarize } from '../../domain/summarize';
import { intervalOf } from '../sessionIntervals';
import type { SessionState } from '../sessions/session.reducer';

/** An entry before it is tied by stream and time: everything but its session, which the tables decide. */
export interface TimelineFact {
  kind: string;
  at: number;
  summary: string;
  streamId: string | null;
  ownDomain: string | null;
  appName: string | null;
  tie: SessionTie;
}

const lower = (text: string | null): string | null => (text === null ? null : text.toLowerCase());

/** The event's own time (ms): CSS's time of a push or an interruption, the report's, or the end of a fact's span. */
function instantOf(event: CallbackEventBody, tie: SessionTie, receivedAt: number): number {
  switch (event.type) {
    case 'StreamPushed':
    case 'StreamInterrupted':
      return event.fields.eventTime === null ? receivedAt : event.fields.eventTime * 1000;
    case 'PushAnomaliesReported':
      return event.fields.reportedAt ?? receivedAt;
    default:
      // A fact is told when it is over: a recording file when it ends, a screenshot when it is taken.
      return tie.by === 'streamTime' ? tie.to : receivedAt;
  }
}

/** Null for events that are about no stream (relay tasks, unrecognized callbacks, facts that name no stream). */
export function timelineFact(event: CallbackEventBody, receivedAt: number): TimelineFact | null {
  const tie = sessionTieOf(event, receivedAt);
  if (tie === null) return null;
  // Ties by sequence: pushes, interruptions and anomaly reports, which all say where they were pushed.
  const place: StreamPlace | null = 'domain' in event.fields ? event.fields : null;
  return {
    kind: event.type,
    at: instantOf(event, tie, receivedAt),
    summary: summarize(event),
    streamId: tie.by === 'streamTime' ? tie.streamId : (place?.streamId ?? null),
    ownDomain: lower(tie.by === 'streamTime' ? tie.domain : (place?.domain ?? null)),
    appName: tie.by === 'streamTime' ? tie.appName : (place?.appName ?? null),
    tie,
  };
}

/**
 * A session's push interval as the tie rule needs it, from the sessions reducer's own state (so the timeline
 * and the sessions model agree on when a push began and ended). A session with an interruption but no push
 * began push_duration before it ended, when CSS said how long it lasted.
 */
export const sessionIntervalOf = (state: SessionState): SessionInterval => timelineInterval(intervalOf(state));

/** An interval as the timeline keeps it: its domain lower-cased. */
export const timelineInterval = (interval: SessionInterval): SessionInterval => ({ ...interval, domain: lower(interval.domain) });
