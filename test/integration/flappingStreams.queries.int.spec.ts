// Flapping streams read from a real insights file: only streams interrupted often enough in the range are looked at, those without a domain included.
import { insightsProjection } from '../../src/readmodels/insights/insights.projection';
import { insightQueries } from '../../src/readmodels/insights/insights.queries';
import { callback, projectionSpec } from '../support/projectionSpec';

const T0 = 1_700_000_000;

// Interruptions a minute after their push, the stream's pushes three minutes apart; `app` absent for no domain.
const sessions: Array<[stream: string, domain: string | undefined, at: number]> = [
  ['bare', undefined, 0],
  ['bare', undefined, 180],
  ['bare', undefined, 360],
  // The same name on a domain is another stream: interrupted once.
  ['bare', 'a.example', 200],
  // Three times, but the first long before the range.
  ['early', 'a.example', -7_200],
  ['early', 'a.example', 180],
  ['early', 'a.example', 360],
];
const events = sessions.flatMap(([stream, domain, at], i) => {
  const push = { event_type: 1, sequence: String(500 + i), appname: 'live', stream_id: stream, event_time: T0 + at, ...(domain === undefined ? {} : { app: domain }) };
  return [callback(push), callback({ ...push, event_type: 0, event_time: T0 + at + 60, errcode: 12, push_duration: '60000' })];
});

describe('flapping streams in an insights file', () => {
  it('finds a stream without a domain, apart from the same name on a domain, and counts only the range', () => {
    projectionSpec(insightsProjection)
      .given(...events)
      .when([])
      .then(({ db }) => {
        const flapping = (minInterruptions: number, domain: string | null = null) =>
          insightQueries(db)
            .flappingStreams({ minInterruptions, withinMs: 600_000, from: (T0 - 60) * 1000, to: (T0 + 3_600) * 1000, domain }, 50, null)
            .edges.map((edge) => [edge.row.streamId, edge.row.domain, edge.row.interruptions]);
        expect(flapping(3)).toEqual([['bare', null, 3]]);
        expect(flapping(2)).toEqual([
          ['early', 'a.example', 2],
          ['bare', null, 3],
        ]);
        expect(flapping(4)).toEqual([]);
        expect(flapping(2, 'a.example')).toEqual([['early', 'a.example', 2]]);
      });
  });
});
