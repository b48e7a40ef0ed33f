// Push anomaly reports (321) of a session: now and then while it is live, and a run of them before a drop on the pusher's network.
import { PUSH_ANOMALY_TYPES, describePushAnomaly } from '../domain/pushAnomalyCatalogue';
import { derivedDraws, type Draws } from './seededDraws';
import { instantWithin, newerPlace, sessionEnd, type SimulatedSession, type StoryRound } from './storySession';
import type { TimedCallback } from './timedCallback';

/** CSS sums a push's anomalies over this interval and reports the intervals that had any. */
const REPORT_INTERVAL_MS = 5_000;
/** What a failing network looks like in a report: frames arriving late, audio gaps, the frame rate dropping. */
const NETWORK_ANOMALIES = [6, 7, 12, 15] as const;
const SALT = 400;

/** Per-occurrence wording in the style of the documented example. */
function occurrence(type: number, draws: Draws): string {
  switch (type) {
    case 6:
      return `video frame arrive interval too long, interval=${draws.between(3_001, 6_000)}(msec)`;
    case 7:
      return `audio frame arrive interval too long, interval=${draws.between(1_001, 4_000)}(msec)`;
    case 15:
      return `video frame rate too low, fps=${draws.between(1, 9)}`;
    default:
      return describePushAnomaly(type) ?? `anomaly type ${type}`;
  }
}

function report(session: SimulatedSession, draws: Draws, reportedAt: number, types: readonly number[]): TimedCallback {
  const from = Math.max(session.pushedAt, reportedAt - REPORT_INTERVAL_MS);
  const kinds = [...new Set(Array.from({ length: draws.between(1, 2) }, () => draws.pick(types)))];
  const anomalies = kinds.map((type) => {
    const count = draws.between(1, 5);
    const detail = Array.from({ length: Math.min(count, 3) }, () => ({ desc: occurrence(type, draws), occur_time: instantWithin(draws, from, reportedAt) }));
    detail.sort((a, b) => a.occur_time - b.occur_time);
    return { count, detail, event_key: '', type, type_desc_cn: ' ', type_desc_en: describePushAnomaly(type) ?? '' };
  });
  const body = {
    abnormal_event: anomalies,
    ...newerPlace(session),
    user_ip: session.userIp,
    data_time: reportedAt,
    event_type: 321,
    interface: 'general_callback',
    report_interval: REPORT_INTERVAL_MS,
    sequence: session.sequence,
    stream_param: session.streamParam,
    timeout: REPORT_INTERVAL_MS,
  };
  return { at: reportedAt + draws.between(50, 500), body, kind: 'PushAnomaliesReported', sequence: session.sequence };
}

/** Two to four reports in a row up to an interruption on the pusher's network; otherwise a report or two on a quarter of sessions. */
export function pushAnomalyStory(session: SimulatedSession, round: StoryRound): TimedCallback[] {
  if (!round.story.anomalies) return [];
  const draws = derivedDraws(round.seed, session.index, SALT);
  const end = sessionEnd(session, round);
  if (session.cause?.category === 'CLIENT_NETWORK') {
    const reports = draws.between(2, 4);
    const times = Array.from({ length: reports }, (_, k) => end - (reports - 1 - k) * REPORT_INTERVAL_MS);
    return times.filter((at) => at > session.pushedAt).map((at) => report(session, draws, at, NETWORK_ANOMALIES));
  }
  if (!draws.chance(0.25)) return [];
  const times = Array.from({ length: draws.between(1, 2) }, () => instantWithin(draws, session.pushedAt + 1_000, end)).sort((a, b) => a - b);
  return times.map((at) => report(session, draws, at, PUSH_ANOMALY_TYPES));
}
