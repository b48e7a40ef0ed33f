import { upgradeRefusal } from '../../src/graphql/webSocketUpgrade';
import { allowedHosts, hostRefusal, isAllowedHostEntry, type AllowedHosts } from '../../src/http/allowedHosts';

describe('the host names browsers may use while no token is required', () => {
  const allowed = allowedHosts(['Ledger.Corp.com', '*.ops.corp.com'], 'box-7.corp.com') as AllowedHosts;
  const answered = (host: string | undefined) => hostRefusal(host, allowed) === null;

  it('answers IP addresses, loopback and one-label names, and names no outsider can hold in the public DNS', () => {
    const hosts = ['localhost', 'localhost:4000', 'LOCALHOST.', 'app.localhost:4000', '127.0.0.1:4000', '10.1.2.3', '[::1]:4000', '[2001:db8::1]', '0x7f.1'];
    hosts.push('ledger:4000', 'x', 'ledger.test', 'ledger.internal', 'printer.local', 'nas.home.arpa', 'example.com', 'www.example.org', 'a.invalid');
    for (const host of hosts) expect({ host, answered: answered(host) }).toEqual({ host, answered: true });
  });

  it("answers the machine's name and the names given, with or without a port", () => {
    for (const host of ['box-7.corp.com:4000', 'ledger.corp.com', 'LEDGER.corp.com.:443', 'grafana.ops.corp.com', 'a.b.ops.corp.com']) {
      expect({ host, answered: answered(host) }).toEqual({ host, answered: true });
    }
  });

  it('refuses any other public name, naming the host to add to ALLOWED_HOSTS', () => {
    for (const host of ['attacker.com:4000', 'ops.corp.com', 'ledger.corp.com.attacker.com', 'evilops.corp.com', '127.0.0.1.nip.io', 'localhost.attacker.com', 'example.com.attacker.net']) {
      expect({ host, answered: answered(host) }).toEqual({ host, answered: false });
    }
    expect(hostRefusal('Rebound.Attacker.com:4000', allowed)).toContain('Add rebound.attacker.com to ALLOWED_HOSTS');
  });

  it('takes a request whose Host is no host name, or that has none: no browser sends those', () => {
    for (const host of ['evil.com; script-src *', 'user@attacker.com', 'attacker.com/path', '', undefined]) expect(answered(host)).toBe(true);
  });

  it('answers every name with *: no check at all', () => {
    expect(allowedHosts(['ledger.example.com', '*'], 'box')).toBeNull();
    expect(upgradeRefusal({ url: '/graphql', headers: { host: 'attacker.com' } }, '/graphql', [], allowedHosts(['*'], 'box'))).toBeNull();
  });

  it('takes host names and *.-prefixed ones as entries, nothing else', () => {
    expect(['ledger.example.com', '*.example.com', 'box', '*', 'LEDGER.example.com.'].every(isAllowedHostEntry)).toBe(true);
    expect(['https://ledger.example.com', 'ledger.example.com:4000', 'ledger.*.com', '*ledger.com', 'a b', '-a.com', ''].some(isAllowedHostEntry)).toBe(false);
  });
});
