// Who keeps a place when MAX_CONNECTIONS are open: clients as the service sees them, and the fair share between them.
import { clientOf, ConnectionShares } from '../../src/http/connectionShares';

describe('clientOf', () => {
  it('is the IPv4 address, also when it comes IPv4-mapped', () => {
    expect(clientOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 of an IPv6 address, however the address is written', () => {
    expect(clientOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:0db8:0001:0002:ffff:ffff:ffff:fffe')).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:db8:1:3::1')).not.toBe(clientOf('2001:db8:1:2::1'));
    expect(clientOf('::1')).toBe('::/64');
  });

  it('keeps what is not an address as it is', () => {
    expect(clientOf(undefined)).toBe('unknown');
    expect(clientOf('not an address')).toBe('not an address');
  });
});

interface Held {
  name: string;
  busy?: boolean;
}

describe('ConnectionShares', () => {
  const sharesOf = (capacity: number) => new ConnectionShares<Held>(capacity, (connection) => connection.busy !== true);
  const fill = (shares: ConnectionShares<Held>, client: string, count: number, busy = false): Held[] =>
    Array.from({ length: count }, (_, i) => {
      const connection = { name: `${client}#${i}`, busy };
      expect(shares.place(client).admitted).toBe(true);
      shares.add(client, connection);
      return connection;
    });

  it('admits everyone while there is room, one client taking every place', () => {
    const shares = sharesOf(3);
    fill(shares, 'a', 3);
    expect(shares.open).toBe(3);
    expect(shares.place('a')).toEqual({ admitted: false });
  });

  it('at capacity, takes a place from the client holding the most, its oldest first, for a client holding fewer', () => {
    const shares = sharesOf(4);
    const [first] = fill(shares, 'a', 3);
    fill(shares, 'b', 1);
    expect(shares.place('c')).toEqual({ admitted: true, evict: { connection: first, client: 'a', held: 3 } });
  });

  it('stops at equal shares: a place is taken only from a client that would still hold as many as the newcomer', () => {
    const shares = sharesOf(4);
    const a = fill(shares, 'a', 3);
    fill(shares, 'b', 1);
    const placement = shares.place('b');
    expect(placement).toMatchObject({ admitted: true, evict: { client: 'a' } });
    shares.remove('a', a[0]!);
    shares.add('b', { name: 'b#1' });
    // a and b hold 2 each: b may not take a third, a may not take one back.
    expect(shares.place('b')).toEqual({ admitted: false });
    expect(shares.place('a')).toEqual({ admitted: false });
    // A client holding none still gets one.
    expect(shares.place('c')).toMatchObject({ admitted: true, evict: { held: 2 } });
  });

  it('never takes a connection that may not be given up, looking at the next holder instead', () => {
    const shares = sharesOf(5);
    fill(shares, 'a', 3, true);
    const [b] = fill(shares, 'b', 2);
    expect(shares.place('c')).toEqual({ admitted: true, evict: { connection: b, client: 'b', held: 2 } });
    shares.remove('b', b!);
    shares.add('c', { name: 'c#0' });
    // Left: a (3, none to give up), b (1), c (1): nobody may be made room for.
    expect(shares.place('d')).toEqual({ admitted: false });
  });

  it('counts connections closed, whoever held them, and forgets clients holding none', () => {
    const shares = sharesOf(2);
    const [a] = fill(shares, 'a', 1);
    const [b] = fill(shares, 'b', 1);
    shares.remove('a', a!);
    shares.remove('a', a!); // a second close changes nothing
    expect(shares.open).toBe(1);
    expect(shares.place('a')).toEqual({ admitted: true });
    shares.remove('b', b!);
    fill(shares, 'c', 2);
    expect(shares.place('d')).toMatchObject({ admitted: true, evict: { client: 'c', held: 2 } });
  });
});
