import { embeddedObject, givenInteger, identifier, integer, text, urlList } from '../../src/domain/fieldValues';

describe('field values', () => {
  it('reads integers written as numbers or strings', () => {
    expect(integer(-22)).toBe(-22);
    expect(integer('-22')).toBe(-22);
    expect(integer(' 7 ')).toBe(7);
    expect(integer('7.5')).toBeNull();
    expect(integer('abc')).toBeNull();
    expect(integer('99999999999999999999')).toBeNull();
    expect(integer(null)).toBeNull();
    expect(integer(undefined)).toBeNull();
  });

  it('treats 0 as "not given" for times', () => {
    expect(givenInteger(0)).toBeNull();
    expect(givenInteger('0')).toBeNull();
    expect(givenInteger('1712893433')).toBe(1712893433);
  });

  it('reads text from strings and numbers, empty as absent', () => {
    expect(text(' live ')).toBe('live');
    expect(text('')).toBeNull();
    expect(text(4)).toBe('4');
    expect(text(true)).toBeNull();
    expect(text({})).toBeNull();
  });

  it('accepts identifiers usable in stream names only', () => {
    expect(identifier('6674468118806626493')).toBe('6674468118806626493');
    expect(identifier(118148)).toBe('118148');
    expect(identifier('has space')).toBeNull();
    expect(identifier('x'.repeat(129))).toBeNull();
  });

  it('parses msg whether sent as a JSON string or an object', () => {
    expect(embeddedObject('{"code":-22,"message":"write packet error."}')).toEqual({ code: -22, message: 'write packet error.' });
    expect(embeddedObject({ index: 0 })).toEqual({ index: 0 });
    expect(embeddedObject('not json')).toBeNull();
    expect(embeddedObject('[1]')).toBeNull();
  });

  it('parses source_urls as a JSON array in a string with a trailing newline', () => {
    expect(urlList('["http://a/1.m3u8","http://b/2.m3u8"]\n')).toEqual(['http://a/1.m3u8', 'http://b/2.m3u8']);
    expect(urlList(['http://a/1.m3u8'])).toEqual(['http://a/1.m3u8']);
    expect(urlList('http://plain/url.m3u8')).toEqual(['http://plain/url.m3u8']);
    expect(urlList('')).toEqual([]);
    expect(urlList(undefined)).toEqual([]);
  });
});
