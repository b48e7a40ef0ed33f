// Realistic CSS callback traffic from a seed: sessions that push and interrupt, relay tasks that play files and exit.
import { INTERRUPTION_CAUSES } from '../domain/errcodeCatalogue';

/** A small seeded PRNG (mulberry32): the same seed gives the same traffic on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
}

export type CallbackBody = Record<string, unknown>;

/** A callback and the instant (unix ms) it is sent at; `send` order is chronological. */
export interface TimedCallback {
  at: number;
  body: CallbackBody;
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
  return generateRound(seededRandom(options.seed), options, { firstSession: 0, firstRelayTask: 0 });
}

export interface TrafficRoundsOptions {
  seed: number;
  /** Sessions and relay tasks per round; a round holds the whole timeline of each. */
  sessionsPerRound: number;
  relayTasksPerRound: number;
  streams?: number;
  exitsWithoutTaskId?: number;
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
      firstSession: round * sizes.sessions,
      firstRelayTask: round * sizes.relayTasks,
    });
    startTime += roundSpreadMs(sizes) / 1000;
  }
}

function roundSpreadMs(sizes: { sessions: number; relayTasks: number }): number {
  return Math.max(60_000, (sizes.sessions + sizes.relayTasks) * 50);
}

function generateRound(
  random: () => number,
  options: TrafficOptions,
  numbering: { firstSession: number; firstRelayTask: number },
): TimedCallback[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const start = (options.startTime ?? 1_700_000_000) * 1000;
  const spread = roundSpreadMs(options);
  const streams = options.streams ?? Math.max(1, Math.ceil(options.sessions / 10));
  const traffic: TimedCallback[] = [];
  const interruptions = INTERRUPTION_CAUSES.filter((c) => c.errcode !== 0);

  for (let i = numbering.firstSession; i < numbering.firstSession + options.sessions; i++) {
    // 19-digit sequences, as CSS sends them: beyond what a double holds exactly.
    const sequence = `66${String(options.seed % 1000).padStart(3, '0')}${String(i).padStart(14, '0')}`;
    const pushedAt = start + between(0, spread);
    const durationMs = between(5_000, 3_600_000);
    const streamId = `stream_${between(1, streams)}`;
    const common = {
      app: `push${between(1, 3)}.example.com`,
      appid: 1250000000 + between(1, 5),
      appname: 'live',
      stream_id: streamId,
      channel_id: streamId,
      sequence,
      node: `100.121.${between(0, 255)}.${between(0, 255)}`,
      user_ip: `119.29.${between(0, 255)}.${between(0, 255)}`,
      stream_param: `txSecret=${between(1e5, 9e5)}&txTime=${(pushedAt / 1000 + 86400).toString(16)}`,
      set_id: between(1, 10),
    };
    traffic.push({ at: pushedAt, body: { ...common, event_type: 1, event_time: Math.floor(pushedAt / 1000), errcode: 0, errmsg: 'ok', width: 1280, height: 720 } });
    if (random() < 0.9) {
      const cause = pick(interruptions);
      const endedAt = pushedAt + durationMs;
      traffic.push({
        at: endedAt,
        body: {
          ...common,
          event_type: 0,
          event_time: Math.floor(endedAt / 1000),
          errcode: cause.errcode,
          ...(cause.subErrcode === 0 ? {} : { sub_errcode: cause.subErrcode }),
          errmsg: cause.reason,
          push_duration: String(durationMs),
        },
      });
    }
  }

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
    let at = start + between(0, spread);
    const runs = between(1, 3);
    for (let run = 0; run < runs; run++) {
      traffic.push({ at, body: { ...common, task_id: taskId, callback_event: 'TaskStart', msg: JSON.stringify({ task_start_time: at }) } });
      const files = between(0, 3);
      for (let index = 0; index < files; index++) {
        const duration = between(60, 7200);
        const file = { url: `http://vod.example.com/files/${i}_${index}.mp4`, index, duration };
        at += between(200, 2000);
        traffic.push({ at, body: { ...common, task_id: taskId, callback_event: 'VodSourceFileStart', event_time: String(Math.floor(at / 1000)), msg: JSON.stringify(file) } });
        at += duration * 1000;
        traffic.push({ at, body: { ...common, task_id: taskId, callback_event: 'VodSourceFileFinish', event_time: String(Math.floor(at / 1000)), msg: JSON.stringify(file) } });
      }
      if (random() < 0.2) {
        at += between(1000, 60_000);
        traffic.push({ at, body: { ...common, task_id: taskId, callback_event: 'TaskAlarm', event_time: String(Math.floor(at / 1000)), msg: JSON.stringify({ type: pick(ALARMS), message: 'source unstable' }) } });
      }
      at += between(1000, 600_000);
      const [code, message] = run < runs - 1 ? EXIT_CODES[1 + between(0, 3)]! : pick(EXIT_CODES);
      const exitMsg = JSON.stringify({ message, code: random() < 0.5 ? code : String(code), task_exit_time: at });
      const withoutId = random() < (options.exitsWithoutTaskId ?? 0.1);
      // The documented TaskExit example carries neither task_id, stream_id nor to_url.
      const exitBody = withoutId
        ? { appid: 4, event_type: 314, interface: 'general_callback', product_name: 'pullpush', source_urls: sourceUrls, callback_event: 'TaskExit', msg: exitMsg }
        : { ...common, task_id: taskId, callback_event: 'TaskExit', msg: exitMsg };
      traffic.push({ at, body: exitBody });
      at += between(1000, 30_000);
    }
  }
  return traffic.sort((a, b) => a.at - b.at);
}
