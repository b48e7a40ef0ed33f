// The recordings projection against a real read-model file: each file tied to the push session it was recorded from, whatever the order.
import { recordingsProjection } from '../../src/readmodels/recordings/recordings.projection';
import { callbackTypeFixture, payloadOf } from '../support/callbackTypeFixtures';
import { callback, projectionSpec } from '../support/projectionSpec';

// Tencent's documented example: stream_test on yourapp/yourappname, a 154 s HLS file ending at 1642089598.618577.
const file = payloadOf(callbackTypeFixture('recording-file').raw);
const place = { app: 'yourapp', appname: 'yourappname', stream_id: 'stream_test' };
const push = { event_type: 1, sequence: '41', ...place, event_time: 1642089400 };
const interruption = { ...push, event_type: 0, event_time: 1642089700, errcode: 1, push_duration: '300000' };
const earlierPush = { event_type: 1, sequence: '40', ...place, event_time: 1642080000 };
const earlierInterruption = { ...earlierPush, event_type: 0, event_time: 1642083600, errcode: 1 };

const recorded = {
  fileId: '1234567890',
  streamId: 'stream_test',
  domain: 'yourapp',
  appName: 'yourappname',
  format: 'hls',
  startedAt: 1642089598618 - 154_000,
  endedAt: 1642089598618,
  durationSeconds: 154,
  fileSizeBytes: 277941079,
  listedAt: 1642089598618,
};

describe('recordings projection', () => {
  const spec = projectionSpec(recordingsProjection);

  it('ties a file to the live session of its stream', () => {
    spec.given(callback(push)).when([callback(file)]).then({ recording_files: [{ ...recorded, sequence: '41' }] });
  });

  it('keeps a file that matches no session, untied', () => {
    spec.given(callback(earlierPush), callback(earlierInterruption)).when([callback(file)]).then({ recording_files: [{ ...recorded, sequence: null }] });
  });

  it('ties a file that arrived before its push when the push arrives, and gives the same row in either order', () => {
    spec.given(callback(file)).when([callback(push)]).then({ recording_files: [{ ...recorded, sequence: '41' }] });
    spec.given().when([callback(file), callback(push), callback(interruption)], { order: 'reversed' }).then({ recording_files: [{ ...recorded, sequence: '41' }] });
    // Without its push, the session's start is the interruption less push_duration.
    spec.given().when([callback(interruption), callback(file)]).then({ recording_files: [{ ...recorded, sequence: '41' }] });
  });

  it('lets a file go when the interruption shows the session ended before it', () => {
    const early = { ...interruption, event_time: 1642089420, push_duration: '20000' };
    spec.given(callback(push), callback(file)).when([callback(early)]).then({ recording_files: [{ ...recorded, sequence: null }] });
  });

  it('ties to the session the file overlaps, not an earlier one of the same stream', () => {
    spec
      .given(callback(earlierPush), callback(earlierInterruption))
      .when([callback(push), callback(file), callback(interruption)], { order: 'reversed' })
      .then({ recording_files: [{ ...recorded, sequence: '41' }] });
  });

  it('makes one row and announces it once when the same callbacks arrive twice', () => {
    spec
      .given()
      .when([callback(push), callback(file)], { times: 2 })
      .then(({ rows, changes }) => {
        expect(rows('recording_files')).toMatchObject([{ ...recorded, sequence: '41' }]);
        expect(rows('recording_session_intervals')).toMatchObject([{ sequence: '41', pushedAt: 1642089400000, interruptedAt: null }]);
        expect(changes).toEqual([{ table: 'recording_files', row: expect.objectContaining({ fileId: '1234567890' }) }]);
      });
  });

  it("ties a recording task's status changes and exceptions to the session of their stream, in either order", () => {
    const status = payloadOf(callbackTypeFixture('recording-status').raw);
    const exception = payloadOf(callbackTypeFixture('recording-exception').raw);
    const statusPush = { event_type: 1, sequence: '50', app: '****.livepush.myqcloud.com', appname: 'live', stream_id: '2991615887188599295', event_time: 1700207000 };
    const exceptionPush = { event_type: 1, sequence: '51', app: '1234567.livepush.myqcloud.com', appname: 'live', stream_id: 'test_stream_35b4a6e6d4261', event_time: 1739934000 };
    const activity = [
      { kind: 'STATUS', status: 'record_ended', recordingSessionId: '2918085116267032069', at: 1700207929000, sequence: '50' },
      { kind: 'EXCEPTION', level: 'info', exceptionType: -201, occurrences: 4, description: 'video ts deviation: 100.000000', at: 1739934527000, sequence: '51' },
    ];
    const byKind = (rows: Array<Record<string, unknown>>) => [...rows].sort((a, b) => String(b.kind).localeCompare(String(a.kind)));
    for (const order of ['as given', 'reversed'] as const) {
      spec
        .given()
        .when([callback(status), callback(exception), callback(statusPush), callback(exceptionPush)], { order })
        .then(({ rows }) => expect(byKind(rows('recording_activity'))).toMatchObject(activity));
    }
  });
});
