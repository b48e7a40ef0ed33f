// Builds ProjectedEvents the way the service does: a callback body through interpretCallback, plus delivery facts.
import { parseCallbackBody, type CallbackPayload } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import type { ProjectedEvent } from '../../src/readmodels/projectedEvent';
import { emptyRelayTask, reduceRelayTask, relayTaskRow, type RelayTaskRow } from '../../src/readmodels/relayTasks/relayTask.reducer';
import { emptySession, reduceSession, sessionRow, type SessionRow } from '../../src/readmodels/sessions/session.reducer';

/** When and where the service got the callback; defaults are fixed so that events are reproducible. */
export interface Delivery {
  /** Milliseconds since the epoch. */
  receivedAt?: number;
  position?: bigint;
}

/** 2024-01-01T00:00:00Z: the default receivedAt, far from the CSS times tests use. */
export const RECEIVED_AT = Date.UTC(2024, 0, 1);

type Body = { [key: string]: unknown };

/** A callback body exactly as CSS would POST it, interpreted by the service's own parser. */
export function fromBody(body: Body, delivery: Delivery = {}): ProjectedEvent {
  return fromSeed(JSON.stringify(body), delivery);
}

/** A raw callback text (a seed example), interpreted by the service's own parser. */
export function fromSeed(raw: string, delivery: Delivery = {}): ProjectedEvent {
  const parsed = parseCallbackBody(raw);
  if (!parsed.ok) throw new Error(`not a callback body: ${parsed.message}`);
  const event = interpretCallback(parsed.payload as CallbackPayload, raw);
  return {
    id: event.id,
    stream: event.stream,
    position: delivery.position ?? 1n,
    receivedAt: delivery.receivedAt ?? RECEIVED_AT,
    type: event.type,
    fields: event.fields,
  } as ProjectedEvent;
}

/** Drops keys whose value is undefined, so that "not given" means "absent" in the body. */
const given = (body: Body): Body => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));

// ---- stream sessions (event_type 1 and 0) ----

export interface SessionCallback {
  sequence: string;
  /** Unix seconds. */
  event_time?: number | string;
  [field: string]: unknown;
}

const sessionBody = (eventType: 0 | 1, callback: SessionCallback): Body =>
  given({
    app: 'test.domain.com',
    appid: 12345678,
    appname: 'live',
    channel_id: 'test_stream',
    stream_id: 'test_stream',
    event_type: eventType,
    ...callback,
  });

/** A push (`event_type` 1) callback. */
export const pushed = (callback: SessionCallback, delivery?: Delivery): ProjectedEvent =>
  fromBody(sessionBody(1, callback), delivery);

/** An interruption (`event_type` 0) callback. */
export const interrupted = (callback: SessionCallback, delivery?: Delivery): ProjectedEvent =>
  fromBody(sessionBody(0, callback), delivery);

// ---- relay tasks (event_type 314) ----

/** Fields beside `msg` that a relay callback may carry; `source_urls` is encoded the way CSS does it. */
export interface RelayCallback {
  /** Unix seconds; sent as a string, as newer CSS versions do. */
  event_time?: number;
  appid?: number | string;
  stream_id?: string;
  source_urls?: string[];
  to_url?: string;
}

export const SOURCE_URLS = ['http://example.com/live/source-a.m3u8', 'http://example.com/live/source-b.m3u8'];
export const TO_URL = 'rtmp://5000.livepush.myqcloud.com/live/testvod';

function relayBody(callbackEvent: string, taskId: string | null, msg: Body, callback: RelayCallback): Body {
  const { event_time, source_urls = SOURCE_URLS, ...outer } = callback;
  return given({
    appid: 4,
    callback_event: callbackEvent,
    event_type: 314,
    interface: 'general_callback',
    product_name: 'pullpush',
    stream_id: 'testvod',
    to_url: TO_URL,
    task_id: taskId ?? undefined,
    ...outer,
    source_urls: `${JSON.stringify(source_urls)}\n`,
    event_time: event_time === undefined ? undefined : String(event_time),
    msg: JSON.stringify(given(msg)),
  });
}

export interface TaskStartCallback extends RelayCallback {
  /** Milliseconds; 0 means not given, as in the documents' examples. */
  task_start_time?: number;
}

/** TaskStart; without task_start_time the msg says `{"task_start_time":0}`, as the documents' examples do. */
export const taskStarted = (taskId: string, callback: TaskStartCallback = {}, delivery?: Delivery): ProjectedEvent => {
  const { task_start_time = 0, ...rest } = callback;
  return fromBody(relayBody('TaskStart', taskId, { task_start_time }, rest), delivery);
};

export interface VodFileCallback extends RelayCallback {
  index?: number | string;
  url?: string;
  /** Seconds. */
  duration?: number | string;
}

function vodFile(callbackEvent: string, taskId: string, callback: VodFileCallback, delivery?: Delivery): ProjectedEvent {
  const { index, url, duration, ...rest } = callback;
  return fromBody(relayBody(callbackEvent, taskId, { url, index, duration }, rest), delivery);
}

export const fileStarted = (taskId: string, callback: VodFileCallback, delivery?: Delivery): ProjectedEvent =>
  vodFile('VodSourceFileStart', taskId, callback, delivery);

export const fileFinished = (taskId: string, callback: VodFileCallback, delivery?: Delivery): ProjectedEvent =>
  vodFile('VodSourceFileFinish', taskId, callback, delivery);

export interface TaskExitCallback extends RelayCallback {
  /** A number or a string, as CSS sends either. */
  code?: number | string;
  message?: string;
  /** Milliseconds; 0 means not given. */
  task_exit_time?: number;
}

/** TaskExit; a null task id leaves `task_id` out, as the documents' example does. */
export const taskExited = (taskId: string | null, callback: TaskExitCallback = {}, delivery?: Delivery): ProjectedEvent => {
  const { code = -22, message = 'write packet error.', task_exit_time = 0, ...rest } = callback;
  return fromBody(relayBody('TaskExit', taskId, { message, code, task_exit_time }, rest), delivery);
};

export interface TaskAlarmCallback extends RelayCallback {
  type?: string;
  message?: string;
}

export const taskAlarm = (taskId: string, callback: TaskAlarmCallback = {}, delivery?: Delivery): ProjectedEvent => {
  const { type = 'PullFileUnstable', message, ...rest } = callback;
  return fromBody(relayBody('TaskAlarm', taskId, { type, message }, rest), delivery);
};

// ---- folds ----

/** The session row of these events, reduced from the empty state (sequence taken from the first session event). */
export function foldSession(events: readonly ProjectedEvent[]): SessionRow {
  const first = events.find((e) => e.type === 'StreamPushed' || e.type === 'StreamInterrupted');
  if (first === undefined || (first.type !== 'StreamPushed' && first.type !== 'StreamInterrupted')) {
    throw new Error('foldSession needs at least one push or interruption');
  }
  return sessionRow(events.reduce(reduceSession, emptySession(first.fields.sequence)));
}

/** The relay task row of these events, reduced from the empty state. */
export function foldRelayTask(taskId: string, events: readonly ProjectedEvent[]): RelayTaskRow {
  return relayTaskRow(events.reduce(reduceRelayTask, emptyRelayTask(taskId)));
}
