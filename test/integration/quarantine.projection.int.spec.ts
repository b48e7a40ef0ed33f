// The quarantine listing projection against a real read-model file: one entry per quarantined callback, marked once promoted.
import { quarantineProjection } from '../../src/readmodels/quarantine/quarantine.projection';
import { callback, projectionSpec, promoted, quarantined, RECEIVED_AT } from '../support/projectionSpec';

const push = { event_type: 1, sequence: '1', stream_id: 'cam', event_time: 1_700_000_000 };

describe('quarantine projection', () => {
  const spec = projectionSpec(quarantineProjection);

  it('lists a quarantined callback as the event it would become, not promoted', () => {
    spec.given().when([quarantined(push, RECEIVED_AT)]).then({
      quarantined_callbacks: [
        { position: 1n, type: 'StreamPushed', stream: 'session-1', receivedAt: RECEIVED_AT, reason: 'expired', lateSeconds: 90, keyIndex: 0, raw: JSON.stringify(push), promotedAt: null },
      ],
    });
  });

  it('marks it promoted, once, however often either arrives', () => {
    spec
      .given(quarantined(push))
      .when([promoted(push, RECEIVED_AT + 60_000)], { times: 2 })
      .then({ quarantined_callbacks: [{ type: 'StreamPushed', promotedAt: RECEIVED_AT + 60_000 }] });
    spec.given().when([quarantined(push)], { times: 2 }).then({ quarantined_callbacks: [{ position: 1n, promotedAt: null }] });
  });

  it('reads nothing of the callback log', () => {
    spec.given().when([callback(push)]).then({ quarantined_callbacks: [] });
  });
});
