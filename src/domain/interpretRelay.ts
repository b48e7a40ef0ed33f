// Relay (`event_type=314`) callbacks: each `callback_event` becomes its event, in the stream of its task.
import { field } from './callbackFields';
import type { CallbackPayload } from './callbackJson';
import type { CallbackEventBody, Interpretation, RelayFields } from './callbackEvents';
import { embeddedObject, givenInteger, identifier, integer, text, urlList } from './fieldValues';
import { relayExitStream, relayTaskStream } from './streamNames';

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
    case 'ResetTaskConfig':
      // The task was modified: the documents give no `msg` fields for it, so `msg` stays as decoded.
      return { type: 'RelayTaskReconfigured', fields: relay };
    case null:
      return { unrecognized: 'relay callback without callback_event' };
    default:
      return { unrecognized: `relay callback_event ${relay.callbackEvent} is not one this service knows` };
  }
}

/** A relay callback in its task's stream; a TaskExit without `task_id` in a stream of its own until it is matched. */
export function interpretRelay(payload: CallbackPayload, id: string): Interpretation {
  const relay = relayFields(payload);
  const body = relayBody(relay);
  if ('unrecognized' in body) {
    // An unknown relay event still belongs to its task when it names one.
    return relay.taskId === null ? body : { ...body, stream: relayTaskStream(relay.taskId) };
  }
  if (relay.taskId !== null) return { ...body, stream: relayTaskStream(relay.taskId) };
  if (body.type === 'RelayTaskExited') return { ...body, stream: relayExitStream(id) };
  return { unrecognized: `relay ${relay.callbackEvent} without task_id` };
}
