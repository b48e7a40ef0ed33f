import fc from 'fast-check';
import { isSafeNumber, parse } from 'lossless-json';
import { parseCallbackBody, parseJsonLosslessly } from '../../src/domain/callbackJson';

describe('parseCallbackBody', () => {
  it('keeps every digit of a 64-bit sequence written as a JSON number', () => {
    const parsed = parseCallbackBody('{"sequence": 6674468118806626493, "errcode": 0}');
    expect(parsed).toEqual({ ok: true, payload: { sequence: '6674468118806626493', errcode: 0 } });
  });

  it('keeps numbers a double holds as numbers', () => {
    const parsed = parseCallbackBody('{"appid": 12345678, "ratio": 1.5, "code": -22}');
    expect(parsed).toEqual({ ok: true, payload: { appid: 12345678, ratio: 1.5, code: -22 } });
  });

  it.each([
    ['not JSON', 'event_type=1&sequence=1', 'invalid_json'],
    ['truncated JSON', '{"event_type": 1', 'invalid_json'],
    ['empty', '', 'invalid_json'],
    ['an array', '[{"event_type": 1}]', 'not_an_object'],
    ['a string', '"hello"', 'not_an_object'],
    ['a number', '42', 'not_an_object'],
    ['null', 'null', 'not_an_object'],
  ])('rejects a body that is %s', (_label, body, error) => {
    const parsed = parseCallbackBody(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toBe(error);
      expect(parsed.message).toMatch(error === 'invalid_json' ? /not valid JSON/ : /must be a JSON object/);
    }
  });

  it('takes a key given twice as its last value, whether or not the body carries a number wider than a double', () => {
    // The same answer on both parsing paths: a wide sequence elsewhere in the body must not turn it into a 400.
    expect(parseCallbackBody('{"errcode": 1, "errcode": 3, "event_type": 0}')).toEqual({ ok: true, payload: { errcode: 3, event_type: 0 } });
    expect(parseCallbackBody('{"errcode": 1, "errcode": 3, "sequence": 6674468118806626493}')).toEqual({
      ok: true,
      payload: { errcode: 3, sequence: '6674468118806626493' },
    });
  });

  it('keeps a __proto__ key as data without touching any prototype', () => {
    const parsed = parseCallbackBody('{"__proto__": {"polluted": true}, "event_type": 100}');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(Object.getPrototypeOf(parsed.payload)).toBe(Object.prototype);
      expect(Object.keys(parsed.payload)).toEqual(['__proto__', 'event_type']);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseCallbackBody on deeply nested documents', () => {
  const nested = (levels: number) => `{"event_type":100,"deep":${'['.repeat(levels)}1${']'.repeat(levels)}}`;

  it('takes nesting up to 512 levels', () => {
    expect(parseCallbackBody(nested(511)).ok).toBe(true);
  });

  it('refuses deeper nesting with a message instead of overflowing the stack later', () => {
    expect(parseCallbackBody(nested(600))).toEqual({
      ok: false,
      error: 'invalid_json',
      message: 'body is not valid JSON: nesting deeper than 512 levels',
    });
  });

  it('does not count brackets inside strings', () => {
    expect(parseCallbackBody(`{"msg":"${'['.repeat(5000)}"}`).ok).toBe(true);
  });
});

describe('parseJsonLosslessly: the plain JSON.parse path and the lossless one agree', () => {
  const losslessly = (text: string) => parse(text, undefined, (digits: string) => (isSafeNumber(digits) ? Number(digits) : digits));
  // Numbers of every shape: wide integers, long fractions, exponents, negative zero, and plain ones.
  const numberText = fc.oneof(
    fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: -400, max: 400 })).map(([a, b, e]) => `${a}.${b}e${e}`),
    fc.constantFrom('0', '-0', '1.0', '0.000001234567890123456', '123456789012345.6', '1234567890.1234567', '1e400', '1E-400'),
  );
  const body = fc.tuple(fc.array(numberText, { maxLength: 5 }), fc.string({ maxLength: 20 })).map(
    ([numbers, text]) => `{"n":[${numbers.join(',')}],"s":${JSON.stringify(text)},"x":{"q":${numbers[0] ?? 1}}}`,
  );

  it('gives the lossless parser\'s values for every number', () => {
    fc.assert(
      fc.property(body, (text) => {
        expect(parseJsonLosslessly(text)).toEqual(losslessly(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the digits of a wide number inside an array of small ones, and digits inside strings stay text', () => {
    expect(parseJsonLosslessly('{"a":[1,2,6674468118806626493],"s":"12345678901234567890"}')).toEqual({
      a: [1, 2, '6674468118806626493'],
      s: '12345678901234567890',
    });
  });
});
