// Turns a parsed CSS callback into the domain event it stands for (pure; nothing is ever rejected here).
import type { CallbackPayload, JsonValue } from './callbackJson';
import type { CallbackEvent, CallbackEventBody, RelayFields, SessionFields } from './callbackEvents';
import { callbackEventId } from './eventId';
import { embeddedObject, givenInteger, identifier, integer, text, urlList } from './fieldValues';
import { relayExitStream, relayTaskStream, sessionStream, unrecognizedStream } from './streamNames';

export const EVENT_TYPE_PUSH = '1';
export const EVENT_TYPE_INTERRUPTION = '0';
export const EVENT_TYPE_RELAY = '314';

/** A field under any of its spellings (`appid` in examples, `appId` in some tables). */
function field(payload: CallbackPayload, ...names: string[]): JsonValue | undefined {
  for (const name of names) {
    if (Object.hasOwn(payload, name)) return payload[name];
  }
  return undefined;
}

function sessionFields(payload: CallbackPayload, sequence: string): SessionFields {
  return {
    sequence,
    appId: text(field(payload, 'appid', 'appId')),
    domain: text(payload.app),
    appName: text(payload.appname),
    streamId: text(payload.stream_id),
    channelId: text(payload.channel_id),
    eventTime: givenInteger(payload.event_time),
    node: text(payload.node),
    userIp: text(payload.user_ip),
    streamParam: text(payload.stream_param),
    setId: integer(payload.set_id),
    width: givenInteger(payload.width),
    height: givenInteger(payload.height),
    errcode: integer(payload.errcode),
    subErrcode: integer(payload.sub_errcode),
    errmsg: text(payload.errmsg),
    pushDurationMs: givenInteger(payload.push_duration),
  };
}

function relayFields(payload: CallbackPayload): RelayFields {
  return {
    taskId: identifier(payload.task_id),
    appId: text(field(payload, 'appid', 'appId')),
    callbackEvent: text(payload.callback_event),
    streamId: text(payload.stream_id),
    sourceUrls: urlList(payload.source_urls),
    toUrl: text(payload.to_url),
    eventTime: givenInteger(payload.event_time),
    msg: embeddedObject(payload.msg),
  };
}

function relayBody(relay: RelayFields): CallbackEventBody | { unrecognized: string } {
  const msg = relay.msg ?? {};
  switch (relay.callbackEvent) {
    case 'TaskStart':
      return { type: 'RelayTaskStarted', fields: { ...relay, taskStartTime: givenInteger(msg.task_start_time) } };
    case 'VodSourceFileStart':
    case 'VodSourceFileFinish': {
      const file = { url: text(msg.url), index: integer(msg.index), durationSeconds: integer(msg.duration) };
      const type = relay.callbackEvent === 'VodSourceFileStart' ? 'RelayVodFileStarted' : 'RelayVodFileFinished';
      return { type, fields: { ...relay, file } };
    }
    case 'TaskExit':
      return {
        type: 'RelayTaskExited',
        fields: {
          ...relay,
          exitCode: integer(msg.code),
          exitMessage: text(msg.message),
          taskExitTime: givenInteger(msg.task_exit_time),
        },
      };
    case 'TaskAlarm':
      return {
        type: 'RelayTaskAlarmRaised',
        fields: { ...relay, alarmType: text(msg.type), alarmMessage: text(msg.message) },
      };
    case null:
      return { unrecognized: 'relay callback without callback_event' };
    default:
      return { unrecognized: `relay callback_event ${relay.callbackEvent} is not one this service knows` };
  }
}

/** Decides type and stream of a callback; `raw` is the body exactly as received. */
export function interpretCallback(payload: CallbackPayload, raw: string): CallbackEvent {
  const id = callbackEventId(payload);
  const eventType = text(payload.event_type);
  const unrecognized = (reason: string, stream = unrecognizedStream(id)): CallbackEvent => ({
    id,
    stream,
    raw,
    type: 'UnrecognizedCallbackReceived',
    fields: { eventType, callbackEvent: text(payload.callback_event), reason },
  });

  if (eventType === EVENT_TYPE_PUSH || eventType === EVENT_TYPE_INTERRUPTION) {
    const sequence = identifier(payload.sequence);
    if (sequence === null) return unrecognized(`event_type ${eventType} without a usable sequence`);
    const type = eventType === EVENT_TYPE_PUSH ? 'StreamPushed' : 'StreamInterrupted';
    return { id, stream: sessionStream(sequence), raw, type, fields: sessionFields(payload, sequence) };
  }

  if (eventType === EVENT_TYPE_RELAY) {
    const relay = relayFields(payload);
    const body = relayBody(relay);
    if ('unrecognized' in body) {
      // An unknown relay event still belongs to its task when it names one.
      return unrecognized(body.unrecognized, relay.taskId === null ? undefined : relayTaskStream(relay.taskId));
    }
    if (relay.taskId !== null) return { id, stream: relayTaskStream(relay.taskId), raw, ...body };
    if (body.type === 'RelayTaskExited') return { id, stream: relayExitStream(id), raw, ...body };
    return unrecognized(`relay ${relay.callbackEvent} without task_id`);
  }

  return unrecognized(eventType === null ? 'no event_type' : `event_type ${eventType} is not one this service models`);
}
