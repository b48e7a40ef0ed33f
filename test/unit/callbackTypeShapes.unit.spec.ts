// The shapes CSS drifts into (strings for numbers, JSON in strings or not, other time units), and what identifies each type.
import { callbackTypeFixture, interpretBody, interpretRaw, payloadOf } from '../support/callbackTypeFixtures';

/** A documented example with some fields replaced (undefined removes one). */
function variant(name: string, changes: Record<string, unknown>) {
  const body: Record<string, unknown> = { ...payloadOf(callbackTypeFixture(name).raw) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete body[key];
    else body[key] = value;
  }
  return interpretBody(body);
}

describe('what identifies each type: without it the callback stays unrecognized, as before', () => {
  it.each([
    ['recording-file', { stream_id: undefined }, /^event_type 100 is not one this service models without stream_id/],
    ['recording-file', { file_id: undefined, record_file_id: undefined, video_url: '' }, /event_type 100 .* without .*a file/],
    ['recording-file', { start_time: 0, end_time: undefined }, /event_type 100 .* start_time or end_time/],
    ['recording-status', { session_id: undefined }, /^event_type 332 is not one this service models without session_id or task_id$/],
    ['recording-exception', { session_id: ' ' }, /^event_type 341 .* without session_id$/],
    ['screenshot', { stream_id: undefined }, /^event_type 200 .* without stream_id$/],
    ['image-moderation', { streamId: undefined }, /^event_type 317 .* without streamId$/],
    ['audio-moderation', { stream_id: undefined }, /^event_type 315 .* without stream_id$/],
    ['push-anomalies', { sequence: undefined }, /^event_type 321 .* without a usable sequence$/],
    ['push-anomalies', { sequence: 'two words' }, /event_type 321/],
    ['relay-reset-task-config', { task_id: undefined }, /^relay ResetTaskConfig without task_id$/],
    ['subtitles', { task_id: undefined }, /^event_type 338 .* without task_id$/],
    ['smart-erasure', { task_id: null }, /^event_type 347 .* without task_id$/],
    ['quality-issue', { stream_id: undefined }, /^event_type 343 /],
    ['summary', { stream_id: undefined }, /^event_type 348 /],
    ['highlights', { stream_id: undefined }, /^event_type 349 /],
  ])('%s with %j', (name, changes, reason) => {
    const event = variant(name, changes);
    expect(event.type).toBe('UnrecognizedCallbackReceived');
    expect(event.stream).toBe(`unrecognized-${event.id}`);
    expect(event.fields).toMatchObject({ reason: expect.stringMatching(reason), eventType: String(callbackTypeFixture(name).eventType) });
  });

  it('a recording status without record_event stays with its recording task, unrecognized', () => {
    const event = variant('recording-status', { record_event: undefined });
    expect([event.type, event.stream]).toEqual(['UnrecognizedCallbackReceived', 'recording-2918085116267032069']);
  });

  it('a recording status without session_id belongs to its task_id', () => {
    expect(variant('recording-status', { session_id: undefined, task_id: 'api-task-7' }).stream).toBe('recording-api-task-7');
  });

  it('a recording file naming its recording session (callback_ext.session_id) joins the status and exceptions of that session', () => {
    const ext = JSON.stringify({ video_codec: 'h264', session_id: '2918085116267032069', resolution: '1920x1080' });
    const file = variant('recording-file', { callback_ext: ext });
    expect(file.stream).toBe(variant('recording-status', {}).stream);
    expect(file.fields).toMatchObject({ recordingSessionId: '2918085116267032069', resolution: '1920x1080' });
  });

  it('a screenshot without task_id gets a stream of its own', () => {
    const event = variant('screenshot', { task_id: undefined });
    expect([event.type, event.stream]).toEqual(['ScreenshotTaken', `screenshot-${event.id}`]);
  });

  it('a push anomaly report keeps all the digits of a sequence sent as a JSON number', () => {
    const raw = callbackTypeFixture('push-anomalies').raw.replace('"sequence":"000000000000000000"', '"sequence":6674468118806626493');
    const event = interpretRaw(raw);
    expect([event.stream, (event.fields as { sequence: string }).sequence]).toEqual(['session-6674468118806626493', '6674468118806626493']);
  });
});

describe('shape drift', () => {
  it('recording file: numbers as strings, callback_ext as an object, times in milliseconds or full microseconds, 0 as not given', () => {
    const event = variant('recording-file', {
      start_time: '1642089445000',
      start_time_usec: undefined,
      end_time: '1642089598',
      end_time_usec: 1642089598618577,
      duration: '154',
      file_size: '277941079',
      record_bps: '800',
      callback_ext: { video_codec: 'h265' },
      file_format: 'MP4',
    });
    expect(event.fields).toMatchObject({
      startedAt: 1642089445000,
      endedAt: 1642089598618,
      durationSeconds: 154,
      fileSizeBytes: 277941079,
      recordBps: 800,
      videoCodec: 'h265',
      format: 'mp4',
    });
    expect(variant('recording-file', { duration: 0, end_time: 0 }).fields).toMatchObject({ durationSeconds: null, endedAt: null, fileStartedAt: 1642089445316 });
  });

  it.each([
    ['a JSON object', { file_format: 3, start_model: '5', source_type: 1 }, { fileFormat: 'MP4', startedBy: 'api', source: 'live' }],
    ['JSON encoded twice', JSON.stringify(JSON.stringify({ file_format: 1, record_content: 3 })), { fileFormat: 'FLV', content: 'transcoded' }],
    ['key:value pairs', 'file_format:4,record_bps:500;codec_temp_id=77', { fileFormat: 'AAC', recordBps: 500, transcodeTemplateId: 77 }],
    ['codes the documents do not define', '{"file_format":9,"start_model":2,"new_field":"x"}', { fileFormat: null, startedBy: null, values: { file_format: 9, start_model: 2, new_field: 'x' } }],
  ])('record_detail as %s', (_label, recordDetail, expected) => {
    expect(variant('recording-status', { record_detail: recordDetail }).fields).toMatchObject({ detail: expected });
  });

  it('record_detail that holds nothing readable is null, and the callback is still a status change', () => {
    const event = variant('recording-status', { record_detail: 'n/a' });
    expect([event.type, (event.fields as { detail: unknown }).detail]).toEqual(['RecordingStatusChanged', null]);
  });

  it('recording exception: exception as a JSON string, level upper-cased, numbers as strings', () => {
    const event = variant('recording-exception', { exception: '{"type":"-16","occurs":"2","desc":"pull failed"}', exception_level: 'ERROR', timestamp: '1739934527' });
    expect(event.fields).toMatchObject({ exceptionType: -16, occurrences: 2, description: 'pull failed', level: 'error', at: 1739934527000 });
  });

  it('push anomalies: abnormal_event as a JSON string holding one object, occur_time in seconds, data_time as a string', () => {
    const anomaly = { type: '15', count: '3', detail: [{ desc: 'fps 3', occur_time: 1670588070 }], type_desc_en: 'low fps' };
    const event = variant('push-anomalies', { abnormal_event: JSON.stringify(anomaly), data_time: '1670588074971', report_interval: '5000' });
    expect(event.fields).toMatchObject({
      reportedAt: 1670588074971,
      reportIntervalMs: 5000,
      anomalies: [{ type: 15, count: 3, description: 'low fps', occurrences: [{ description: 'fps 3', at: 1670588070000 }] }],
    });
  });

  it('moderation: suggestion in another case, scores as strings, HitFlag as a string, stream_id in snake case', () => {
    expect(variant('image-moderation', { suggestion: 'review', socre: undefined, score: ['12', 87.5], streamId: undefined, stream_id: 's1' }).fields).toMatchObject({
      suggestion: 'Review',
      scores: [12, 87.5],
      score: 87.5,
      streamId: 's1',
    });
    expect(variant('audio-moderation', { HitFlag: '0', Score: '41', suggestion: 'Escalate' }).fields).toMatchObject({ hit: false, score: 41, suggestion: 'Escalate' });
  });

  it('subtitles: data as a JSON string, the flag under its table spelling, times given', () => {
    const data = { subtitle_tmp_res: [{ src_txt: 'hello', dst_txt: 'bonjour', steady_state: 'false', start_unix_time: '1750402588', end_unix_time: 1750402590 }] };
    expect(variant('subtitles', { data: JSON.stringify(data) }).fields).toMatchObject({
      lines: [{ text: 'hello', translation: 'bonjour', steady: false, startedAt: 1750402588000, endedAt: 1750402590000 }],
    });
  });

  it('fields CSS adds later are kept in raw and never rejected', () => {
    const event = variant('screenshot', { idc_id: 38, brand_new: { nested: [1, 2] } });
    expect(event.type).toBe('ScreenshotTaken');
    expect(JSON.parse(event.raw)).toMatchObject({ idc_id: 38, brand_new: { nested: [1, 2] } });
  });
});
