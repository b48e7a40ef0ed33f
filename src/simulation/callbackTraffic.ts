// Realistic CSS callback traffic from a seed: sessions that push and interrupt (and, in the full story, what CSS tells of them), relay tasks that play files and exit.
import { derivedDraws, drawsFrom, seededRandom } from './seededDraws';
import { sessionStory } from './sessionStory';
import { drawSessions, sessionCallbacks } from './sessionTraffic';
import type { StoryOptions } from './storySession';
import { unixSeconds, type CallbackBody, type TimedCallback } from './timedCallback';

export { seededRandom } from './seededDraws';
export type { CallbackBody, TimedCallback } from './timedCallback';

export interface TrafficOptions {
  seed: number;
  sessions: number;
  relayTasks: number;
  /** Unix seconds of the first event. */
  startTime?: number;
  /** How many distinct stream names sessions draw from. */
  streams?: number;
  /** Share of relay TaskExits sent without task_id, as in CSS's documented example. */
  exitsWithoutTaskId?: number;
  /** The full story: what CSS tells of each session besides its push and interruption; without it, sessions only. */
  story?: StoryOptions;
}

const EXIT_CODES: ReadonlyArray<readonly [code: number, message: string]> = [
  [0, 'task finished.'],
  [-22, 'write packet error.'],
  [-5, 'input/output error.'],
  [-1, 'source not reachable.'],
  [-110, 'connection timed out.'],
];
const ALARMS = ['PullFileUnstable', 'PushStreamUnstable', 'PullFileFailed', 'PushStreamFailed', 'FileEndEarly'];

export function generateTraffic(options: TrafficOptions): TimedCallback[] {
  return generateRound(seededRandom(options.seed), options, { round: 0, firstSession: 0, firstRelayTask: 0 });
}

export interface TrafficRoundsOptions {
  seed: number;
  /** Sessions and relay tasks per round; a round holds the whole timeline of each. */
  sessionsPerRound: number;
  relayTasksPerRound: number;
  streams?: number;
  exitsWithoutTaskId?: number;
  story?: StoryOptions;
}

/**
 * Endless traffic, one round at a time, so a long run never holds more than a round in memory. Round 0
 * is what generateTraffic gives for the same seed and sizes; later rounds number their sessions and
 * relay tasks on from there and start where the previous round's spread ended. Each round is in send
 * order; a round's late callbacks (long pushes, VOD files) may be timed after the next round's first.
 */
export function* trafficRounds(options: TrafficRoundsOptions): Generator<TimedCallback[], never> {
  const sizes = { sessions: options.sessionsPerRound, relayTasks: options.relayTasksPerRound };
  if (sizes.sessions + sizes.relayTasks <= 0) throw new RangeError('a round needs at least one session or relay task');
  let startTime = 1_700_000_000;
  for (let round = 0; ; round++) {
    // Round 0 keeps the seed itself; the others derive theirs from it (golden-ratio step).
    const random = seededRandom(round === 0 ? options.seed : options.seed ^ Math.imul(round, 0x9e3779b1));
    yield generateRound(random, { ...options, ...sizes, startTime }, {
      round,
      firstSession: round * sizes.sessions,
      firstRelayTask: round * sizes.relayTasks,
    });
    startTime += roundSpreadMs(sizes) / 1000;
  }
}

function roundSpreadMs(sizes: { sessions: number; relayTasks: number }): number {
  return Math.max(60_000, (sizes.sessions + sizes.relayTasks) * 50);
}

/** ResetTaskConfig (the task was modified) on this share of relay task runs in the full story. */
const RECONFIGURED_RUNS = 0.2;
const RELAY_STORY_SALT = 600;

function generateRound(
  random: () => number,
  options: TrafficOptions,
  numbering: { round: number; firstSession: number; firstRelayTask: number },
): TimedCallback[] {
  const draws = drawsFrom(random);
  const { pick, between } = draws;
  const start = (options.startTime ?? 1_700_000_000) * 1000;
  const spread = roundSpreadMs(options);
  const streams = options.streams ?? Math.max(1, Math.ceil(options.sessions / 10));
  const story = options.story;
  const sessions = drawSessions(draws, {
    seed: options.seed,
    sessions: options.sessions,
    streams,
    start,
    spread,
    firstSession: numbering.firstSession,
    ...(story === undefined ? {} : { firstStream: numbering.round * streams }),
  });
  const traffic: TimedCallback[] = sessions.flatMap(sessionCallbacks);

  for (let i = numbering.firstRelayTask; i < numbering.firstRelayTask + options.relayTasks; i++) {
    const taskId = String(100000 + options.seed * 1_000_000 + i);
    const sourceUrls = `${JSON.stringify([`http://vod.example.com/live/source_${i}/playlist.m3u8`])}\n`;
    const common = {
      appid: 4,
      event_type: 314,
      interface: 'general_callback',
      product_name: 'pullpush',
      source_urls: sourceUrls,
      stream_id: `relay_${i}`,
      to_url: `rtmp://push.example.com/live/relay_${i}`,
    };
    const relay = (at: number, body: CallbackBody, kind: TimedCallback['kind']) => traffic.push({ at, body, kind });
    const runs: [startedAt: number, exitedAt: number][] = [];
    let at = start + between(0, spread);
    const runCount = between(1, 3);
    for (let run = 0; run < runCount; run++) {
      const startedAt = at;
      relay(at, { ...common, task_id: taskId, callback_event: 'TaskStart', msg: JSON.stringify({ task_start_time: at }) }, 'RelayTaskStarted');
      const files = between(0, 3);
      for (let index = 0; index < files; index++) {
        const duration = between(60, 7200);
        const file = { url: `http://vod.example.com/files/${i}_${index}.mp4`, index, duration };
        at += between(200, 2000);
        relay(at, { ...common, task_id: taskId, callback_event: 'VodSourceFileStart', event_time: String(unixSeconds(at)), msg: JSON.stringify(file) }, 'RelayVodFileStarted');
        at += duration * 1000;
        relay(at, { ...common, task_id: taskId, callback_event: 'VodSourceFileFinish', event_time: String(unixSeconds(at)), msg: JSON.stringify(file) }, 'RelayVodFileFinished');
      }
      if (random() < 0.2) {
        at += between(1000, 60_000);
        const alarm = JSON.stringify({ type: pick(ALARMS), message: 'source unstable' });
        relay(at, { ...common, task_id: taskId, callback_event: 'TaskAlarm', event_time: String(unixSeconds(at)), msg: alarm }, 'RelayTaskAlarmRaised');
      }
      at += between(1000, 600_000);
      const [code, message] = run < runCount - 1 ? EXIT_CODES[1 + between(0, 3)]! : pick(EXIT_CODES);
      const exitMsg = JSON.stringify({ message, code: random() < 0.5 ? code : String(code), task_exit_time: at });
      const withoutId = random() < (options.exitsWithoutTaskId ?? 0.1);
      // The documented TaskExit example carries neither task_id, stream_id nor to_url.
      const exitBody = withoutId
        ? { appid: 4, event_type: 314, interface: 'general_callback', product_name: 'pullpush', source_urls: sourceUrls, callback_event: 'TaskExit', msg: exitMsg }
        : { ...common, task_id: taskId, callback_event: 'TaskExit', msg: exitMsg };
      relay(at, exitBody, 'RelayTaskExited');
      runs.push([startedAt, at]);
      at += between(1000, 30_000);
    }
    if (story !== undefined) {
      // Draws of their own, so the relay traffic of the sessions-only story stays as it is.
      const own = derivedDraws(options.seed, i, RELAY_STORY_SALT);
      for (const [startedAt, exitedAt] of runs) {
        if (!own.chance(RECONFIGURED_RUNS) || exitedAt - startedAt < 2_000) continue;
        const reconfiguredAt = own.between(startedAt + 1_000, exitedAt - 1_000);
        // No msg: the documents give no fields for it.
        relay(reconfiguredAt, { ...common, task_id: taskId, callback_event: 'ResetTaskConfig', event_time: String(unixSeconds(reconfiguredAt)) }, 'RelayTaskReconfigured');
      }
    }
  }

  if (story !== undefined) {
    const round = { seed: options.seed, horizon: traffic.reduce((latest, c) => Math.max(latest, c.at), start), window: spread, story };
    for (const session of sessions) traffic.push(...sessionStory(session, round));
  }
  return traffic.sort((a, b) => a.at - b.at);
}
