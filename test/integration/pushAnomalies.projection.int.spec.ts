// The push anomalies projection against a real read-model file: one row per entry of each report, under its session.
import { pushAnomaliesProjection } from '../../src/readmodels/pushAnomalies/pushAnomalies.projection';
import { callbackTypeFixture } from '../support/callbackTypeFixtures';
import { callback, projectionSpec, RECEIVED_AT } from '../support/projectionSpec';

const SEQUENCE = '6674468118806626493';
const report = (dataTime: number, abnormal: object[]) => ({ event_type: 321, sequence: SEQUENCE, stream_id: 'cam', data_time: dataTime, abnormal_event: abnormal });
const first = report(1_700_000_030_000, [{ type: 15, count: 3 }, { type: 8, count: 1, detail: [{ desc: 'h264 to h265', occur_time: 1_700_000_021_000 }] }]);
const second = report(1_700_000_090_000, [{ type: 15, count: 1 }]);

const rows = [
  { sequence: SEQUENCE, type: 8, description: 'video codec changed', count: 1, at: 1_700_000_021_000, entry: 1 },
  { sequence: SEQUENCE, type: 15, description: 'frame rate too low', count: 3, at: 1_700_000_030_000, entry: 0 },
  { sequence: SEQUENCE, type: 15, description: 'frame rate too low', count: 1, at: 1_700_000_090_000, entry: 0 },
];
const inTime = (result: { rows(table: string): Array<Record<string, unknown>> }) =>
  result.rows('push_anomalies').sort((a, b) => Number(a.at) - Number(b.at));

describe('push anomalies projection', () => {
  const spec = projectionSpec(pushAnomaliesProjection);

  it('holds each entry of each report, under the session its sequence names, with the meaning of its type', () => {
    spec.given(callback(first)).when([callback(second)]).then((result) => expect(inTime(result)).toMatchObject(rows));
  });

  it('holds the same rows whichever report arrives first, and when each arrives twice', () => {
    spec.given().when([callback(first), callback(second)], { order: 'reversed' }).then((result) => expect(inTime(result)).toMatchObject(rows));
    spec.given().when([callback(first), callback(second)], { times: 2 }).then((result) => expect(inTime(result)).toMatchObject(rows));
  });

  it("reads Tencent's documented example: two anomalies dated by their first occurrence, counts as sent", () => {
    spec.given().when([callback(callbackTypeFixture('push-anomalies').raw)]).then((result) =>
      expect(inTime(result)).toMatchObject([
        { sequence: '000000000000000000', type: 7, count: 2, at: 1670588070532, description: 'audio frames arrived late (over 1 s apart)' },
        { sequence: '000000000000000000', type: 6, count: 2, at: 1670588070569, description: 'video frames arrived late (over 3 s apart)' },
      ]),
    );
  });

  it("keeps an entry whose type the catalogue does not list in CSS's own words, and one without a type or time", () => {
    const odd = { event_type: 321, sequence: '9', abnormal_event: [{ type: 99, type_desc_en: 'something new', count: 2 }, { detail: [{ desc: 'x' }] }] };
    spec.given().when([callback(odd, RECEIVED_AT)]).then({
      push_anomalies: [
        { entry: 0, type: 99, description: 'something new', count: 2, at: RECEIVED_AT },
        { entry: 1, type: 0, description: 'anomaly of no given type', count: 1, at: RECEIVED_AT },
      ],
    });
  });
});
