// The callback log projection against a real read-model file: every stored callback in log order, body as received; quarantined ones left out.
import { callbackLogProjection } from '../../src/readmodels/callbackLog/callbackLog.projection';
import { callbackLogQueries } from '../../src/readmodels/callbackLog/callbackLog.queries';
import { callback, projectionSpec, quarantined, RECEIVED_AT } from '../support/projectionSpec';

const push = { event_type: 1, sequence: '1', stream_id: 'cam', event_time: 1_700_000_000 };
const unknownType = { event_type: 999, something: 'new' };

describe('callback log projection', () => {
  const spec = projectionSpec(callbackLogProjection);

  it('keeps every callback, unrecognized ones included, at its log position with its body exactly as received', () => {
    const body = '{"event_type":1,  "sequence":"1","stream_id":"cam","event_time":1700000000}';
    spec
      .given(callback(push, RECEIVED_AT))
      .when([callback(body, RECEIVED_AT + 1), callback(unknownType, RECEIVED_AT + 2)])
      .then({
        callback_log: [
          { position: 1n, type: 'StreamPushed', stream: 'session-1', receivedAt: RECEIVED_AT, raw: JSON.stringify(push) },
          { position: 2n, type: 'StreamPushed', raw: body },
          { position: 3n, type: 'UnrecognizedCallbackReceived', stream: expect.stringMatching(/^unrecognized-/), raw: JSON.stringify(unknownType) },
        ],
      });
  });

  it('lists callbacks in the order they reached the log, and publishes each once it is committed', () => {
    spec
      .given()
      .when([callback(push), callback(unknownType)], { order: 'reversed' })
      .then(({ rows, changes }) => {
        expect(rows('callback_log').map((row) => [row.position, row.type])).toEqual([
          [1n, 'UnrecognizedCallbackReceived'],
          [2n, 'StreamPushed'],
        ]);
        expect(changes).toEqual(rows('callback_log'));
      });
  });

  it('keeps how many callbacks of each type the log holds, batch after batch and across a reopening: the totalCount of the list', () => {
    const interruption = { event_type: 0, sequence: '1', stream_id: 'cam', errcode: 1 };
    spec
      .given(callback(push), callback(unknownType), quarantined(push))
      .when([callback(push), callback(interruption), callback(unknownType), quarantined(interruption)], { times: 2, reopened: true })
      .then(({ rows, db }) => {
        expect(rows('callback_counts')).toEqual([
          { type: 'StreamInterrupted', count: 2 },
          { type: 'StreamPushed', count: 3 },
          { type: 'UnrecognizedCallbackReceived', count: 3 },
        ]);
        const callbacks = callbackLogQueries(db);
        const total = (filter: { type?: string; stream?: string }) => callbacks.list(filter, 0, null).totalCount();
        expect(total({})).toBe(rows('callback_log').length);
        expect(total({ type: 'StreamPushed' })).toBe(3);
        expect(total({ type: 'RelayTaskStarted' })).toBe(0);
        expect(total({ type: 'StreamPushed', stream: 'session-1' })).toBe(rows('callback_log').filter((row) => row.type === 'StreamPushed' && row.stream === 'session-1').length);
      });
  });

  it('leaves quarantined callbacks out: they are not in the log until promoted', () => {
    spec.given().when([quarantined(push)]).then({ callback_log: [] });
  });
});
