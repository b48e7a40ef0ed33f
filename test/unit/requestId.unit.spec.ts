import { requestIdOf } from '../../src/http/requestId';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const withHeader = (value: string | string[] | undefined) => ({ headers: { 'x-request-id': value } });

describe('requestIdOf', () => {
  it.each(['0d9e4c1e-8f0b-4e8e-9a55-3c1f2b7d6a10', '01HZX3K5Q2W8Y7V6T5R4E3D2C1', 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8', 'a', 'x'.repeat(128)])(
    'keeps the caller\'s id %s',
    (id) => expect(requestIdOf(withHeader(id))).toBe(id),
  );

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['with a space', 'two words'],
    ['with a quote', 'a"b'],
    ['with a newline', 'a\nb'],
    ['with non-ASCII', 'ид'],
    ['sent twice', ['a', 'b']],
  ])('replaces an id that is %s with a fresh UUID', (_, value) => {
    const id = requestIdOf(withHeader(value));
    expect(id).toMatch(UUID);
    expect(requestIdOf(withHeader(value))).not.toBe(id);
  });
});
