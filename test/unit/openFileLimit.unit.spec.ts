import { checkOpenFileLimit, connectionFileBudget, defaultMaxConnections, parseOpenFileLimit } from '../../src/http/openFileLimit';

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

  it('leaves connections all but 256 descriptors', () => {
    expect(connectionFileBudget(20_000)).toBe(19_744);
    expect(connectionFileBudget(1024)).toBe(768);
    expect(connectionFileBudget(512)).toBe(256);
    expect(connectionFileBudget(1)).toBe(1);
    expect(connectionFileBudget(null)).toBe(768);
  });

  it('gives MAX_CONNECTIONS a default within that budget, at most 10,000', () => {
    expect(defaultMaxConnections(1_048_576)).toBe(10_000);
    expect(defaultMaxConnections(8192)).toBe(7936);
    expect(defaultMaxConnections(512)).toBe(256);
  });

  it('refuses a limit too low for the service to run on, saying how to raise it; takes 512 and an unknown one', () => {
    expect(() => checkOpenFileLimit(511)).toThrow(/^the open-file limit is 511 .*at least 512, 4096 or more in production \(`ulimit -n 4096`, LimitNOFILE= in systemd/);
    expect(() => checkOpenFileLimit(512)).not.toThrow();
    expect(() => checkOpenFileLimit(null)).not.toThrow();
  });
});
