// A session as it stood at an instant: only pushes and interruptions make one (a push anomaly report in its stream does not).
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { sessionAsOf } from '../../src/readmodels/sessions/sessionAsOf';
import { storedCallback } from '../../src/ingest/storedCallback';
import { interpretBody } from '../support/callbackTypeFixtures';

const RECEIVED = Date.parse('2024-01-01T00:00:00.000Z');

function recorded(body: object, position: bigint): RecordedEvent {
  const event = interpretBody(body);
  const stored = storedCallback(event, { receivedAt: new Date(RECEIVED).toISOString(), authenticatedBy: 'none' });
  return { ...stored, stream: event.stream, revision: position, position, metadata: stored.metadata ?? {}, recordedAt: new Date(RECEIVED) } as RecordedEvent;
}

describe('sessionAsOf', () => {
  const anomalies = recorded({ event_type: 321, sequence: '77', stream_id: 'cam1', abnormal_event: [{ type: 15, count: 3 }] }, 1n);
  const push = recorded({ event_type: 1, sequence: '77', stream_id: 'cam1', event_time: 1704067190 }, 2n);

  it('knows no session from a push anomaly report alone', () => {
    expect(anomalies.stream).toBe('session-77');
    expect(sessionAsOf('77', [anomalies], RECEIVED)).toBeNull();
  });

  it('folds the push beside the reports of its session', () => {
    expect(sessionAsOf('77', [anomalies, push], RECEIVED)).toMatchObject({ sequence: '77', streamId: 'cam1', status: 'LIVE' });
  });
});
