// One line per event for a timeline, for every event type.
import { CallbackEventType } from '../../src/domain/callbackEvents';
import { grouped, summarize } from '../../src/domain/summarize';
import { callbackTypeFixture, callbackTypeFixtures, interpretBody, interpretRaw } from '../support/callbackTypeFixtures';
import { seedExamples } from '../support/seedExamples';

const ofFixture = (name: string) => summarize(interpretRaw(callbackTypeFixture(name).raw));
const ofBody = (body: object) => summarize(interpretBody(body));

describe('summarize', () => {
  it.each([
    ['recording-file', 'recording file of 154 s ready (HLS)'],
    ['recording-file-2021', 'recording file of 2,962 s ready (HLS)'],
    ['recording-status', 'recording ended (HLS, relay recording)'],
    ['recording-exception', 'recording exception (info): video timestamps uneven × 4'],
    ['screenshot', 'screenshot 1280×720'],
    ['image-moderation', 'moderation: Block (porn, score 99)'],
    ['image-moderation-2020', 'moderation: hit (type 2)'],
    ['audio-moderation', 'audio moderation: Block (ad, score 96)'],
    ['push-anomalies', 'push anomaly report: 2 × video frames arrived late (over 3 s apart), 2 × audio frames arrived late (over 1 s apart)'],
    ['relay-reset-task-config', 'relay task reconfigured'],
    ['monitoring', 'monitoring report'],
    ['subtitles', 'subtitles: 1 line, “Today we shall delve into the study of linear equations in …”'],
    ['quality-issue', 'quality issue: Blur (score 44.2)'],
    ['quality-threshold', 'quality below threshold: PSNR, 2 frames, lowest 22.78'],
    ['quality-score', 'quality evaluation: PSNR average 27.77 (22.78–32.75)'],
    ['smart-erasure', 'smart erasure: 1 keyword silenced'],
    ['summary', 'summary: Live broadcast promoting coarse cloth bedding from XX province'],
    ['highlights', 'highlights: 1 clip, “Bed sheets on flash sale, price reduced by 25 yuan!”'],
  ])('%s: %s', (name, line) => {
    expect(ofFixture(name)).toBe(line);
  });

  it.each([
    [{ event_type: 1, sequence: '1', stream_id: 'cam1', width: 1280, height: 720 }, 'pushed cam1, 1280×720'],
    [{ event_type: 0, sequence: '1', errcode: 18, sub_errcode: 401 }, "interrupted: errcode 18/401, the pusher's IP is not on the allow list"],
    [{ event_type: 0, sequence: '1', errcode: '1', push_duration: '3600400' }, 'interrupted after 3,600 s: errcode 1, the pusher stopped the stream'],
    [{ event_type: 0, sequence: '1', errcode: 77, errmsg: 'new cause' }, 'interrupted: errcode 77, new cause'],
    [{ event_type: 0, sequence: '1' }, 'interrupted'],
    [{ event_type: 314, task_id: '7', callback_event: 'TaskStart' }, 'relay task started'],
    [{ event_type: 314, task_id: '7', callback_event: 'VodSourceFileStart', msg: '{"index":0,"duration":14920}' }, 'relay file 0 started (14,920 s)'],
    [{ event_type: 314, task_id: '7', callback_event: 'VodSourceFileFinish', msg: '{}' }, 'relay file finished'],
    [{ event_type: 314, callback_event: 'TaskExit', msg: '{"code":-22,"message":"write packet error."}' }, 'relay task exited: code -22, write packet error.'],
    [{ event_type: 314, task_id: '7', callback_event: 'TaskAlarm', msg: '{"type":"PullFileUnstable"}' }, 'relay alarm: PullFileUnstable'],
    [{ event_type: 9999 }, 'unrecognized callback: event_type 9999 is not one this service models'],
  ])('%j: %s', (body, line) => {
    expect(ofBody(body)).toBe(line);
  });

  it('counts push anomalies of one type together, the meaning from the catalogue or else as CSS describes it', () => {
    const report = (abnormal_event: object[]) => ofBody({ event_type: 321, sequence: '5', abnormal_event });
    expect(report([{ type: 15, count: 2 }, { type: 15, count: 1 }])).toBe('push anomaly report: 3 × frame rate too low');
    expect(report([{ type: 99, count: 1, type_desc_en: 'something new' }, { type: 98, detail: [{}, {}] }])).toBe('push anomaly report: 1 × something new, 2 × type 98');
    expect(report([])).toBe('push anomaly report: nothing listed');
  });

  it('names every recording status the documents define, and keeps another as sent', () => {
    const status = (record_event: string) => ofBody({ event_type: 332, session_id: '9', record_event });
    expect(['record_start_succeeded', 'record_start_failed', 'record_paused', 'record_resumed', 'record_error', 'record_ended', 'record_mp4_created'].map(status)).toEqual([
      'recording started',
      'recording failed to start',
      'recording paused',
      'recording resumed',
      'recording error',
      'recording ended',
      'recording status record_mp4_created',
    ]);
  });

  it('has a line for every event type', () => {
    const lines = new Map<string, string>();
    const minimal = [{ event_type: 0, sequence: '1' }, { event_type: 314, task_id: '1', callback_event: 'TaskAlarm' }, {}].map((b) => JSON.stringify(b));
    const bodies = [...callbackTypeFixtures().map((f) => f.raw), ...seedExamples().map((e) => e.raw), ...minimal];
    for (const raw of bodies) {
      const event = interpretRaw(raw);
      lines.set(event.type, summarize(event));
    }
    expect([...lines.keys()].sort()).toEqual(Object.values(CallbackEventType).sort());
    for (const line of lines.values()) expect(line).toMatch(/^[a-z].*\S$/);
  });

  it('groups thousands without the locale', () => {
    expect([grouped(0), grouped(999), grouped(3600), grouped(1234567.5), grouped(-45000)]).toEqual(['0', '999', '3,600', '1,234,567.5', '-45,000']);
  });
});
