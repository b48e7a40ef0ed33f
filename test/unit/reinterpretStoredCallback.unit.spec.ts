// Events stored before a callback type was modelled read as the typed events their raw bodies stand for.
import { reinterpretStoredCallback, type StoredCallback } from '../../src/domain/reinterpretStoredCallback';
import { callbackTypeFixture, interpretRaw } from '../support/callbackTypeFixtures';

/** An event as this service stored it before its type was modelled: UnrecognizedCallbackReceived in `unrecognized-<event id>`. */
function storedBeforeTheUpgrade(raw: string): StoredCallback {
  const id = interpretRaw(raw).id;
  const eventType = String((JSON.parse(raw) as { event_type: unknown }).event_type);
  return {
    id,
    type: 'UnrecognizedCallbackReceived',
    stream: `unrecognized-${id}`,
    data: { fields: { eventType, callbackEvent: null, reason: `event_type ${eventType} is not one this service models` }, raw },
  };
}

describe('reinterpretStoredCallback', () => {
  it.each([
    ['recording-file', 'RecordingFileGenerated', 'recordingfile-<event id>'],
    ['recording-status', 'RecordingStatusChanged', 'recording-2918085116267032069'],
    ['push-anomalies', 'PushAnomaliesReported', 'session-000000000000000000'],
    ['image-moderation', 'ImageModerationFlagged', 'moderation-<event id>'],
    ['relay-reset-task-config', 'RelayTaskReconfigured', 'relaytask-118145'],
  ])('reads an unrecognized %s stored before the upgrade as %s, keeping its id and stored stream', (name, type, interpretedStream) => {
    const { raw } = callbackTypeFixture(name);
    const stored = storedBeforeTheUpgrade(raw);
    const reread = reinterpretStoredCallback(stored);
    expect(reread).toEqual({
      type,
      fields: interpretRaw(raw).fields,
      id: stored.id,
      stream: stored.stream,
      interpretedStream: interpretedStream.replace('<event id>', stored.id),
      raw,
      upcast: true,
    });
  });

  it('keeps the stored id even where the body would derive another (an event some other writer keyed)', () => {
    const stored = { ...storedBeforeTheUpgrade(callbackTypeFixture('screenshot').raw), id: '00000000-0000-4000-8000-000000000000' };
    expect(reinterpretStoredCallback(stored)).toMatchObject({ type: 'ScreenshotTaken', id: '00000000-0000-4000-8000-000000000000' });
  });

  it('returns an event of a modelled type as stored, fields untouched', () => {
    const stored: StoredCallback = {
      id: 'e1',
      type: 'StreamPushed',
      stream: 'session-1',
      data: { fields: { sequence: '1', streamId: 'as stored' }, raw: '{"event_type":1,"sequence":"1","stream_id":"as received"}' },
    };
    expect(reinterpretStoredCallback(stored)).toEqual({
      type: 'StreamPushed',
      fields: { sequence: '1', streamId: 'as stored' },
      id: 'e1',
      stream: 'session-1',
      interpretedStream: 'session-1',
      raw: stored.data.raw,
      upcast: false,
    });
  });

  it('leaves a callback that is still of no known type unrecognized, with today’s reason', () => {
    const reread = reinterpretStoredCallback(storedBeforeTheUpgrade('{"event_type":9999,"x":1}'));
    expect(reread).toMatchObject({ type: 'UnrecognizedCallbackReceived', upcast: false, fields: { reason: 'event_type 9999 is not one this service models' } });
  });

  it('keeps an unrecognized event whose body is not a JSON object as stored', () => {
    const stored: StoredCallback = { id: 'e2', type: 'UnrecognizedCallbackReceived', stream: 'unrecognized-e2', data: { fields: { reason: 'old' }, raw: 'not json' } };
    expect(reinterpretStoredCallback(stored)).toMatchObject({ type: 'UnrecognizedCallbackReceived', fields: { reason: 'old' }, upcast: false });
  });

  it.each([
    ['a type this service never wrote', { type: 'SomethingElse' }],
    ['no raw body', { data: { fields: {} } }],
    ['no fields', { data: { raw: '{}' } }],
  ])('answers null for %s', (_label, change) => {
    const stored: StoredCallback = { id: 'e3', type: 'UnrecognizedCallbackReceived', stream: 'unrecognized-e3', data: { fields: {}, raw: '{}' }, ...change };
    expect(reinterpretStoredCallback(stored)).toBeNull();
  });
});
