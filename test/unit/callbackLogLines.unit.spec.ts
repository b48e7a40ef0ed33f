import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { exportLine, readImportLine } from '../../src/ingest/callbackLogLines';

const RAW = '{"event_type":1,"sequence":"6674468118806626493","stream_id":"s"}';

const recorded = (overrides: Partial<RecordedEvent> = {}): RecordedEvent => ({
  id: '0b5d2f2e-0000-5000-8000-000000000001',
  type: 'StreamPushed',
  stream: 'session-6674468118806626493',
  revision: 0n,
  position: 12_345_678_901_234_567_890n,
  data: { fields: {}, raw: RAW },
  metadata: { receivedAt: '2024-05-01T10:00:00.123Z', clientAddress: '127.0.0.1', authenticatedBy: 'none' },
  recordedAt: new Date('2024-05-01T10:00:00.200Z'),
  ...overrides,
});

describe('exportLine', () => {
  it('writes receivedAt, the raw body as a JSON string, and the event it became', () => {
    expect(JSON.parse(exportLine(recorded())!)).toEqual({
      receivedAt: '2024-05-01T10:00:00.123Z',
      raw: RAW,
      eventId: '0b5d2f2e-0000-5000-8000-000000000001',
      type: 'StreamPushed',
      stream: 'session-6674468118806626493',
      position: '12345678901234567890',
    });
  });

  it('falls back to the time the store recorded when the metadata has no receivedAt', () => {
    expect(JSON.parse(exportLine(recorded({ metadata: {} }))!).receivedAt).toBe('2024-05-01T10:00:00.200Z');
  });

  it('leaves out events without a raw callback (not written by this service)', () => {
    expect(exportLine(recorded({ data: { something: 'else' } }))).toBeNull();
  });
});

describe('readImportLine', () => {
  it('reads an exported line back: the same raw body, the same receivedAt', () => {
    const read = readImportLine(exportLine(recorded({ data: { fields: {}, raw: `\ufeff${RAW}` } }))!);
    expect(read).toEqual({
      kind: 'callback',
      raw: `\ufeff${RAW}`, // kept exactly as received, byte order mark included
      payload: { event_type: 1, sequence: '6674468118806626493', stream_id: 's' },
      receivedAt: '2024-05-01T10:00:00.123Z',
    });
  });

  it('takes a bare CSS callback line as the callback itself, received now, without losing digits', () => {
    const line = '{"event_type":1,"sequence":6674468118806626493,"raw":"not an envelope: it has event_type"}';
    expect(readImportLine(line)).toEqual({
      kind: 'callback',
      raw: line,
      payload: { event_type: 1, sequence: '6674468118806626493', raw: 'not an envelope: it has event_type' },
      receivedAt: null,
    });
  });

  it("drops a file's byte order mark and skips blank lines", () => {
    expect(readImportLine(`\ufeff${RAW}`)).toMatchObject({ kind: 'callback', raw: RAW });
    expect(readImportLine('')).toEqual({ kind: 'blank' });
    expect(readImportLine('  \t')).toEqual({ kind: 'blank' });
  });

  it('takes an envelope without receivedAt as received now', () => {
    expect(readImportLine(JSON.stringify({ raw: RAW }))).toMatchObject({ kind: 'callback', raw: RAW, receivedAt: null });
  });

  it('rejects lines that are not JSON objects, saying why', () => {
    expect(readImportLine('{"event_type":1,')).toEqual({ kind: 'rejected', reason: expect.stringMatching(/^invalid_json: line is not valid JSON/) });
    expect(readImportLine('[1,2]')).toEqual({ kind: 'rejected', reason: 'not_an_object: line must be a JSON object, got an array' });
    expect(readImportLine('"text"')).toEqual({ kind: 'rejected', reason: 'not_an_object: line must be a JSON object, got a string' });
  });

  it('rejects an envelope whose raw is not a callback or whose receivedAt is not a date', () => {
    expect(readImportLine(JSON.stringify({ raw: 'nope' }))).toEqual({ kind: 'rejected', reason: expect.stringMatching(/^invalid_json: raw is not valid JSON/) });
    expect(readImportLine(JSON.stringify({ raw: '42' }))).toEqual({ kind: 'rejected', reason: 'not_an_object: raw must be a JSON object, got a number' });
    expect(readImportLine(JSON.stringify({ raw: RAW, receivedAt: 'yesterday' }))).toEqual({
      kind: 'rejected',
      reason: 'invalid_received_at: receivedAt "yesterday" is not a date',
    });
  });
});
