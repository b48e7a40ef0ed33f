import { parseCallbackBody, type CallbackPayload } from '../../src/domain/callbackJson';
import { callbackEventId } from '../../src/domain/eventId';

function payloadOf(raw: string): CallbackPayload {
  const parsed = parseCallbackBody(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.payload;
}
const idOf = (raw: string) => callbackEventId(payloadOf(raw));

describe('callbackEventId', () => {
  const push = '{"event_type":1,"sequence":"6674468118806626493","stream_id":"s","t":1545030873,"sign":"ca3e25e5dc17a6f9909a9ae7281e300d"}';

  it('is a UUID', () => {
    expect(idOf(push)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps the ids already in every log: the same callback maps to the same UUID in every version', () => {
    expect(idOf(push)).toBe('3f1d9c0e-5e5b-51c4-bb10-e7daed561869');
    expect(idOf('{"event_type":1,"stream_id":"流","sequence":"1"}')).toBe('388df6e9-015c-53f3-b805-6465cc2d7746');
  });

  it('is the same for a retry that carries a fresh t and sign', () => {
    const retry = '{"event_type":1,"sequence":"6674468118806626493","stream_id":"s","t":1545031473,"sign":"00000000000000000000000000000000"}';
    expect(idOf(retry)).toBe(idOf(push));
  });

  it('ignores key order and whitespace', () => {
    const reordered = '{ "sign":"x", "stream_id":"s",\n "sequence":"6674468118806626493", "event_type":1 }';
    expect(idOf(reordered)).toBe(idOf(push));
  });

  it('differs when anything but t and sign differs', () => {
    expect(idOf(push.replace('"stream_id":"s"', '"stream_id":"s2"'))).not.toBe(idOf(push));
    expect(idOf(push.replace('"event_type":1', '"event_type":0'))).not.toBe(idOf(push));
  });

  it('counts a __proto__ key like any other', () => {
    expect(idOf('{"__proto__":{"a":1},"event_type":100}')).not.toBe(idOf('{"event_type":100}'));
  });
});
