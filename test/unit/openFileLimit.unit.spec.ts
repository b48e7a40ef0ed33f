import { connectionFileBudget, defaultMaxConnections, parseOpenFileLimit } from '../../src/http/openFileLimit';

const limits = (soft: string, hard: string) =>
  'Limit                     Soft Limit           Hard Limit           Units     \n' +
  'Max processes             95681                95681                processes \n' +
  `Max open files            ${soft.padEnd(21)}${hard.padEnd(21)}files     \n` +
  'Max locked memory         8388608              8388608              bytes     \n';

describe('the open-file limit', () => {
  it('is the soft limit of /proc/<pid>/limits; unknown when unlimited or absent', () => {
    expect(parseOpenFileLimit(limits('20000', '20000'))).toBe(20_000);
    expect(parseOpenFileLimit(limits('1024', '524288'))).toBe(1024);
    expect(parseOpenFileLimit(limits('unlimited', 'unlimited'))).toBeNull();
    expect(parseOpenFileLimit('')).toBeNull();
  });

  it('leaves connections all but 256 descriptors, or all but a quarter of a small limit', () => {
    expect(connectionFileBudget(20_000)).toBe(19_744);
    expect(connectionFileBudget(1024)).toBe(768);
    expect(connectionFileBudget(256)).toBe(192);
    expect(connectionFileBudget(1)).toBe(1);
    expect(connectionFileBudget(null)).toBe(768);
  });

  it('gives MAX_CONNECTIONS a default within that budget, at most 10,000', () => {
    expect(defaultMaxConnections(1_048_576)).toBe(10_000);
    expect(defaultMaxConnections(8192)).toBe(7936);
    expect(defaultMaxConnections(256)).toBe(192);
  });
});
