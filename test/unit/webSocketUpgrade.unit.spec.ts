import { upgradeRefusal } from '../../src/graphql/webSocketUpgrade';

const upgrade = (headers: Record<string, string>, url = '/graphql') => ({ url, headers });
const refused = (headers: Record<string, string>, allowed: string[] = [], url?: string) => upgradeRefusal(upgrade(headers, url), '/graphql', allowed)?.status ?? 'taken';

describe('which WebSocket upgrades are taken', () => {
  it('takes programs, which send no Origin', () => {
    expect(refused({ host: 'ledger.example.com' })).toBe('taken');
  });

  it("takes pages of the service's own origin, whatever the scheme's default port", () => {
    expect(refused({ host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' })).toBe('taken');
    expect(refused({ host: 'Ledger.Example.com', origin: 'https://ledger.example.com' })).toBe('taken');
    expect(refused({ host: 'ledger.example.com:443', origin: 'https://ledger.example.com' })).toBe('taken');
  });

  it('refuses pages of other origins with 403, unless configured', () => {
    expect(refused({ host: '127.0.0.1:4000', origin: 'http://evil.example' })).toBe(403);
    expect(refused({ host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4001' })).toBe(403);
    expect(refused({ host: 'ledger.example.com', origin: 'https://ledger.example.com.evil.example' })).toBe(403);
    expect(refused({ host: '127.0.0.1:4000', origin: 'null' })).toBe(403);
    expect(refused({ origin: 'http://127.0.0.1:4000' })).toBe(403);
    expect(refused({ host: '127.0.0.1:4000', origin: 'https://ops.example.com' }, ['https://ops.example.com'])).toBe('taken');
    expect(refused({ host: '127.0.0.1:4000', origin: 'http://ops.example.com' }, ['https://ops.example.com'])).toBe(403);
  });

  it('answers 404 away from the GraphQL path, with the body saying where it is', () => {
    expect(upgradeRefusal(upgrade({}, '/callbacks'), '/graphql', [])).toMatchObject({ status: 404, error: 'not_found', message: expect.stringContaining('/graphql') });
    expect(refused({}, [], '/graphql?x=1')).toBe('taken');
  });
});
