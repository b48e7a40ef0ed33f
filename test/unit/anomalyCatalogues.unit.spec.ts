// The meanings of push anomaly types (321) and recording exception types (341), as CSS's tables define them.
import { describePushAnomaly, PUSH_ANOMALY_TYPES } from '../../src/domain/pushAnomalyCatalogue';
import { describeRecordingException, RECORDING_EXCEPTION_TYPES } from '../../src/domain/recordingExceptionCatalogue';

describe('push anomaly catalogue (CSS "Push Error Event Notifications", 267/53310)', () => {
  it('means something for every type 1-16 of the table', () => {
    expect(PUSH_ANOMALY_TYPES).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    for (const type of PUSH_ANOMALY_TYPES) expect(describePushAnomaly(type)).toMatch(/^[a-zA-Z].{5,}/);
    expect(new Set(PUSH_ANOMALY_TYPES.map(describePushAnomaly)).size).toBe(16);
  });

  it.each([
    [6, 'video frames arrived late (over 3 s apart)'],
    [7, 'audio frames arrived late (over 1 s apart)'],
    [15, 'frame rate too low'],
  ])('type %i: %s', (type, meaning) => {
    expect(describePushAnomaly(type)).toBe(meaning);
  });

  it('knows nothing of types outside the table', () => {
    expect([0, 17, -1, null].map(describePushAnomaly)).toEqual([null, null, null, null]);
  });
});

describe('recording exception catalogue (CSS "Abnormal Recording Event Notification", 267/68622)', () => {
  it('means something for every type of the table', () => {
    expect(RECORDING_EXCEPTION_TYPES).toEqual([-8, -9, -10, -11, -16, -17, -18, -22, -23, -24, -100, -104, -120, -130, -131, -132, -200, -201]);
    for (const type of RECORDING_EXCEPTION_TYPES) expect(describeRecordingException(type)).toMatch(/^[a-z].{5,}/);
  });

  it('knows nothing of types outside the table', () => {
    expect([0, -1, 8, null].map(describeRecordingException)).toEqual([null, null, null, null]);
  });
});
