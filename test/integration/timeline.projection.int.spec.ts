// The timeline projection against a real read-model file: every event of a stream in time order, tied to its session whatever the arrival order.
import { timelineProjection } from '../../src/readmodels/timeline/timeline.projection';
import { callback, projectionSpec } from '../support/projectionSpec';

const T = 1_700_000_000; // unix seconds
const place = { app: 'live.example.com', appname: 'live', stream_id: 'cam' };
const push = { event_type: 1, sequence: '6674468118806626493', ...place, event_time: T, node: '100.121.160.92' };
const interruption = { ...push, event_type: 0, event_time: T + 3600, errcode: 18, sub_errcode: 401, errmsg: 'ip not allowed', push_duration: '3600000' };
const recording = { event_type: 100, ...place, file_id: 'f1', file_format: 'hls', start_time: T, end_time: T + 3599, duration: 3600, video_url: 'http://vod.example.com/f1.m3u8' };
const screenshot = { event_type: 200, ...place, create_time: T + 60, pic_full_url: 'http://img.example.com/1.jpg', width: 1280, height: 720 };
const anomalies = { event_type: 321, sequence: push.sequence, data_time: (T + 30) * 1000, abnormal_event: [{ type: 6, count: 2 }] };

const ms = (seconds: number) => seconds * 1000;
const SESSION = push.sequence;

describe('timeline projection', () => {
  const spec = projectionSpec(timelineProjection);
  const story = [callback(push), callback(anomalies), callback(screenshot), callback(recording), callback(interruption)];
  const told = [
    { kind: 'StreamPushed', at: ms(T), sequence: SESSION, streamId: 'cam', domain: 'live.example.com', summary: 'pushed cam' },
    { kind: 'PushAnomaliesReported', at: ms(T + 30), sequence: SESSION, summary: 'push anomaly report: 2 × video frames arrived late (over 3 s apart)' },
    { kind: 'ScreenshotTaken', at: ms(T + 60), sequence: SESSION, summary: 'screenshot 1280×720' },
    { kind: 'RecordingFileGenerated', at: ms(T + 3599), sequence: SESSION, summary: 'recording file of 3,600 s ready (HLS)' },
    { kind: 'StreamInterrupted', at: ms(T + 3600), sequence: SESSION, summary: expect.stringMatching(/^interrupted after 3,600 s: errcode 18\/401, /) },
  ];
  const byTime = (result: { rows(table: string): Array<Record<string, unknown>> }) =>
    result.rows('timeline_entries').sort((a, b) => Number(a.at) - Number(b.at) || Number(a.position) - Number(b.position));

  it('ties a fact stored before the file was closed when the push comes after it opened again', () => {
    spec
      .given(callback(screenshot))
      .when([callback(push)], { reopened: true })
      .then(({ rows }) => expect(rows('timeline_entries')).toContainEqual(expect.objectContaining({ kind: 'ScreenshotTaken', sequence: SESSION })));
  });

  it('tells every event of a session in one line, each tied to it', () => {
    spec.given().when(story).then((result) => expect(byTime(result)).toMatchObject(told));
  });

  it('ties facts that arrive before their push when the push arrives, and holds each event once when it arrives twice', () => {
    spec.given().when(story, { order: 'reversed' }).then((result) => expect(byTime(result)).toMatchObject(told));
    spec.given().when(story, { times: 2 }).then((result) => expect(byTime(result)).toMatchObject(told));
  });

  it('keeps a fact that matches no session, tied to none, under its stream', () => {
    const elsewhere = { ...screenshot, create_time: T + 7200 };
    spec.given(callback(push), callback(interruption)).when([callback(elsewhere)]).then((result) =>
      expect(byTime(result)).toMatchObject([
        { kind: 'StreamPushed', sequence: SESSION },
        { kind: 'StreamInterrupted', sequence: SESSION },
        { kind: 'ScreenshotTaken', sequence: null, streamId: 'cam', domain: 'live.example.com' },
      ]),
    );
  });

  it('unties a fact from a live session when the interruption shows it came after its end', () => {
    const late = { ...screenshot, create_time: T + 3600 + 60 };
    spec.given(callback(push), callback(late)).when([callback(interruption)]).then((result) => {
      expect(result.rows('timeline_entries').find((row) => row.kind === 'ScreenshotTaken')).toMatchObject({ sequence: null });
    });
    spec.given(callback(push)).when([callback(late)]).then((result) => {
      expect(result.rows('timeline_entries').find((row) => row.kind === 'ScreenshotTaken')).toMatchObject({ sequence: SESSION });
    });
  });

  it('places an anomaly report that names no stream once its session is known', () => {
    spec.given(callback(anomalies)).when([callback(push)]).then((result) => {
      expect(result.rows('timeline_entries').find((row) => row.kind === 'PushAnomaliesReported')).toMatchObject({ streamId: 'cam', domain: 'live.example.com', sequence: SESSION });
    });
  });

  it('leaves relay tasks out: they are not about a pushed stream', () => {
    const relay = { event_type: 314, appid: 4, callback_event: 'TaskStart', task_id: 'task-1', stream_id: 'cam', msg: '{"task_start_time":0}' };
    spec.given().when([callback(relay)]).then({ timeline_entries: [] });
  });
});
