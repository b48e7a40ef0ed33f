// The rarer callbacks of CSS's analysis features on a session: monitoring (328), subtitles (338), quality (343-345), smart erasure (347), summary (348), highlights (349).
import type { CallbackEventType } from '../domain/callbackEvents';
import { derivedDraws, type Draws } from './seededDraws';
import { instantWithin, newerPlace, sessionEnd, type SimulatedSession, type StoryRound } from './storySession';
import { unixSeconds, type CallbackBody, type TimedCallback } from './timedCallback';

const SALT = 500;

const SPOKEN = [
  'Today we look at the new spring collection, starting with the linen shirts.',
  'Link number one is back in stock, and the price holds until midnight.',
  'Thanks for joining, remember to follow the channel for tomorrow’s show.',
] as const;

interface Moment {
  session: SimulatedSession;
  round: StoryRound;
  draws: Draws;
  /** Unix ms: when it happened, within the session. */
  at: number;
}

type Analysis = (moment: Moment) => { body: CallbackBody; kind: CallbackEventType; sentAt: number };

/** A line heard for 3 to 8 s up to the moment, as the stream text callbacks give it: audio timestamps (ms) and Unix seconds. */
function spokenLine({ session, draws, at }: Moment) {
  const from = Math.max(session.pushedAt, at - draws.between(3_000, 8_000));
  return {
    src_txt: draws.pick(SPOKEN),
    start_pts: from - session.pushedAt,
    end_pts: at - session.pushedAt,
    start_unix_time: unixSeconds(from),
    end_unix_time: unixSeconds(at),
  };
}

function frames(moment: Moment, count: number, low: number, high: number) {
  return Array.from({ length: count }, (_, k) => ({ score: moment.draws.between(low * 100, high * 100) / 100, time: moment.at - (count - 1 - k) * 1_000 }));
}

const quality = ({ session, at }: Moment, kind: string, fn: string) => ({
  appid: session.appid,
  appname: session.appName,
  domain: session.domain,
  stream_id: session.streamId,
  event_time: unixSeconds(at),
  transcode_template_id: 120_000 + (session.appid % 1000),
  function: fn,
  class: kind,
});

const ANALYSES: readonly Analysis[] = [
  ({ session, at }) => ({
    body: { ...newerPlace(session), event_type: 328, interface: 'general_callback', event_time: unixSeconds(at) },
    kind: 'StreamMonitoringReported',
    sentAt: at,
  }),
  (moment) => {
    const line = { ...spokenLine(moment), steady_state: true };
    const body = { event_type: 338, stream_id: moment.session.streamId, channel_id: moment.session.streamId, task_id: moment.draws.digits(7), data: { subtitle_tmp_res: [line] } };
    return { body, kind: 'SubtitlesGenerated', sentAt: line.end_unix_time * 1000 + 1_000 };
  },
  (moment) => {
    const body = { event_type: 343, ...quality(moment, moment.draws.pick(['Blur', 'Mosaic', 'Jitter', 'LowLighting']), 'QualityControl'), score: moment.draws.between(3000, 6000) / 100 };
    return { body: { ...body, watermark_template_id: body.transcode_template_id + 1 }, kind: 'QualityIssueDetected', sentAt: moment.at };
  },
  (moment) => ({
    body: { event_type: 344, ...quality(moment, 'PSNR', 'Assessment'), frames: frames(moment, 2, 20, 35) },
    kind: 'QualityThresholdBreached',
    sentAt: moment.at,
  }),
  (moment) => {
    const scored = frames(moment, 3, 25, 45);
    const scores = scored.map((f) => f.score);
    const average = Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 1000) / 1000;
    const body = { event_type: 345, ...quality(moment, 'PSNR', 'Assessment'), frames: scored, average_score: average, max_score: Math.max(...scores), min_score: Math.min(...scores) };
    return { body, kind: 'QualityScoreReported', sentAt: moment.at };
  },
  (moment) => {
    const line = spokenLine(moment);
    const keyword = { begin_time: line.start_pts + 500, end_time: line.start_pts + 1_800, word: 'Link number one' };
    const body = { event_type: 347, stream_id: moment.session.streamId, channel_id: moment.session.streamId, task_id: moment.draws.digits(7), data: { subtitle_tmp_res: [{ ...line, keywords_info: [keyword] }] } };
    return { body, kind: 'SmartErasureApplied', sentAt: line.end_unix_time * 1000 + 1_000 };
  },
  ({ session, draws, at }) => {
    const began = Math.max(session.pushedAt, at - draws.between(60_000, 600_000));
    const body = {
      event_type: 348,
      ...newerPlace(session),
      begin_time: unixSeconds(began),
      end_time: unixSeconds(at),
      title: 'Spring collection live sale',
      summary: 'The host presented the spring collection, answered questions on sizes and announced a limited discount.',
      key_words: ['spring collection', 'discount', 'sizes'],
      key_points: ['Linen shirts back in stock', 'Discount until midnight'],
    };
    return { body, kind: 'StreamSummaryGenerated', sentAt: at + draws.between(5_000, 30_000) };
  },
  ({ session, draws, at }) => {
    const began = Math.max(session.pushedAt, at - draws.between(15_000, 60_000));
    const clip = `${session.domain}/${session.appName}/${session.streamId}/${session.sequence}-${unixSeconds(at - session.pushedAt)}.mp4`;
    const item = {
      begin_time: unixSeconds(began),
      end_time: unixSeconds(at),
      title: 'Link number one on flash sale',
      summary: 'The host cut the price of the linen shirts for the next ten minutes.',
      video_store_url: `https://highlights-${session.appid}.cos.example.com/SmartHighlights/${clip}`,
      cov_img_store_url: '',
      key_words: ['flash sale', 'linen shirts'],
    };
    return { body: { event_type: 349, ...newerPlace(session), items: [item] }, kind: 'HighlightsGenerated', sentAt: at + draws.between(5_000, 30_000) };
  },
];

/** On an `analysisRate` share of sessions, one callback of one of these features at some moment of the session. */
export function analysisStory(session: SimulatedSession, round: StoryRound): TimedCallback[] {
  const draws = derivedDraws(round.seed, session.index, SALT);
  if (!draws.chance(round.story.analysisRate)) return [];
  const analysis = draws.pick(ANALYSES);
  const end = sessionEnd(session, round);
  // Late enough in the session for the spans some of them look back on.
  const at = instantWithin(draws, Math.min(end, session.pushedAt + 20_000), end);
  const { body, kind, sentAt } = analysis({ session, round, draws, at });
  return [{ at: Math.max(sentAt, at), body, kind, sequence: session.sequence }];
}
