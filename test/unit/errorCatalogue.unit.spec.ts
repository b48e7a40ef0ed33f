import { ERRORS, graphqlCode, isErrorSlug, statusOf, type ErrorSlug } from '../../src/errors/catalogue';

const slugs = Object.keys(ERRORS) as ErrorSlug[];

describe('error catalogue', () => {
  it('names each error by a lower-case slug with a status in the 4xx and 5xx ranges and a meaning', () => {
    for (const slug of slugs) {
      expect(slug).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(statusOf(slug)).toBeGreaterThanOrEqual(400);
      expect(statusOf(slug)).toBeLessThanOrEqual(599);
      expect(ERRORS[slug].meaning.trim()).not.toBe('');
    }
  });

  it('gives each slug a GraphQL code of its own, in capitals', () => {
    const codes = slugs.map(graphqlCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(graphqlCode('bad_user_input')).toBe('BAD_USER_INPUT');
    expect(graphqlCode('internal_error')).toBe('INTERNAL_SERVER_ERROR');
  });

  it('lists every slug the callback route answers with, and no stranger', () => {
    for (const slug of ['empty_body', 'invalid_encoding', 'invalid_json', 'not_an_object', 'bad_signature', 'store_unavailable']) {
      expect(isErrorSlug(slug)).toBe(true);
    }
    expect(isErrorSlug('toString')).toBe(false);
    expect(isErrorSlug('no_such_error')).toBe(false);
  });
});
