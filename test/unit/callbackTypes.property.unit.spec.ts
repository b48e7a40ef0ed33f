// Properties of every documented callback type under shape drift (numbers as strings, missing fields, extra
// fields, JSON inside strings or not, wrong types): interpretation never throws, never loses the raw body,
// keeps the type unless what identifies it is gone, and decodes the same fields whatever the encoding.
import fc from 'fast-check';
import type { CallbackEvent, CallbackEventType } from '../../src/domain/callbackEvents';
import { reinterpretStoredCallback } from '../../src/domain/reinterpretStoredCallback';
import { sessionTieOf } from '../../src/domain/sessionTie';
import { summarize } from '../../src/domain/summarize';
import { storedCallback } from '../../src/ingest/storedCallback';
import { callbackTypeFixtures, interpretRaw } from '../support/callbackTypeFixtures';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Body = { [key: string]: Json };

const fixtures = callbackTypeFixtures();
const ID = '[\\x21-\\x7e]{1,128}';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const streamIn = (...categories: string[]) => new RegExp(`^(${categories.join('|')})-${ID}$`);

/** The streams each type may land in. */
const STREAMS: Partial<Record<CallbackEventType, RegExp>> = {
  PushAnomaliesReported: streamIn('session'),
  RelayTaskReconfigured: streamIn('relaytask'),
  RecordingFileGenerated: new RegExp(`^(recording-${ID}|recordingfile-${UUID})$`),
  RecordingStatusChanged: streamIn('recording'),
  RecordingExceptionReported: streamIn('recording'),
  ScreenshotTaken: new RegExp(`^(screenshottask-${ID}|screenshot-${UUID})$`),
  ImageModerationFlagged: new RegExp(`^moderation-${UUID}$`),
  AudioModerationFlagged: new RegExp(`^moderation-${UUID}$`),
  StreamMonitoringReported: new RegExp(`^monitoring-${UUID}$`),
  SubtitlesGenerated: streamIn('subtitles'),
  SmartErasureApplied: streamIn('erasure'),
  QualityIssueDetected: new RegExp(`^quality-${UUID}$`),
  QualityThresholdBreached: new RegExp(`^quality-${UUID}$`),
  QualityScoreReported: new RegExp(`^quality-${UUID}$`),
  StreamSummaryGenerated: new RegExp(`^summary-${UUID}$`),
  HighlightsGenerated: new RegExp(`^highlights-${UUID}$`),
  UnrecognizedCallbackReceived: new RegExp(`^(unrecognized-${UUID}|relaytask-${ID}|recording-${ID})$`),
};

/** The event type each documented example becomes. */
const TYPES: Record<string, CallbackEventType> = {
  'recording-file': 'RecordingFileGenerated',
  'recording-file-2021': 'RecordingFileGenerated',
  'recording-status': 'RecordingStatusChanged',
  'recording-exception': 'RecordingExceptionReported',
  screenshot: 'ScreenshotTaken',
  'image-moderation': 'ImageModerationFlagged',
  'image-moderation-2020': 'ImageModerationFlagged',
  'audio-moderation': 'AudioModerationFlagged',
  'push-anomalies': 'PushAnomaliesReported',
  'relay-reset-task-config': 'RelayTaskReconfigured',
  monitoring: 'StreamMonitoringReported',
  subtitles: 'SubtitlesGenerated',
  'quality-issue': 'QualityIssueDetected',
  'quality-threshold': 'QualityThresholdBreached',
  'quality-score': 'QualityScoreReported',
  'smart-erasure': 'SmartErasureApplied',
  summary: 'StreamSummaryGenerated',
  highlights: 'HighlightsGenerated',
};

/** The fields whose absence alone makes each example unrecognized. */
const IDENTITY: Record<string, string[]> = {
  'recording-file': ['stream_id'],
  'recording-file-2021': ['stream_id'],
  'recording-status': ['session_id', 'record_event'],
  'recording-exception': ['session_id'],
  screenshot: ['stream_id'],
  'image-moderation': ['streamId'],
  'image-moderation-2020': ['streamId'],
  'audio-moderation': ['stream_id'],
  'push-anomalies': ['sequence'],
  'relay-reset-task-config': ['task_id', 'callback_event'],
  monitoring: [],
  subtitles: ['task_id'],
  'quality-issue': ['stream_id'],
  'quality-threshold': ['stream_id'],
  'quality-score': ['stream_id'],
  'smart-erasure': ['task_id'],
  summary: ['stream_id'],
  highlights: ['stream_id'],
};

/** Fields CSS sends either as JSON inside a string or as the JSON itself. */
const EMBEDDED = ['callback_ext', 'record_detail', 'msg', 'abnormal_event', 'exception', 'data', 'source_urls'];

const bodyOf = (raw: string): Body => JSON.parse(raw) as Body;
const interpreted = (body: Body): CallbackEvent => interpretRaw(JSON.stringify(body));

/** Every number, at any depth, written as a string. */
function numbersAsStrings(value: Json): Json {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(numbersAsStrings);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, numbersAsStrings(v)]));
  return value;
}

/** JSON inside a string becomes the JSON itself, and the other way round. */
function toggled(value: Json): Json {
  if (typeof value !== 'string') return JSON.stringify(value);
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

/** What every interpretation must satisfy; returns the event. */
function examine(text: string, expectedType: string): CallbackEvent {
  const event = interpretRaw(text);
  expect(event.raw).toBe(text);
  expect([expectedType, 'UnrecognizedCallbackReceived']).toContain(event.type);
  expect(event.stream).toMatch(STREAMS[event.type]!);
  const stored = JSON.parse(JSON.stringify(storedCallback(event, { receivedAt: '2024-01-01T00:00:00.000Z', authenticatedBy: 'none' }))) as {
    type: string;
    data: { [key: string]: unknown };
  };
  expect(stored.data.raw).toBe(text);
  expect(summarize(event).length).toBeGreaterThan(0);
  sessionTieOf(event, 0);
  const reread = reinterpretStoredCallback({ id: event.id, stream: event.stream, type: stored.type, data: stored.data });
  expect(reread).toMatchObject({ type: event.type, fields: stored.data.fields, stream: event.stream, interpretedStream: event.stream });
  return event;
}

const fixtureArbitrary = fc.constantFrom(...fixtures);
const extraKey = fc.string({ minLength: 1, maxLength: 10 }).map((key) => `x_${key}`);

describe('every callback type under shape drift', () => {
  it('decodes the same fields when every number is sent as a string', () => {
    for (const fixture of fixtures) {
      const original = examine(fixture.raw, TYPES[fixture.name]!);
      expect({ name: fixture.name, type: original.type }).toEqual({ name: fixture.name, type: TYPES[fixture.name] });
      const drifted = interpreted(numbersAsStrings(bodyOf(fixture.raw)) as Body);
      expect({ name: fixture.name, type: drifted.type, fields: drifted.fields }).toEqual({ name: fixture.name, type: original.type, fields: original.fields });
    }
  });

  it('decodes the same fields whether embedded JSON comes inside a string or not', () => {
    for (const fixture of fixtures) {
      const body = bodyOf(fixture.raw);
      const original = interpreted(body);
      for (const key of EMBEDDED.filter((k) => Object.hasOwn(body, k))) {
        const drifted = interpreted({ ...body, [key]: toggled(body[key]!) });
        expect({ name: fixture.name, key, fields: drifted.fields }).toEqual({ name: fixture.name, key, fields: original.fields });
      }
    }
  });

  it('ignores fields it does not know, keeping them in raw', () => {
    fc.assert(
      fc.property(fixtureArbitrary, fc.dictionary(extraKey, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 }), (fixture, extras) => {
        const text = JSON.stringify({ ...bodyOf(fixture.raw), ...(extras as Body) });
        const event = examine(text, TYPES[fixture.name]!);
        expect(event.fields).toEqual(interpretRaw(fixture.raw).fields);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the type when a field goes missing, unless it is what identifies the callback', () => {
    for (const fixture of fixtures) {
      const body = bodyOf(fixture.raw);
      const type = TYPES[fixture.name]!;
      for (const key of Object.keys(body)) {
        const { [key]: _gone, ...rest } = body;
        const event = examine(JSON.stringify(rest), type);
        const identifying = key === 'event_type' || IDENTITY[fixture.name]!.includes(key);
        expect({ name: fixture.name, key, type: event.type }).toEqual({ name: fixture.name, key, type: identifying ? 'UnrecognizedCallbackReceived' : type });
      }
    }
  });

  it('never throws, whatever mixture of drift and wrong types a field gets', () => {
    const drift = fc.oneof(
      fc.constant<'strings'>('strings'),
      fc.constant<'toggle'>('toggle'),
      fc.constant<'drop'>('drop'),
      fc.jsonValue({ maxDepth: 3 }).map((value) => ({ replace: value as Json })),
      fc.constantFrom<Json>('', ' ', '0', 0, -1, '1e400', 'NaN', [], {}, '{', '[1,{"a":"b"}]', '__proto__', 1e300, 9007199254740993).map((value) => ({ replace: value })),
    );
    fc.assert(
      fc.property(fixtureArbitrary, fc.array(fc.tuple(fc.nat(), drift), { minLength: 1, maxLength: 6 }), (fixture, changes) => {
        const body = bodyOf(fixture.raw);
        // event_type stays: another value makes another type (0 with a sequence is an interruption).
        const keys = Object.keys(body).filter((key) => key !== 'event_type');
        for (const [at, change] of changes) {
          const key = keys[at % keys.length]!;
          if (change === 'drop') delete body[key];
          else if (change === 'strings' && Object.hasOwn(body, key)) body[key] = numbersAsStrings(body[key]!);
          else if (change === 'toggle' && Object.hasOwn(body, key)) body[key] = toggled(body[key]!);
          else if (typeof change === 'object') body[key] = change.replace;
        }
        examine(JSON.stringify(body), TYPES[fixture.name]!);
      }),
      { numRuns: 600 },
    );
  });
});
