// The DateTime scalar answers what Date.prototype.toISOString does, for every valid date, without Date objects in the result.
import fc from 'fast-check';
import { DateTimeScalar, isoDateTime } from '../../src/graphql/dates';

const MAX_DATE_MS = 8.64e15; // the largest time value a Date holds, either way of the epoch

describe('isoDateTime', () => {
  it.each([0, -1, 1, 951782400000, 951868799999, 1700041482234, 253402300799999, 253402300800000, -62167219200001, MAX_DATE_MS, -MAX_DATE_MS])(
    'matches toISOString at %p',
    (ms) => {
      expect(isoDateTime(new Date(ms))).toBe(new Date(ms).toISOString());
    },
  );

  it('matches toISOString for any valid date', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }), (ms) => isoDateTime(new Date(ms)) === new Date(ms).toISOString()),
      { numRuns: 20_000 },
    );
  });
});

describe('DateTimeScalar', () => {
  it('serializes a Date as its ISO string, as JSON.stringify would have', () => {
    const date = new Date(Date.UTC(2023, 10, 15, 11, 17, 14, 234));
    expect(DateTimeScalar.serialize(date)).toBe('2023-11-15T11:17:14.234Z');
    expect(JSON.stringify({ at: DateTimeScalar.serialize(date) })).toBe(JSON.stringify({ at: date }));
  });

  it('still refuses what graphql-scalars refuses', () => {
    expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow(/invalid Date/);
    expect(() => DateTimeScalar.serialize({})).toThrow(/DateTime cannot be serialized/);
  });
});
