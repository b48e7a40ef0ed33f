// Recordings, screenshots and moderation hits through real HTTP: Tencent's documented callbacks, signed, then GraphQL and graphql-ws.
import type { RunningService } from '../../src/server';
import { ModerationHitRaisedDocument, ModerationHitsDocument, RecordingReadyDocument, RecordingsDocument, SessionMediaDocument } from '../graphql/generated';
import { callbackTypeFixture } from '../support/callbackTypeFixtures';
import { collect, query, subscriptionClient, waitForSubscribers } from '../support/graphqlClient';
import { postAndProject, signCallback, useTestService } from '../support/testService';

const KEY = 'media-callback-key';
const signed = (body: Record<string, unknown>) => signCallback(body, KEY);
const documented = (name: string) => signed(JSON.parse(callbackTypeFixture(name).raw) as Record<string, unknown>);
const push = (sequence: string, place: Record<string, string>, eventTime: number) => signed({ event_type: 1, sequence, ...place, event_time: eventTime });

describe('recordings, screenshots and moderation hits over HTTP and GraphQL', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY });
  let service: RunningService;
  beforeAll(() => {
    service = fixture.service;
  });

  it('lists recording files by stream, the one that came before its push tied to it once the push arrives, the older one untied', async () => {
    const client = subscriptionClient(service.url);
    try {
      const ready = collect(client, RecordingReadyDocument, { filter: { streamId: 'stream_test' } });
      await ready.ready;
      await waitForSubscribers(service, 1);
      const file = documented('recording-file');
      await postAndProject(service, file);
      await postAndProject(service, documented('recording-file-2021'));
      await postAndProject(service, push('4100', { app: 'yourapp', appname: 'yourappname', stream_id: 'stream_test' }, 1642089400));

      const { recordings } = await query(service.url, RecordingsDocument, { filter: { streamId: 'stream_test' } });
      expect(recordings.totalCount).toBe(2);
      const [latest, older] = recordings.nodes;
      expect(latest).toMatchObject({ fileId: '1234567890', format: 'hls', durationSeconds: 154, endedAt: '2022-01-13T15:59:58.618Z', session: { sequence: '4100' } });
      expect(latest!.events).toEqual([{ type: 'RecordingFileGenerated', raw: JSON.stringify(file) }]);
      expect(older).toMatchObject({ endedAt: '2018-12-17T12:32:51.000Z', session: null });

      const { session } = await query(service.url, SessionMediaDocument, { sequence: '4100' });
      expect(session!.recordings).toEqual([{ fileId: '1234567890' }]);
      const [announced] = await ready.next(1);
      expect(announced!.recordingReady).toMatchObject({ fileId: '1234567890', streamId: 'stream_test', videoUrl: expect.stringMatching(/m3u8$/) });
      await ready.next(2);
    } finally {
      await client.dispose();
    }
  });

  it("shows a session's recording status changes and exceptions, those that came before its push included", async () => {
    await postAndProject(service, documented('recording-exception'));
    await postAndProject(service, push('5100', { app: '1234567.livepush.myqcloud.com', appname: 'live', stream_id: 'test_stream_35b4a6e6d4261' }, 1739934000));
    await postAndProject(service, signed({ ...JSON.parse(callbackTypeFixture('recording-status').raw), stream_id: 'test_stream_35b4a6e6d4261', domain: '1234567.livepush.myqcloud.com', event_time: 1739934600 }));

    const { session } = await query(service.url, SessionMediaDocument, { sequence: '5100' });
    expect(session!.recordingActivity).toEqual([
      { kind: 'EXCEPTION', at: '2025-02-19T03:08:47.000Z', status: null, level: 'info', exceptionType: -201, description: 'video ts deviation: 100.000000' },
      { kind: 'STATUS', at: '2025-02-19T03:10:00.000Z', status: 'record_ended', level: null, exceptionType: null, description: null },
    ]);
  });

  it("gives a session's latest screenshot and pages through its screenshots, newest first", async () => {
    await postAndProject(service, push('9100', { app: 'test.app', appname: 'live', stream_id: 'your_streamid' }, 1622599000));
    const first = documented('screenshot');
    await postAndProject(service, first);
    await postAndProject(service, signed({ ...first, create_time: 1622600045, pic_full_url: 'http://your.cos.region.myqcloud.com/later.jpg' }));

    const page1 = await query(service.url, SessionMediaDocument, { sequence: '9100', first: 1 });
    expect(page1.session!.latestScreenshot).toEqual({
      streamId: 'your_streamid',
      takenAt: '2021-06-02T02:14:05.000Z',
      url: 'http://your.cos.region.myqcloud.com/later.jpg',
      width: 1280,
      height: 720,
      fileSizeBytes: 30670,
    });
    expect(page1.session!.screenshots).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ takenAt: '2021-06-02T02:14:05.000Z' }] });
    const page2 = await query(service.url, SessionMediaDocument, { sequence: '9100', first: 1, after: page1.session!.screenshots.pageInfo.endCursor });
    expect(page2.session!.screenshots).toMatchObject({ pageInfo: { hasNextPage: false }, nodes: [{ takenAt: '2021-06-02T02:12:05.000Z' }] });
  });

  it('announces image hits to an IMAGE subscriber only, and lists hits by suggestion with their session and callback', async () => {
    const client = subscriptionClient(service.url);
    try {
      const raised = collect(client, ModerationHitRaisedDocument, { filter: { kind: 'IMAGE' } });
      await raised.ready;
      await waitForSubscribers(service, 1);
      await postAndProject(service, push('7100', { app: '5000.myqcloud.com', appname: 'live', stream_id: 'teststream' }, 1610639000));
      const audio = documented('audio-moderation');
      await postAndProject(service, audio);
      await postAndProject(service, documented('image-moderation'));

      const [hit] = await raised.next(1);
      expect(hit!.moderationHitRaised).toMatchObject({ kind: 'IMAGE', streamId: 'teststream', suggestion: 'BLOCK', label: 'Porn', subLabel: 'PornHigh', score: 99 });

      const { moderationHits } = await query(service.url, ModerationHitsDocument, { filter: { suggestion: 'BLOCK' } });
      expect(moderationHits.totalCount).toBe(2);
      expect(moderationHits.nodes.map((node) => [node.kind, node.session?.sequence ?? null])).toEqual([
        ['AUDIO', null],
        ['IMAGE', '7100'],
      ]);
      expect(moderationHits.nodes[0]!.event).toEqual({ type: 'AudioModerationFlagged', raw: JSON.stringify(audio) });
      const audioOnly = await query(service.url, ModerationHitsDocument, { filter: { kind: 'AUDIO', streamId: 'xxxn01' } });
      expect(audioOnly.moderationHits.nodes).toEqual([expect.objectContaining({ text: 'provide mobile phone number for easy contact', label: 'Ad' })]);
      const { session } = await query(service.url, SessionMediaDocument, { sequence: '7100' });
      expect(session!.moderationHits).toEqual([{ kind: 'IMAGE', label: 'Porn' }]);
      expect(raised.received).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });
});
