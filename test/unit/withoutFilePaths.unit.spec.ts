import { withoutFilePaths } from '../../src/http/withoutFilePaths';

describe('withoutFilePaths (messages to clients in production)', () => {
  it.each([
    ['sqlite:/srv/ledger/data/events.db is closed', 'sqlite:events.db is closed'],
    ['sqlite:/srv/ledger/data/events.db: read failed', 'sqlite:events.db: read failed'],
    ["cannot open sqlite:/data/events.db: ENOTDIR: not a directory, mkdir '/data'", "cannot open sqlite:events.db: ENOTDIR: not a directory, mkdir 'data'"],
    ['read models /var/lib/ledger/readmodels.db (damaged)', 'read models readmodels.db (damaged)'],
    ['/tmp/css-ledger-test-x/events.db', 'events.db'],
  ])('cuts %s to the file name', (text, expected) => {
    expect(withoutFilePaths(text)).toBe(expected);
  });

  it.each([
    'esdb://localhost:2113?tls=false is unreachable (append): 14 UNAVAILABLE',
    'esdb+discover://node1.example:2113,node2.example:2113 timed out after 5000 ms (read)',
    'projector is retrying',
    'database disk image is malformed',
    '3 of 4 appends failed',
  ])('leaves %s as it is', (text) => {
    expect(withoutFilePaths(text)).toBe(text);
  });
});
