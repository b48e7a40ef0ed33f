// What CSS takes from a session's picture and sound: screenshots every N seconds (200), and on some sessions moderation hits (317 image, 315 audio).
import { derivedDraws, type Draws } from './seededDraws';
import { MAX_SCREENSHOTS_PER_SESSION, instantWithin, sessionEnd, type SimulatedSession, type StoryRound } from './storySession';
import { unixSeconds, type TimedCallback } from './timedCallback';

const SCREENSHOT_SALT = 200;
const MODERATION_SALT = 300;

/** What image moderation flags: labels of the documented examples, with their `type[]` category. */
const IMAGE_LABELS = [
  { label: 'Porn', subLabel: 'PornHigh', type: 1 },
  { label: 'Porn', subLabel: 'WomenChest', type: 1 },
  { label: 'Sexy', subLabel: 'SexyBehavior', type: 2 },
  { label: 'Sexy', subLabel: 'SexyDress', type: 2 },
] as const;

/** What audio moderation flags, with what was said. */
const AUDIO_HITS = [
  { label: 'Ad', subLabel: 'Contact', keyword: 'mobile phone number', text: 'provide mobile phone number for easy contact' },
  { label: 'Ad', subLabel: 'Contact', keyword: 'add me', text: 'add me on the other app for a discount code' },
  { label: 'Abuse', subLabel: 'Insult', keyword: 'idiot', text: 'only an idiot would buy from that shop' },
] as const;

/** CSS sends only suspicious frames: mostly Block and Review, sometimes Pass with a low score. */
function verdict(draws: Draws): { suggestion: 'Block' | 'Review' | 'Pass'; score: number } {
  const roll = draws.random();
  if (roll < 0.4) return { suggestion: 'Block', score: draws.between(90, 100) };
  if (roll < 0.9) return { suggestion: 'Review', score: draws.between(60, 89) };
  return { suggestion: 'Pass', score: draws.between(20, 59) };
}

/** Screenshots on the session's own grid (every N s from the push), the ones within the last `window` of what the round shows of it. */
export function screenshotStory(session: SimulatedSession, round: StoryRound): TimedCallback[] {
  const everyMs = round.story.screenshotsEverySeconds * 1000;
  if (everyMs <= 0) return [];
  const draws = derivedDraws(round.seed, session.index, SCREENSHOT_SALT);
  const end = sessionEnd(session, round);
  const taskId = draws.digits(19);
  const size = `${session.width}x${session.height}`;
  const first = Math.max(1, Math.ceil((end - round.window - session.pushedAt) / everyMs));
  const callbacks: TimedCallback[] = [];
  for (let k = first; session.pushedAt + k * everyMs <= end && callbacks.length < MAX_SCREENSHOTS_PER_SESSION; k++) {
    const takenAt = session.pushedAt + k * everyMs;
    const path = `/${session.streamId}/${session.sequence}/${session.streamId}-screenshot-${k}-${size}.jpg`;
    const body = {
      app: session.domain,
      appid: session.appid,
      appname: session.appName,
      channel_id: session.streamId,
      create_time: unixSeconds(takenAt),
      event_type: 200,
      file_size: draws.between(20_000, 180_000),
      height: session.height,
      pic_full_url: `${round.story.imageHost}${path}`,
      pic_url: path,
      stream_id: session.streamId,
      stream_param: session.streamParam,
      width: session.width,
      task_id: taskId,
    };
    callbacks.push({ at: takenAt + draws.between(200, 3_000), body, kind: 'ScreenshotTaken', sequence: session.sequence });
  }
  return callbacks;
}

function imageHit(session: SimulatedSession, round: StoryRound, draws: Draws, n: number): TimedCallback {
  const { label, subLabel, type } = draws.pick(IMAGE_LABELS);
  const { suggestion, score } = verdict(draws);
  const takenAt = instantWithin(draws, session.pushedAt + 1_000, sessionEnd(session, round));
  const sentAt = takenAt + draws.between(1_000, 4_000);
  const body = {
    ocrMsg: '',
    type: [type],
    score: [score],
    screenshotTime: unixSeconds(takenAt),
    level: 0,
    img: `${round.story.imageHost}/${session.streamId}/${session.sequence}/moderation-${n}-${session.width}x${session.height}.jpg`,
    abductionRisk: [],
    faceDetails: [],
    sendTime: unixSeconds(sentAt),
    suggestion,
    label,
    subLabel,
    labelResults: [{ HitFlag: 1, Scene: label, Suggestion: suggestion, Label: label, SubLabel: subLabel, Score: score, Details: [{ Id: 0, Name: subLabel, Score: score }] }],
    streamId: session.streamId,
    channelId: session.streamId,
    stream_param: session.streamParam,
    app: session.domain,
    appname: session.appName,
    appid: session.appid,
    event_type: 317,
  };
  return { at: sentAt, body, kind: 'ImageModerationFlagged', sequence: session.sequence };
}

function audioHit(session: SimulatedSession, round: StoryRound, draws: Draws): TimedCallback {
  const hit = draws.pick(AUDIO_HITS);
  const { suggestion, score } = verdict(draws);
  const seconds = draws.pick([10, 15]);
  const heardAt = instantWithin(draws, session.pushedAt + 1_000, sessionEnd(session, round));
  const offset = (heardAt - session.pushedAt) / 1000;
  const body = {
    HitFlag: 1,
    Score: score,
    SubTag: hit.subLabel,
    appid: session.appid,
    asr_text: hit.text,
    cdn_url: '',
    channel_id: session.streamId,
    data: {
      asr_tmp_full_results: [
        {
          appearing_point: [offset, offset + seconds],
          confidence: draws.between(80, 100),
          create_time: unixSeconds(heardAt),
          id: '',
          periods: `00:00:00-00:00:${seconds}`,
          url: `${round.story.imageHost}/${session.streamId}/${session.sequence}/audit-${unixSeconds(heardAt - session.pushedAt)}.wav`,
        },
      ],
    },
    domain: session.domain,
    duration: seconds,
    event_type: 315,
    interface: 'general_callback',
    label: hit.label,
    language_results: [],
    moan_results: [],
    path: session.appName,
    recognition_results: [],
    request_id: draws.uuid(),
    seq: draws.between(1_000_000_000, 4_000_000_000),
    speaker_results: [],
    status: 2,
    stream_id: session.streamId,
    sub_label: hit.subLabel,
    suggestion,
    task_id: draws.between(10_000, 99_999),
    text_results: [{ Keywords: [hit.keyword], Label: hit.label, Score: score, SubLabel: hit.subLabel, Suggestion: suggestion }],
  };
  return { at: heardAt + seconds * 1000 + draws.between(500, 3_000), body, kind: 'AudioModerationFlagged', sequence: session.sequence };
}

/** On a `moderationRate` share of sessions: one or two flagged frames, and half the time flagged speech. */
export function moderationStory(session: SimulatedSession, round: StoryRound): TimedCallback[] {
  const draws = derivedDraws(round.seed, session.index, MODERATION_SALT);
  if (!draws.chance(round.story.moderationRate)) return [];
  const hits = Array.from({ length: draws.between(1, 2) }, (_, n) => imageHit(session, round, draws, n));
  if (draws.chance(0.5)) hits.push(audioHit(session, round, draws));
  return hits;
}
