// The full story the simulator plays for its sessions: what the service makes of each callback, whose session it is, and when.
import { parseCallbackBody } from '../../src/domain/callbackJson';
import type { CallbackEvent } from '../../src/domain/callbackEvents';
import { interpretCallback } from '../../src/domain/interpretCallback';
import { SESSION_TIE_TOLERANCE_MS, sessionTieOf, tieToSession, type SessionInterval } from '../../src/domain/sessionTie';
import { authenticateCallback } from '../../src/ingest/authenticateCallback';
import { trafficRounds, type TrafficRoundsOptions } from '../../src/simulation/callbackTraffic';
import { simulatedCallbacks, type OutgoingCallback } from '../../src/simulation/simulatedCallbacks';
import { FULL_STORY, MAX_SCREENSHOTS_PER_SESSION, type StoryOptions } from '../../src/simulation/storySession';

const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);
const KEY = 'story-key';
/** Every part on every session, so that a few rounds show each kind. */
const EVERYTHING: StoryOptions = { ...FULL_STORY, moderationRate: 1, analysisRate: 1, imageHost: 'https://pictures.test' };
const ROUNDS = 8;

interface Played {
  callback: OutgoingCallback;
  body: Record<string, unknown>;
  event: CallbackEvent;
}

/** The first `rounds` rounds whole, as sent: retimed to end by NOW and signed. */
function play(options: Omit<TrafficRoundsOptions, 'story'> & { story?: StoryOptions }, rounds = ROUNDS): Played[] {
  const sizes = trafficRounds(options);
  let count = 0;
  for (let r = 0; r < rounds; r++) count += sizes.next().value.length;
  const source = simulatedCallbacks({ ...options, key: KEY, path: '/callbacks', validForSeconds: 600, now: () => NOW });
  return Array.from({ length: count }, () => {
    const callback = source.next().value as OutgoingCallback;
    const parsed = parseCallbackBody(callback.body);
    if (!parsed.ok) throw new Error(parsed.message);
    return { callback, body: JSON.parse(callback.body) as Record<string, unknown>, event: interpretCallback(parsed.payload, callback.body) };
  });
}

/** The push sessions as the tie rule sees them, from the pushes and interruptions played. */
function sessionsOf(played: Played[]): SessionInterval[] {
  const sessions = new Map<string, SessionInterval>();
  for (const { event } of played) {
    if (event.type === 'StreamPushed') {
      const { sequence, domain, appName, streamId, eventTime } = event.fields;
      sessions.set(sequence, { sequence, domain, appName, streamId, pushedAt: eventTime! * 1000, interruptedAt: null });
    }
  }
  for (const { event } of played) {
    if (event.type === 'StreamInterrupted') sessions.get(event.fields.sequence)!.interruptedAt = event.fields.eventTime! * 1000;
  }
  return [...sessions.values()];
}

const STORY_KINDS = [
  'RecordingFileGenerated',
  'RecordingStatusChanged',
  'RecordingExceptionReported',
  'ScreenshotTaken',
  'ImageModerationFlagged',
  'AudioModerationFlagged',
  'PushAnomaliesReported',
  'StreamMonitoringReported',
  'SubtitlesGenerated',
  'QualityIssueDetected',
  'QualityThresholdBreached',
  'QualityScoreReported',
  'SmartErasureApplied',
  'StreamSummaryGenerated',
  'HighlightsGenerated',
  'RelayTaskReconfigured',
];

describe('the full story', () => {
  const options = { seed: 17, sessionsPerRound: 8, relayTasksPerRound: 2, streams: 8, story: EVERYTHING };
  const played = play(options);
  const sessions = sessionsOf(played);

  it('is made of callbacks the service reads as the event each is meant to be, of every kind', () => {
    expect(played.filter(({ event }) => event.type === 'UnrecognizedCallbackReceived').map(({ body }) => body)).toEqual([]);
    expect(played.filter(({ callback, event }) => callback.kind !== event.type)).toEqual([]);
    const kinds = new Set(played.map(({ event }) => event.type));
    expect(STORY_KINDS.filter((kind) => !kinds.has(kind as never))).toEqual([]);
    expect(new Set(played.map(({ event }) => event.id)).size).toBe(played.length);
  });

  it('ties every fact to the session it was played for, inside its push interval give or take the tolerance', () => {
    const facts = played.filter(({ event }) => !event.type.startsWith('Relay') && event.type !== 'StreamPushed' && event.type !== 'StreamInterrupted');
    expect(facts.length).toBeGreaterThan(ROUNDS * 8 * 3);
    for (const { callback, event } of facts) {
      const tie = sessionTieOf(event);
      expect(tie).not.toBeNull();
      const session = tieToSession(tie!, sessions);
      expect({ kind: event.type, tiedTo: session?.sequence }).toEqual({ kind: event.type, tiedTo: callback.sequence });
      // Anomaly reports carry the sequence; their report time is inside the session too.
      const [from, to] =
        tie!.by === 'streamTime' ? [tie!.from, tie!.to]
        : event.type === 'PushAnomaliesReported' ? [event.fields.reportedAt!, event.fields.reportedAt!]
        : [NaN, NaN];
      expect(from).toBeGreaterThanOrEqual(session!.pushedAt! - SESSION_TIE_TOLERANCE_MS);
      expect(to).toBeLessThanOrEqual((session!.interruptedAt ?? NOW) + SESSION_TIE_TOLERANCE_MS);
    }
  });

  it('plays one push of a stream at a time: the next comes after the previous one ended, and only the last may be live', () => {
    const byStream = new Map<string, SessionInterval[]>();
    for (const session of sessions) byStream.set(session.streamId!, [...(byStream.get(session.streamId!) ?? []), session]);
    expect([...byStream.values()].some((own) => own.length > 1)).toBe(true);
    for (const own of byStream.values()) {
      own.sort((a, b) => a.pushedAt! - b.pushedAt!);
      expect(own.slice(0, -1).filter((s) => s.interruptedAt === null)).toEqual([]);
      for (let k = 1; k < own.length; k++) expect(own[k]!.pushedAt!).toBeGreaterThan(own[k - 1]!.interruptedAt!);
    }
  });

  it('starts each recording at the push and ends it with the interruption, its files within', () => {
    const bySequence = new Map(sessions.map((s) => [s.sequence, s]));
    const recordings = new Map<string, Played[]>();
    for (const p of played) {
      if (p.event.type === 'RecordingStatusChanged' || p.event.type === 'RecordingFileGenerated') {
        const id = p.event.fields.recordingSessionId!;
        recordings.set(id, [...(recordings.get(id) ?? []), p]);
      }
    }
    expect(recordings.size).toBeGreaterThan(ROUNDS * 8);
    for (const own of recordings.values()) {
      const statuses = own.flatMap(({ event }) => (event.type === 'RecordingStatusChanged' ? [event.fields] : []));
      const session = bySequence.get(own[0]!.callback.sequence!)!;
      const end = session.interruptedAt;
      expect(statuses[0]!.status).toBe('record_start_succeeded');
      expect(statuses[0]!.at! - session.pushedAt!).toBeLessThanOrEqual(4_000);
      for (const { event } of own) {
        if (event.type !== 'RecordingFileGenerated') continue;
        expect(event.fields.fileStartedAt!).toBeGreaterThanOrEqual(session.pushedAt! - 1_000);
        // end_time is the file's last second with its microseconds: within the interruption's second.
        expect(event.fields.endedAt!).toBeLessThan((end ?? NOW) + 1_000);
        expect(event.fields.videoUrl).toMatch(/^http:\/\/\d+\.vod2\.example\.com\/.+\/f0\.(m3u8|flv|mp4|aac)$/);
      }
      if (end !== null) expect(statuses.at(-1)).toMatchObject({ status: 'record_ended', at: end });
      else expect(statuses.map((s) => s.status)).not.toContain('record_ended');
      expect(new Set(own.map(({ callback }) => callback.sequence)).size).toBe(1);
    }
  });

  it('signs every callback but the relay ones with t = now + 600 and sign = MD5(key + t)', () => {
    const auth = { keys: [KEY], token: null, clockSkewSeconds: 60, maxExpiryAheadSeconds: 660, quarantineMaxLateSeconds: 0 };
    for (const { body, event } of played.filter(({ body }) => body.event_type !== 314)) {
      expect(body.t).toBe(NOW / 1000 + 600);
      expect({ type: event.type, auth: authenticateCallback(body as never, undefined, auth, NOW / 1000) }).toEqual({
        type: event.type,
        auth: { ok: true, by: 'signature', keyIndex: 0 },
      });
    }
  });

  it('times everything within the last day, none of it after now', () => {
    for (const { event } of played) {
      const tie = sessionTieOf(event);
      if (tie?.by !== 'streamTime') continue;
      expect(tie.to).toBeLessThanOrEqual(NOW);
      expect(tie.from).toBeGreaterThan(NOW - 86_400_000);
    }
  });

  it('shows a few screenshots of each session per round, on the image host, and anomaly reports under its sequence', () => {
    const shots = new Map<string, number>();
    for (const { callback, event } of played) {
      if (event.type !== 'ScreenshotTaken') continue;
      shots.set(callback.sequence!, (shots.get(callback.sequence!) ?? 0) + 1);
      expect(event.fields.url).toBe(`https://pictures.test${event.fields.path!}`);
      expect(event.fields.path).toMatch(/^\/stream_\d+\/\d{19}\/stream_\d+-screenshot-\d+-\d+x\d+\.jpg$/);
    }
    // A round spans 60 s here: a screenshot every 30 s shows two or three of a session, never more.
    expect(Math.max(...shots.values())).toBeLessThanOrEqual(Math.min(MAX_SCREENSHOTS_PER_SESSION, 3));
    expect(shots.size).toBeGreaterThan(ROUNDS * 4);
    const reports = played.filter(({ event }) => event.type === 'PushAnomaliesReported');
    for (const { callback, body } of reports) expect(body.sequence).toBe(callback.sequence);
  });

  it('is the same story for the same seed, and another for another seed', () => {
    const again = play(options, 2).map(({ callback }) => callback);
    expect(again).toEqual(played.slice(0, again.length).map(({ callback }) => callback));
    const other = play({ ...options, seed: 18 }, 2).map(({ callback }) => callback.body);
    expect(other).not.toEqual(again.map((c) => c.body));
  });
});

describe('the story options', () => {
  const base = { seed: 5, sessionsPerRound: 6, relayTasksPerRound: 1, streams: 6 };
  const kindsOf = (story?: StoryOptions) => new Set(play({ ...base, ...(story === undefined ? {} : { story }) }, 4).map(({ event }) => event.type));

  it('leaves out what is turned off', () => {
    const kinds = kindsOf({ ...EVERYTHING, recordings: false, screenshotsEverySeconds: 0, moderationRate: 0, anomalies: false, analysisRate: 0 });
    expect(kinds.has('StreamPushed')).toBe(true);
    const left = [...kinds].filter((kind) => STORY_KINDS.includes(kind) && kind !== 'RelayTaskReconfigured');
    expect(left).toEqual([]);
  });

  it('plays sessions and relay tasks only without a story, as before', () => {
    expect([...kindsOf()].filter((kind) => STORY_KINDS.includes(kind))).toEqual([]);
  });
});
