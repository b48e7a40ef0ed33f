// Pure translations of the EventStoreDB adapter: connection descriptions, event ids, recorded events.
import type { AllStreamResolvedEvent } from '@eventstore/db-client';
import { describeConnection, toRecordedEvent, uniqueEvents } from '../../src/eventstore/eventstoredb/eventStoreDbMapping';

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

function resolved(overrides: Partial<NonNullable<AllStreamResolvedEvent['event']>> = {}): AllStreamResolvedEvent {
  return {
    event: {
      streamId: 'session-1',
      id: ID,
      isJson: true,
      revision: 3n,
      type: 'StreamPushed',
      created: new Date('2024-05-01T00:00:00Z'),
      data: { sequence: '6917328961587068736' },
      metadata: { receivedAt: 'x' },
      position: { commit: 1234n, prepare: 1234n },
      ...overrides,
    } as NonNullable<AllStreamResolvedEvent['event']>,
    commitPosition: 1234n,
  };
}

describe('describeConnection', () => {
  it.each([
    ['esdb://localhost:2113?tls=false', 'eventstoredb:localhost:2113'],
    ['esdb://admin:changeit@db.internal:2113?tls=true&tlsVerifyCert=false', 'eventstoredb:db.internal:2113'],
    ['esdb://esdb-node1:2113,esdb-node2:2113,esdb-node3:2113?tls=false', 'eventstoredb:esdb-node1:2113,esdb-node2:2113,esdb-node3:2113'],
    ['esdb+discover://user:p%40ss@cluster.dns:2113', 'eventstoredb:cluster.dns:2113'],
    ['esdb://db/?tls=false', 'eventstoredb:db'],
  ])('describes %s as %s, without credentials or options', (connectionString, description) => {
    expect(describeConnection(connectionString)).toBe(description);
  });
});

describe('uniqueEvents', () => {
  it('keeps the first of repeated ids, comparing them as UUIDs (case-insensitive)', () => {
    const events = [
      { id: ID, type: 'A', data: {} },
      { id: ID.toUpperCase(), type: 'B', data: {} },
    ];
    expect(uniqueEvents(events).map((e) => e.type)).toEqual(['A']);
  });

  it('rejects what the server would reject, as the caller’s error: non-UUID ids and data that is not JSON', () => {
    expect(() => uniqueEvents([{ id: 'retry-1', type: 'A', data: {} }])).toThrow(TypeError);
    expect(() => uniqueEvents([{ id: ID, type: 'A', data: { sequence: 1n } }])).toThrow(TypeError);
  });
});

describe('toRecordedEvent', () => {
  it('maps an event: position is the commit position, recordedAt the created date, data and metadata as stored', () => {
    expect(toRecordedEvent(resolved())).toEqual({
      id: ID,
      type: 'StreamPushed',
      stream: 'session-1',
      revision: 3n,
      position: 1234n,
      data: { sequence: '6917328961587068736' },
      metadata: { receivedAt: 'x' },
      recordedAt: new Date('2024-05-01T00:00:00Z'),
    });
  });

  it('gives an event without metadata an empty object', () => {
    expect(toRecordedEvent(resolved({ metadata: undefined }))!.metadata).toEqual({});
  });

  it('leaves out system events and unresolved links', () => {
    expect(toRecordedEvent(resolved({ type: '$streamDeleted' }))).toBeUndefined();
    expect(toRecordedEvent({ commitPosition: 1n })).toBeUndefined();
  });

  it('keeps data another writer stored as something else than a JSON object', () => {
    expect(toRecordedEvent(resolved({ data: [1, 2] as never }))!.data).toEqual({ value: [1, 2] });
    expect(toRecordedEvent(resolved({ isJson: false, data: Buffer.from('{"a":1}') as never } as never))!.data).toEqual({ a: 1 });
    expect(toRecordedEvent(resolved({ isJson: false, data: new Uint8Array([0xff, 0x00]) as never } as never))!.data).toEqual({ base64: '/wA=' });
  });
});
