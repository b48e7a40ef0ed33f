// Where the instants of a generated callback are, and in which unit, so a round can be moved in time as a whole.
import type { CallbackBody } from './timedCallback';

/**
 * Each instant a generated callback may carry, as a path (`[]`: every item of a list; `msg` is JSON in a
 * string). Durations, audio timestamps (`start_pts`, a keyword's `begin_time`) and `_usec` fractions are
 * not instants and stay. A path missing from a body is skipped.
 */
const SECONDS = [
  'event_time',
  'start_time',
  'end_time',
  'begin_time',
  'create_time',
  'screenshotTime',
  'sendTime',
  'timestamp',
  'items[].begin_time',
  'items[].end_time',
  'data.asr_tmp_full_results[].create_time',
  'data.subtitle_tmp_res[].start_unix_time',
  'data.subtitle_tmp_res[].end_unix_time',
];
const MILLISECONDS = ['data_time', 'abnormal_event[].detail[].occur_time', 'frames[].time', 'msg.task_start_time', 'msg.task_exit_time'];

/** JSON inside a string: decoded to move its times, encoded again only when one moved (else kept byte for byte). */
const EMBEDDED = new Set(['msg']);

const paths = (list: string[]) => list.map((path) => path.split('.'));
const TIME_PATHS: readonly { steps: string[]; perMs: number }[] = [
  ...paths(SECONDS).map((steps) => ({ steps, perMs: 1 / 1000 })),
  ...paths(MILLISECONDS).map((steps) => ({ steps, perMs: 1 })),
];

/** A time kept as CSS sent it (number or numeric string) moved by `delta`; 0 means "not given" and stays. */
function shifted(value: unknown, delta: number): unknown {
  if (typeof value === 'number' && value !== 0) return value + delta;
  if (typeof value === 'string' && /^\d+$/.test(value) && value !== '0') return String(Number(value) + delta);
  return value;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function decoded(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined; // not JSON: nothing to move in it
  }
}

/** `value` with the time at `steps` moved; the same value (===) when there is none there. */
function shiftAt(value: unknown, steps: readonly string[], delta: number): unknown {
  const [step, ...rest] = steps as [string, ...string[]];
  const list = step.endsWith('[]');
  const name = list ? step.slice(0, -2) : step;
  if (!isRecord(value) || !Object.hasOwn(value, name)) return value;
  const inner = value[name];
  const embedded = EMBEDDED.has(name) ? decoded(inner) : undefined;
  const target = embedded ?? inner;
  let moved: unknown;
  if (rest.length === 0) moved = shifted(target, delta);
  else if (list) moved = Array.isArray(target) ? target.map((item) => shiftAt(item, rest, delta)) : target;
  else moved = shiftAt(target, rest, delta);
  if (list && Array.isArray(target) && Array.isArray(moved) && moved.every((item, i) => item === target[i])) return value;
  if (moved === target) return value;
  return { ...value, [name]: embedded === undefined ? moved : JSON.stringify(moved) };
}

/**
 * The same callback `offsetMs` later (a whole number of seconds, so second and millisecond times stay
 * consistent): every instant at its place in TIME_PATHS, in its unit. Durations are intervals and stay.
 */
export function shiftCallbackTimes(body: CallbackBody, offsetMs: number): CallbackBody {
  if (offsetMs % 1000 !== 0) throw new RangeError(`offset must be whole seconds, got ${offsetMs} ms`);
  let shiftedBody: unknown = body;
  for (const { steps, perMs } of TIME_PATHS) shiftedBody = shiftAt(shiftedBody, steps, offsetMs * perMs);
  return shiftedBody === body ? { ...body } : (shiftedBody as CallbackBody);
}
