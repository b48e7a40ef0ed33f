// Who gets a place when MAX_CONNECTIONS are open: the address holding the most gives one up to an address holding fewer.
import ipaddr from 'ipaddr.js';

/**
 * The client a connection counts against: an IPv4 address (IPv4-mapped IPv6 included) or an IPv6 /64, the block a
 * single host or home is given, so that one machine cannot pass for thousands by rotating its interface identifier.
 */
export function clientOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || !ipaddr.isValid(remoteAddress)) return remoteAddress ?? 'unknown';
  const address = ipaddr.process(remoteAddress);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}

/** What becomes of a connection just accepted. */
export type Placement<C> =
  | { readonly admitted: true; readonly evict?: { readonly connection: C; readonly client: string; readonly held: number } }
  | { readonly admitted: false };

/** Candidates looked at for eviction per accept at most, so that a full server's accepts stay cheap. */
const MAX_CANDIDATES = 64;

/**
 * The open connections by client. Under `capacity` every connection is admitted. At capacity, a connection is admitted
 * only if some client holds more than the newcomer's client would once it is admitted, and one of that client's
 * connections can be given up (`evictable`: not in the middle of an answer, not a WebSocket): one client opening
 * connections and holding them then takes places only while nobody else needs them, and CSS always gets its share.
 */
export class ConnectionShares<C> {
  private readonly byClient = new Map<string, Set<C>>();
  /** Clients by how many connections each holds, so the largest holders are found without a scan. */
  private readonly clientsByCount = new Map<number, Set<string>>();
  private largestCount = 0;
  private total = 0;

  constructor(
    private readonly capacity: number,
    private readonly evictable: (connection: C) => boolean,
  ) {}

  get open(): number {
    return this.total;
  }

  /** Decides for a connection of `client` just accepted; an admitted one must then be `add`ed, an evicted one `remove`d. */
  place(client: string): Placement<C> {
    if (this.total < this.capacity) return { admitted: true };
    const newcomerCount = (this.byClient.get(client)?.size ?? 0) + 1;
    let looked = 0;
    for (let count = this.largestCount; count > newcomerCount; count--) {
      for (const holder of this.clientsByCount.get(count) ?? []) {
        for (const connection of this.byClient.get(holder)!) {
          if (this.evictable(connection)) return { admitted: true, evict: { connection, client: holder, held: count } };
          if (++looked >= MAX_CANDIDATES) return { admitted: false };
        }
      }
    }
    return { admitted: false };
  }

  add(client: string, connection: C): void {
    let connections = this.byClient.get(client);
    if (connections === undefined) this.byClient.set(client, (connections = new Set()));
    const before = connections.size;
    connections.add(connection);
    if (connections.size === before) return;
    this.total++;
    this.move(client, before, before + 1);
  }

  remove(client: string, connection: C): void {
    const connections = this.byClient.get(client);
    if (connections === undefined || !connections.delete(connection)) return;
    this.total--;
    if (connections.size === 0) this.byClient.delete(client);
    this.move(client, connections.size + 1, connections.size);
  }

  private move(client: string, from: number, to: number): void {
    if (from > 0) {
      const bucket = this.clientsByCount.get(from)!;
      bucket.delete(client);
      if (bucket.size === 0) this.clientsByCount.delete(from);
    }
    if (to > 0) {
      let bucket = this.clientsByCount.get(to);
      if (bucket === undefined) this.clientsByCount.set(to, (bucket = new Set()));
      bucket.add(client);
    }
    if (to > this.largestCount) this.largestCount = to;
    while (this.largestCount > 0 && !this.clientsByCount.has(this.largestCount)) this.largestCount--;
  }
}
