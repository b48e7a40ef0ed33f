import { anomalyDescription } from '../../src/readmodels/pushAnomalies/pushAnomalyRows';
import { emptySession, reduceSession } from '../../src/readmodels/sessions/session.reducer';
import { sessionIntervalOf, timelineFact } from '../../src/readmodels/timeline/timelineFact';
import { fromBody, interrupted, pushed, RECEIVED_AT } from '../support/projectedEvents';

const T = 1_700_000_000;
const place = { app: 'Live.Example.com', appname: 'live', stream_id: 'cam' };

describe('timelineFact: what the timeline makes of an event', () => {
  it('dates a recording file by its end, ties it by stream and time, and says it in one line', () => {
    const recording = fromBody({ event_type: 100, ...place, file_id: 'f1', start_time: T, end_time: T + 3600, duration: 3600, file_format: 'hls' });
    expect(timelineFact(recording, RECEIVED_AT)).toEqual({
      kind: 'RecordingFileGenerated',
      at: (T + 3600) * 1000,
      summary: 'recording file of 3,600 s ready (HLS)',
      streamId: 'cam',
      ownDomain: 'live.example.com',
      appName: 'live',
      tie: { by: 'streamTime', domain: 'Live.Example.com', appName: 'live', streamId: 'cam', from: T * 1000, to: (T + 3600) * 1000 },
    });
  });

  it("dates a push by CSS's time, or by its receipt when CSS gave none, and ties it by sequence", () => {
    expect(timelineFact(pushed({ sequence: '1', event_time: T }), RECEIVED_AT)).toMatchObject({ at: T * 1000, tie: { by: 'sequence', sequence: '1' } });
    expect(timelineFact(pushed({ sequence: '1' }), RECEIVED_AT)).toMatchObject({ at: RECEIVED_AT });
  });

  it('says an interruption with its errcode, sub-errcode and reason', () => {
    const fact = timelineFact(interrupted({ sequence: '1', event_time: T, errcode: 18, sub_errcode: 401 }), RECEIVED_AT);
    expect(fact?.summary).toBe("interrupted: errcode 18/401, the pusher's IP is not on the allow list");
  });

  it('dates an anomaly report by its data_time and keeps the stream it names', () => {
    const report = fromBody({ event_type: 321, sequence: '1', domain: 'a.com', path: 'live', stream_id: 'cam', data_time: T * 1000, abnormal_event: [] });
    expect(timelineFact(report, RECEIVED_AT)).toMatchObject({ at: T * 1000, streamId: 'cam', ownDomain: 'a.com', appName: 'live' });
  });

  it('has nothing to say of relay tasks and unrecognized callbacks', () => {
    const relay = fromBody({ event_type: 314, callback_event: 'TaskStart', task_id: 't', stream_id: 'cam', msg: '{}' });
    expect(timelineFact(relay, RECEIVED_AT)).toBeNull();
    expect(timelineFact(fromBody({ event_type: 999 }), RECEIVED_AT)).toBeNull();
  });
});

describe('sessionIntervalOf: a session as the tie rule needs it', () => {
  it('spans push to interruption, the domain lower-cased', () => {
    const state = [pushed({ sequence: '1', event_time: T, ...place }), interrupted({ sequence: '1', event_time: T + 60, ...place })].reduce(reduceSession, emptySession('1'));
    expect(sessionIntervalOf(state)).toEqual({ sequence: '1', domain: 'live.example.com', appName: 'live', streamId: 'cam', pushedAt: T * 1000, interruptedAt: (T + 60) * 1000 });
  });

  it('begins push_duration before the interruption when the push has not arrived, and is open while live', () => {
    const ended = reduceSession(emptySession('1'), interrupted({ sequence: '1', event_time: T + 60, push_duration: '60000' }));
    expect(sessionIntervalOf(ended)).toMatchObject({ pushedAt: T * 1000, interruptedAt: (T + 60) * 1000 });
    const unknown = reduceSession(emptySession('1'), interrupted({ sequence: '1', event_time: T + 60 }));
    expect(sessionIntervalOf(unknown)).toMatchObject({ pushedAt: null });
    const live = reduceSession(emptySession('1'), pushed({ sequence: '1', event_time: T }));
    expect(sessionIntervalOf(live)).toMatchObject({ pushedAt: T * 1000, interruptedAt: null });
  });
});

describe('anomalyDescription', () => {
  it("gives the catalogue's meaning, else CSS's words, else the bare type", () => {
    expect(anomalyDescription({ type: 15, description: 'fps low' })).toBe('frame rate too low');
    expect(anomalyDescription({ type: 42, description: 'new kind' })).toBe('new kind');
    expect(anomalyDescription({ type: 42, description: null })).toBe('anomaly type 42');
    expect(anomalyDescription({ type: null, description: '' })).toBe('anomaly of no given type');
  });
});
