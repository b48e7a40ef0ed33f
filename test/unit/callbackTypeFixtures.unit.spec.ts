// Each documented example of a callback type becomes its typed event, in its stream, with its fields decoded.
import { callbackTypeFixture, callbackTypeFixtures, interpretRaw } from '../support/callbackTypeFixtures';

const event = (name: string) => interpretRaw(callbackTypeFixture(name).raw);

describe('the documented examples of every callback type', () => {
  const fixtures = callbackTypeFixtures();

  it('cover every type of the callback template, each with the page it comes from', () => {
    expect(fixtures.map((f) => f.eventType).sort((a, b) => a - b)).toEqual([100, 100, 200, 314, 315, 317, 317, 321, 328, 332, 338, 341, 343, 344, 345, 347, 348, 349]);
    for (const fixture of fixtures) expect(fixture.source).toMatch(/^https:\/\/(www|intl\.cloud)\.tencent(cloud)?\.com\/.*document\/product\/267\/\d+$/);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s keeps its body exactly and is no longer unrecognized', (_name, fixture) => {
    const interpreted = interpretRaw(fixture.raw);
    expect(interpreted.raw).toBe(fixture.raw);
    expect(interpreted.type).not.toBe('UnrecognizedCallbackReceived');
  });

  it.each([
    ['recording-file', 'RecordingFileGenerated', 'recordingfile-<event id>'],
    ['recording-file-2021', 'RecordingFileGenerated', 'recordingfile-<event id>'],
    ['recording-status', 'RecordingStatusChanged', 'recording-2918085116267032069'],
    ['recording-exception', 'RecordingExceptionReported', 'recording-1855245773800540059'],
    ['screenshot', 'ScreenshotTaken', 'screenshottask-1867908378267662126'],
    ['image-moderation', 'ImageModerationFlagged', 'moderation-<event id>'],
    ['image-moderation-2020', 'ImageModerationFlagged', 'moderation-<event id>'],
    ['audio-moderation', 'AudioModerationFlagged', 'moderation-<event id>'],
    ['push-anomalies', 'PushAnomaliesReported', 'session-000000000000000000'],
    ['relay-reset-task-config', 'RelayTaskReconfigured', 'relaytask-118145'],
    ['monitoring', 'StreamMonitoringReported', 'monitoring-<event id>'],
    ['subtitles', 'SubtitlesGenerated', 'subtitles-7735333'],
    ['quality-issue', 'QualityIssueDetected', 'quality-<event id>'],
    ['quality-threshold', 'QualityThresholdBreached', 'quality-<event id>'],
    ['quality-score', 'QualityScoreReported', 'quality-<event id>'],
    ['smart-erasure', 'SmartErasureApplied', 'erasure-7735333'],
    ['summary', 'StreamSummaryGenerated', 'summary-<event id>'],
    ['highlights', 'HighlightsGenerated', 'highlights-<event id>'],
  ])('%s becomes %s in %s', (name, type, stream) => {
    const interpreted = event(name);
    expect(interpreted.type).toBe(type);
    // A stream of one callback is named after the callback's own event id.
    expect(interpreted.stream).toBe(stream.replace('<event id>', interpreted.id));
  });

  it('recording file: callback_ext decoded, seconds plus their microseconds as milliseconds, the file start from end_time − duration', () => {
    expect(event('recording-file').fields).toEqual({
      appId: '12345678',
      domain: 'yourapp',
      appName: 'yourappname',
      streamId: 'stream_test',
      channelId: 'stream_test',
      fileId: '1234567890',
      recordFileId: '1234567890',
      format: 'hls',
      taskId: 'UpTbk5RSVhRQ********************0xTSlNTQltlRVRLU1JAWW9EUb',
      recordingSessionId: null,
      startedAt: 1642089445316,
      endedAt: 1642089598618,
      fileStartedAt: 1642089598618 - 154_000,
      durationSeconds: 154,
      fileSizeBytes: 277941079,
      videoUrl: 'http://12345678.vod2.myqcloud.com/xxxx/yyyy/zzzz.m3u8',
      streamParam: 'stream_param=test',
      recordBps: null,
      videoCodec: 'h264',
      resolution: '640x480',
      callbackExt: { video_codec: 'h264', resolution: '640x480' },
    });
  });

  it('recording file of the older page: no domain, path or extension, whole seconds', () => {
    expect(event('recording-file-2021').fields).toMatchObject({
      domain: null,
      appName: null,
      recordFileId: null,
      startedAt: 1545047010000,
      endedAt: 1545049971000,
      durationSeconds: 2962,
      callbackExt: null,
    });
  });

  it('recording status: record_detail decoded from its JSON string and its codes named, seq with all its digits', () => {
    expect(event('recording-status').fields).toEqual({
      appId: '123456789',
      domain: '****.livepush.myqcloud.com',
      appName: 'live',
      streamId: '2991615887188599295',
      recordingSessionId: '2918085116267032069',
      taskId: null,
      status: 'record_ended',
      at: 1700207929000,
      seq: '3266441426274648065',
      detail: {
        fileFormat: 'HLS',
        recordBps: null,
        startedBy: 'template',
        content: 'original',
        source: 'relay',
        transcodeTemplateId: null,
        values: { file_format: 2, record_bps: 0, start_model: 1, record_content: 1, source_type: 2, codec_temp_id: 0 },
      },
    });
  });

  it('recording exception: level, type, occurrences and description from the nested exception', () => {
    expect(event('recording-exception').fields).toEqual({
      appId: '1234567',
      domain: '1234567.livepush.myqcloud.com',
      appName: 'live',
      streamId: 'test_stream_35b4a6e6d4261',
      recordingSessionId: '1855245773800540059',
      fileFormat: 'ts',
      at: 1739934527000,
      level: 'info',
      exceptionType: -201,
      occurrences: 4,
      description: 'video ts deviation: 100.000000',
    });
  });

  it('screenshot: time, size, URL and path, task', () => {
    expect(event('screenshot').fields).toEqual({
      appId: null,
      domain: 'test.app',
      appName: 'live',
      streamId: 'your_streamid',
      channelId: 'your_channelid',
      takenAt: 1622599925000,
      url: 'http://your.cos.region.myqcloud.com/channelid/channelid-screenshot-10-12-05-1280x720.jpg',
      path: '/channelid/channelid-screenshot-10-12-05-1280x720.jpg',
      width: 1280,
      height: 720,
      fileSizeBytes: 30670,
      taskId: '1867908378267662126',
      streamParam: 'txSecret=ca3e25e5dc17a6f9909a9ae7281e300d&txTime=60B83800',
    });
  });

  it('image moderation: camelCase fields, type[] and the scores spelled socre, the suggestion and labels', () => {
    expect(event('image-moderation').fields).toEqual({
      appId: '10000',
      domain: '5000.myqcloud.com',
      appName: 'live',
      streamId: 'teststream',
      channelId: 'teststream',
      suggestion: 'Block',
      label: 'Porn',
      subLabel: 'PornHigh',
      score: 99,
      at: 1610640000000,
      imageUrl: 'http://1.1.1.1/download/porn/test.jpg',
      types: [1],
      scores: [99],
      ocrText: null,
      sentAt: 1615859827000,
      streamParam: 'txSecret=40f38f69f574fd51126c421a3d96c374&txTime=5DEBEC80',
    });
  });

  it('image moderation before the upgrade: only type[] and the times', () => {
    expect(event('image-moderation-2020').fields).toMatchObject({ types: [2], scores: [], score: null, suggestion: null, label: null, at: 1575513174000 });
  });

  it('audio moderation: HitFlag, Score, labels, the transcript, and its time from the recognition results', () => {
    expect(event('audio-moderation').fields).toEqual({
      appId: '12345678',
      domain: 'xxx.cn',
      appName: 'live',
      streamId: 'xxxn01',
      channelId: 'xxxun01',
      suggestion: 'Block',
      label: 'Ad',
      subLabel: 'Contact',
      score: 96,
      at: 1685929588000,
      hit: true,
      text: 'provide mobile phone number for easy contact',
      durationSeconds: 10,
      taskId: '36881',
      seq: '3232590095',
      requestId: 'xxx594-4f4d-a5d0-99cce8b750b4',
    });
  });

  it('push anomalies: every abnormal_event with its occurrences, data_time in milliseconds', () => {
    const { fields } = event('push-anomalies');
    expect(fields).toMatchObject({ sequence: '000000000000000000', domain: 'example.push.com', appName: 'live', streamId: 'teststream', userIp: '1.1.1.1' });
    expect(fields).toMatchObject({ reportedAt: 1670588074971, reportIntervalMs: 5000 });
    expect('anomalies' in fields && fields.anomalies).toEqual([
      {
        type: 6,
        count: 2,
        description: 'video frame arrive interval bigger than 1000(ms)',
        occurrences: [
          { description: 'video frame arrive interval too long, interval=3046(msec)', at: 1670588070569 },
          { description: 'video frame arrive interval too long, interval=2953(msec)', at: 1670588073522 },
        ],
      },
      {
        type: 7,
        count: 2,
        description: 'audio frame arrive interval bigger than 1000(ms)',
        occurrences: [
          { description: 'audio frame arrive interval too long, interval=3009(msec)', at: 1670588070532 },
          { description: 'audio frame arrive interval too long, interval=2917(msec)', at: 1670588073486 },
        ],
      },
    ]);
  });

  it('relay ResetTaskConfig: the relay fields, event_time from its string', () => {
    expect(event('relay-reset-task-config').fields).toEqual({
      taskId: '118145',
      appId: '4',
      callbackEvent: 'ResetTaskConfig',
      streamId: 'testvod',
      sourceUrls: ['http://yourURL.cn/live/normal_466247620*****3100448-upload-216b/playlist.m3u8'],
      toUrl: 'rtmp://xxx.livepush.myqcloud.com/live/testvod',
      eventTime: 1712893433,
      msg: null,
    });
  });

  it('monitoring: where the stream is and when', () => {
    expect(event('monitoring').fields).toEqual({ appId: '12345678', domain: 'example.push.com', appName: 'live', streamId: 'teststream', at: 1752130787000 });
  });

  it('subtitles: the lines of data.subtitle_tmp_res, the steady flag under its documented misspelling', () => {
    expect(event('subtitles').fields).toEqual({
      appId: null,
      domain: null,
      appName: null,
      streamId: 'teststream',
      channelId: 'teststream',
      taskId: '7735333',
      lines: [
        {
          text: 'Today we shall delve into the study of linear equations in one variable.',
          translation: null,
          startPts: 123000,
          endPts: 126333,
          startedAt: null,
          endedAt: null,
          steady: true,
        },
      ],
    });
  });

  it('quality control, threshold and average evaluations: class, scores, frames with millisecond times', () => {
    expect(event('quality-issue').fields).toMatchObject({ function: 'QualityControl', kind: 'Blur', score: 44.15314104741461, transcodeTemplateId: 123456, watermarkTemplateId: 123457, at: 1747818881000 });
    const frames = [{ score: 22.78, at: 1752130785280 }, { score: 32.75, at: 1752130786281 }];
    expect(event('quality-threshold').fields).toMatchObject({ function: 'Assessment', kind: 'PSNR', frames, watermarkTemplateId: null });
    expect(event('quality-score').fields).toMatchObject({ kind: 'PSNR', frames, averageScore: 27.765, maxScore: 32.75, minScore: 22.78 });
  });

  it('smart erasure: each span with its keywords and times', () => {
    expect(event('smart-erasure').fields).toMatchObject({
      taskId: '7735333',
      spans: [
        {
          startPts: 954864,
          endPts: 964464,
          startedAt: 1750402588000,
          endedAt: 1750402597000,
          keywords: [{ word: 'Central Commission for Discipline Inspection', beginPts: 957759, endPts: 959424 }],
        },
      ],
    });
  });

  it('summary and highlights: titles, texts, keywords, clips and their times', () => {
    expect(event('summary').fields).toMatchObject({
      domain: 'your.livepush.myqcloud.com',
      appName: 'live',
      beganAt: 1761211980000,
      endedAt: 1761212541000,
      title: 'Live broadcast promoting coarse cloth bedding from XX province',
      keywords: ['three piece set', 'Shandong coarse cloth', 'bedding promotion', 'Xinjiang cotton'],
      keyPoints: ['Product Features and Material Introduction', 'Promotional activities and price discounts'],
    });
    expect(event('highlights').fields).toMatchObject({
      streamId: 'test1820',
      clips: [{ beganAt: 1761128808000, endedAt: 1761128834000, title: 'Bed sheets on flash sale, price reduced by 25 yuan!', coverUrl: null, keywords: expect.arrayContaining(['25 yuan']) }],
    });
  });
});
