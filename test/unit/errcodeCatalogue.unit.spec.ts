import { describeInterruption, INTERRUPTION_CAUSES, type InterruptionCategory } from '../../src/domain/errcodeCatalogue';

const categoryOf = (errcode: number, subErrcode: number | null): InterruptionCategory | undefined =>
  describeInterruption(errcode, subErrcode)?.category;

describe('errcode catalogue (CSS "Stream Interruption Records", 267/31083)', () => {
  describe('table data', () => {
    it('has no duplicate (errcode, sub_errcode) pairs', () => {
      const pairs = INTERRUPTION_CAUSES.map((cause) => `${cause.errcode}:${cause.subErrcode}`);
      expect(new Set(pairs).size).toBe(pairs.length);
    });

    it('gives every entry a non-empty reason and integer codes', () => {
      for (const cause of INTERRUPTION_CAUSES) {
        expect(cause.reason.trim()).not.toBe('');
        expect(Number.isSafeInteger(cause.errcode)).toBe(true);
        expect(Number.isSafeInteger(cause.subErrcode)).toBe(true);
      }
    });

    it('holds exactly the rows recovered from the source: errcode 0-32 with the 18.x and 21.x breakdowns', () => {
      const subCodes = (errcode: number) => INTERRUPTION_CAUSES.filter((c) => c.errcode === errcode).map((c) => c.subErrcode);
      const errcodes = [...new Set(INTERRUPTION_CAUSES.map((c) => c.errcode))];
      expect(errcodes).toEqual(Array.from({ length: 33 }, (_, i) => i));
      expect(subCodes(18)).toEqual([100, 101, 102, 103, 104, 200, 201, 202, 203, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 400, 401, 500, 501, 502, 503, 600, 601, 602]);
      expect(subCodes(21)).toEqual([100, 101, 102, 103]);
      for (const errcode of errcodes.filter((e) => e !== 18 && e !== 21)) expect(subCodes(errcode)).toEqual([0]);
      expect(INTERRUPTION_CAUSES).toHaveLength(33 - 2 + 28 + 4);
    });

    it('cannot be modified', () => {
      expect(Object.isFrozen(INTERRUPTION_CAUSES)).toBe(true);
      expect(Object.isFrozen(INTERRUPTION_CAUSES[0])).toBe(true);
    });
  });

  describe('errcode 0-17 (sub_errcode 0)', () => {
    it.each<[number, InterruptionCategory]>([
      [0, 'UNKNOWN'],
      [1, 'CLIENT_STOPPED'],
      [4, 'CLIENT_STOPPED'],
      [5, 'CSS_INTERNAL'],
      [6, 'PROTOCOL'],
      [7, 'PROTOCOL'],
      [8, 'NO_DATA'],
      [9, 'CSS_INTERNAL'],
      [10, 'COMMAND'],
      [11, 'CSS_INTERNAL'],
      [12, 'CLIENT_NETWORK'],
      [16, 'CLIENT_NETWORK'], // the 2024 page; the 2022 English page called it an internal error
      [17, 'CLIENT_NETWORK'],
    ])('errcode %i is %s', (errcode, category) => {
      expect(describeInterruption(errcode, 0)).toEqual({ reason: expect.any(String), category, exact: true });
    });

    it('explains frame size and idle timeout in words', () => {
      expect(describeInterruption(7, 0)?.reason).toMatch(/frame/i);
      expect(describeInterruption(8, 0)?.reason).toMatch(/no data/i);
    });
  });

  describe('errcode 18 by sub_errcode', () => {
    it.each<[number, InterruptionCategory]>([
      [100, 'CSS_INTERNAL'],
      [104, 'CSS_INTERNAL'],
      [200, 'ACCOUNT'],
      [202, 'ACCOUNT'],
      [203, 'ACCOUNT'],
      [300, 'ACCESS_CONTROL'],
      [301, 'PUSH_URL'],
      [305, 'PUSH_URL'],
      [309, 'PUSH_URL'],
      [400, 'ACCESS_CONTROL'],
      [401, 'ACCESS_CONTROL'],
      [500, 'AUTHENTICATION'],
      [501, 'AUTHENTICATION'],
      [503, 'AUTHENTICATION'],
      [600, 'PUSH_LIMIT'],
      [602, 'PUSH_LIMIT'],
    ])('18 / %i is %s', (subErrcode, category) => {
      expect(describeInterruption(18, subErrcode)).toEqual({ reason: expect.any(String), category, exact: true });
    });

    it('tells arrears, block list and expiry apart', () => {
      expect(describeInterruption(18, 202)?.reason).toMatch(/arrears/i);
      expect(describeInterruption(18, 400)?.reason).toMatch(/block list/i);
      expect(describeInterruption(18, 401)?.reason).toMatch(/allow list/i);
      expect(describeInterruption(18, 500)?.reason).toMatch(/no expiry/i);
      expect(describeInterruption(18, 501)?.reason).toMatch(/passed/i);
      expect(describeInterruption(18, 502)?.reason).toMatch(/no signature/i);
    });
  });

  describe('errcode 19-32', () => {
    it('covers third-party auth, idle timeout, requests and takeovers', () => {
      expect(categoryOf(19, 0)).toBe('AUTHENTICATION');
      expect(categoryOf(20, 0)).toBe('NO_DATA');
      expect(categoryOf(21, 100)).toBe('COMMAND');
      expect(categoryOf(21, 101)).toBe('COMMAND');
      expect(categoryOf(21, 102)).toBe('SUPERSEDED');
      expect(categoryOf(21, 103)).toBe('SUPERSEDED');
      expect(categoryOf(22, 0)).toBe('UNKNOWN');
      expect(categoryOf(23, 0)).toBe('PROTOCOL');
      expect(categoryOf(24, 0)).toBe('CSS_INTERNAL');
      expect(categoryOf(25, 0)).toBe('UNKNOWN');
      expect(categoryOf(32, 0)).toBe('UNKNOWN');
    });
  });

  describe('fallbacks', () => {
    it('reads a missing sub_errcode as 0 for errcodes that have only that row', () => {
      expect(describeInterruption(12, null)).toEqual({ ...describeInterruption(12, 0), exact: true });
      expect(describeInterruption(1, null)?.category).toBe('CLIENT_STOPPED');
    });

    it('falls back to the sub_errcode 0 row when the sub_errcode is not listed', () => {
      expect(describeInterruption(5, 7)).toEqual({ reason: describeInterruption(5, 0)?.reason, category: 'CSS_INTERNAL', exact: false });
    });

    it('describes errcode 18 as a whole when the sub_errcode is missing or unlisted, without claiming a category', () => {
      const whole = describeInterruption(18, null);
      expect(whole).toEqual({ reason: expect.stringMatching(/sub_errcode/), category: 'UNKNOWN', exact: false });
      expect(describeInterruption(18, 0)).toEqual(whole);
      expect(describeInterruption(18, 999)).toEqual(whole);
    });

    it('describes errcode 21 as a whole with UNKNOWN category, since its rows differ', () => {
      expect(describeInterruption(21, null)).toEqual({ reason: expect.stringMatching(/sub_errcode/), category: 'UNKNOWN', exact: false });
    });

    it('gives a named summary for every errcode that has no sub_errcode 0 row', () => {
      const withoutZeroRow = [...new Set(INTERRUPTION_CAUSES.map((c) => c.errcode))].filter(
        (errcode) => !INTERRUPTION_CAUSES.some((c) => c.errcode === errcode && c.subErrcode === 0),
      );
      expect(withoutZeroRow).toEqual([18, 21]);
      for (const errcode of withoutZeroRow) expect(describeInterruption(errcode, null)?.reason).not.toMatch(/^Stream interrupted with errcode/);
    });

    it('does not treat an unusable sub_errcode as an exact match', () => {
      expect(describeInterruption(5, Number.NaN)).toEqual({ reason: expect.any(String), category: 'CSS_INTERNAL', exact: false });
      expect(describeInterruption(18, 100.5)?.exact).toBe(false);
    });
  });

  describe('unknown codes', () => {
    it('returns null for a null errcode', () => {
      expect(describeInterruption(null, null)).toBeNull();
      expect(describeInterruption(null, 503)).toBeNull();
    });

    it('returns null for errcodes not in the recovered table', () => {
      expect(describeInterruption(33, 0)).toBeNull(); // row exists on the page but its text was not recovered
      expect(describeInterruption(99, null)).toBeNull();
      expect(describeInterruption(-1, 0)).toBeNull();
      expect(describeInterruption(1.5, 0)).toBeNull();
      expect(describeInterruption(Number.NaN, 0)).toBeNull();
    });
  });
});
