import { parseCallbackBody, type CallbackPayload } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import { seedExamples } from '../support/seedExamples';

function payloadOf(raw: string): CallbackPayload {
  const parsed = parseCallbackBody(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.payload;
}
const interpret = (raw: string) => interpretCallback(payloadOf(raw), raw);
const interpretObject = (body: object) => interpret(JSON.stringify(body));

describe('interpretCallback on the CSS documents examples', () => {
  const examples = seedExamples();

  it.each(examples.map((e, i) => [i, e.source, e.raw] as const))('example %i of %s keeps its body exactly', (_i, _s, raw) => {
    expect(interpret(raw).raw).toBe(raw);
  });

  it('the push example becomes StreamPushed in its session stream with every field read', () => {
    const push = examples.find((e) => e.raw.includes('"sequence"'))!;
    const event = interpret(push.raw);
    expect(event.type).toBe('StreamPushed');
    expect(event.stream).toBe('session-6674468118806626493');
    expect(event.fields).toEqual({
      sequence: '6674468118806626493',
      appId: '12345678',
      domain: 'test.domain.com',
      appName: 'live',
      streamId: 'test_stream',
      channelId: 'test_stream',
      eventTime: 1545115790,
      node: '100.121.160.92',
      userIp: '119.29.94.245',
      streamParam: 'stream_param=test',
      setId: null,
      width: null,
      height: null,
      errcode: 0,
      subErrcode: null,
      errmsg: 'ok',
      pushDurationMs: null,
    });
  });

  it('relay examples map to their event types and task streams', () => {
    const relay = examples.filter((e) => e.raw.includes('"callback_event"')).map((e) => interpret(e.raw));
    expect(relay).toHaveLength(16);
    const summary = new Set(relay.map((e) => `${e.type} ${e.stream.replace(/-[0-9a-f-]{36}$/, '-<event id>')}`));
    expect([...summary].sort()).toEqual([
      'RelayTaskExited relayexit-<event id>',
      'RelayTaskStarted relaytask-118148',
      'RelayVodFileFinished relaytask-118145',
      'RelayVodFileStarted relaytask-118145',
    ]);
  });

  it('TaskStart reads source_urls from the JSON string and treats task_start_time 0 as not given', () => {
    const start = interpret(examples.find((e) => e.raw.includes('"TaskStart"') && e.raw.includes('"testvod"'))!.raw);
    expect(start.type).toBe('RelayTaskStarted');
    expect(start.fields).toMatchObject({
      taskId: '118148',
      appId: '4',
      streamId: 'testvod',
      sourceUrls: ['http://yourURL.cn/live/normal_230753472*****21162358-upload-45eb/playlist.m3u8'],
      toUrl: 'rtmp://5000.livepush.myqcloud.com/live/testvod',
      taskStartTime: null,
    });
  });

  it('VodSourceFileStart reads index and duration (seconds) from msg', () => {
    const file = interpret(examples.find((e) => e.raw.includes('"VodSourceFileStart"'))!.raw);
    expect(file.type).toBe('RelayVodFileStarted');
    expect(file.fields).toMatchObject({
      file: {
        url: 'http://remit-tx-ugcpub.douyucdn2.cn/live/normal_466247620*****3100448-upload-216b/playlist.m3u8',
        index: 0,
        durationSeconds: 14920,
      },
    });
  });

  it('TaskExit without task_id keeps its code, message and source and gets a stream of its own', () => {
    const exit = interpret(examples.find((e) => e.raw.includes('"TaskExit"'))!.raw);
    expect(exit.type).toBe('RelayTaskExited');
    expect(exit.stream).toBe(`relayexit-${exit.id}`);
    expect(exit.fields).toMatchObject({
      taskId: null,
      streamId: null,
      toUrl: null,
      exitCode: -22,
      exitMessage: 'write packet error.',
      taskExitTime: null,
      sourceUrls: ['http://yourURL.cn/live/normal_230753472*****21162358-upload-4'],
    });
  });

  it('an example repeated across documents is one event', () => {
    const ids = new Set(examples.map((e) => interpret(e.raw).id));
    // 17 examples: the push, and four relay callbacks written with stream_id "" in one document
    // and "testvod" in three (TaskExit carries no stream_id, so its four copies are one event).
    expect(ids.size).toBe(8);
  });
});

describe('interpretCallback on shapes beyond the examples', () => {
  const interruption = {
    event_type: '0',
    appId: '12345678',
    app: 'test.domain.com',
    appname: 'live',
    stream_id: 'test_stream',
    sequence: '6674468118806626493',
    errcode: '18',
    sub_errcode: 313,
    errmsg: 'recv rtmp deleteStream',
    push_duration: '61234',
    event_time: '1545115850',
    set_id: 2,
    width: 1280,
    height: 720,
    idc_id: 38,
  };

  it('reads an interruption with appId spelling, string numbers and newer fields', () => {
    const event = interpretObject(interruption);
    expect(event.type).toBe('StreamInterrupted');
    expect(event.stream).toBe('session-6674468118806626493');
    expect(event.fields).toMatchObject({
      appId: '12345678',
      errcode: 18,
      subErrcode: 313,
      pushDurationMs: 61234,
      eventTime: 1545115850,
      setId: 2,
      width: 1280,
      height: 720,
    });
  });

  it('a sequence sent as a JSON number keeps all its digits in the stream name', () => {
    const raw = '{"event_type":1,"sequence":6674468118806626493,"stream_id":"s"}';
    expect(interpret(raw).stream).toBe('session-6674468118806626493');
  });

  it('TaskExit with task_id and a string code lands in the task stream', () => {
    const event = interpretObject({
      event_type: 314,
      callback_event: 'TaskExit',
      task_id: '118148',
      msg: JSON.stringify({ code: '-22', message: 'write packet error.', task_exit_time: 1712893433000 }),
      event_time: '1712893433',
    });
    expect(event.stream).toBe('relaytask-118148');
    expect(event.fields).toMatchObject({ exitCode: -22, taskExitTime: 1712893433000, eventTime: 1712893433 });
  });

  it.each(['PullFileUnstable', 'PushStreamUnstable', 'PullFileFailed', 'PushStreamFailed', 'FileEndEarly'])(
    'TaskAlarm %s becomes RelayTaskAlarmRaised',
    (alarmType) => {
      const event = interpretObject({
        event_type: 314,
        callback_event: 'TaskAlarm',
        task_id: '7',
        msg: JSON.stringify({ type: alarmType, message: 'source unstable' }),
      });
      expect(event.type).toBe('RelayTaskAlarmRaised');
      expect(event.stream).toBe('relaytask-7');
      expect(event.fields).toMatchObject({ alarmType, alarmMessage: 'source unstable' });
    },
  );

  it.each([
    [{ event_type: 100, stream_id: 's', file_id: 'f' }, /event_type 100 is not one this service models/],
    [{ event_type: 200, pic_url: '/x.jpg' }, /event_type 200/],
    [{ event_type: 321, stream_id: 's' }, /event_type 321/],
    [{ stream_id: 's' }, /no event_type/],
    [{ event_type: 1, stream_id: 's' }, /event_type 1 without a usable sequence/],
    [{ event_type: 314, callback_event: 'TaskStart' }, /relay TaskStart without task_id/],
  ])('keeps %j as an unrecognized callback in a stream of its own', (body, reason) => {
    const event = interpretObject(body);
    expect(event.type).toBe('UnrecognizedCallbackReceived');
    expect(event.stream).toBe(`unrecognized-${event.id}`);
    expect(event.fields).toMatchObject({ reason: expect.stringMatching(reason) });
  });

  it('an unknown relay callback_event that names its task stays with the task', () => {
    const event = interpretObject({ event_type: 314, callback_event: 'TaskPaused', task_id: '9' });
    expect(event.type).toBe('UnrecognizedCallbackReceived');
    expect(event.stream).toBe('relaytask-9');
    expect(event.fields).toMatchObject({ eventType: '314', callbackEvent: 'TaskPaused' });
  });

  it('wrong types in every field never throw', () => {
    const event = interpretObject({
      event_type: 314,
      callback_event: 'TaskExit',
      task_id: { nested: true },
      source_urls: 42,
      msg: [1, 2],
      appid: null,
    });
    expect(event.type).toBe('RelayTaskExited');
    expect(event.fields).toMatchObject({ taskId: null, sourceUrls: [], exitCode: null, appId: null });
  });
});
