// CSS times in seconds, milliseconds or microseconds, as numbers or strings, all read as Unix milliseconds.
import { unixMillis, unixMillisWithMicros } from '../../src/domain/timeValues';

describe('unixMillis', () => {
  it.each([
    [1700000000, 1700000000000],
    ['1700000000', 1700000000000],
    [1700000000.5, 1700000000500],
    [1670588070569, 1670588070569],
    ['1670588070569', 1670588070569],
    [1670588070569123, 1670588070569],
    [1670588070569123456, 1670588070569],
  ])('%j → %i', (value, expected) => {
    expect(unixMillis(value)).toBe(expected);
  });

  it.each([0, '0', -5, '', 'soon', null, [], {}, true, undefined])('%j is not given', (value) => {
    expect(unixMillis(value as never)).toBeNull();
  });
});

describe('unixMillisWithMicros', () => {
  it('adds the microseconds within the second', () => {
    expect(unixMillisWithMicros(1642089445, 316441)).toBe(1642089445316);
    expect(unixMillisWithMicros('1642089445', '316441')).toBe(1642089445316);
  });

  it('takes a full microsecond timestamp in the _usec field as is', () => {
    expect(unixMillisWithMicros(1642089445, 1642089445316441)).toBe(1642089445316);
    expect(unixMillisWithMicros(undefined, 1642089445316441)).toBe(1642089445316);
  });

  it('keeps the seconds alone when the microseconds are missing, 0, out of range, or the time already has milliseconds', () => {
    expect(unixMillisWithMicros(1642089445, undefined)).toBe(1642089445000);
    expect(unixMillisWithMicros(1642089445, 0)).toBe(1642089445000);
    expect(unixMillisWithMicros(1642089445, 5_000_000)).toBe(1642089445000);
    expect(unixMillisWithMicros(1642089445123, 316441)).toBe(1642089445123);
    expect(unixMillisWithMicros(0, 316441)).toBeNull();
  });
});
