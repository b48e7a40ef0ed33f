// Which Host names browsers may reach the GraphQL API and the pages under while no API token is required.
import { isIP } from 'node:net';

/**
 * Without API tokens, anyone who reaches the port may read the ledger. A page on another site can become "anyone":
 * its name, re-pointed at this address once the page has loaded (DNS rebinding), makes the service the page's own
 * origin, and the browser then sends its requests and WebSockets as same-origin ones. Such a request carries the
 * attacker's name in Host, so answering only names no other site can hold, or that the operator chose, defeats it.
 */
export interface AllowedHosts {
  /** Names allowed exactly (lower-case). */
  names: ReadonlySet<string>;
  /** Allowed with any subdomain: `example.com` for `*.example.com` (lower-case). */
  suffixes: readonly string[];
}

/** A host name as ALLOWED_HOSTS takes it: labels of letters, digits and hyphens, optionally `*.`-prefixed. */
const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/;

export const isAllowedHostEntry = (entry: string): boolean => entry === '*' || HOST_PATTERN.test(entry.toLowerCase());

/** The names given (checked by isAllowedHostEntry), with the machine's own name; null when `*` allows any (no check). */
export function allowedHosts(entries: readonly string[], machineName: string): AllowedHosts | null {
  if (entries.includes('*')) return null;
  const names = new Set<string>();
  const suffixes: string[] = [];
  const own = withoutFinalDot(machineName.toLowerCase());
  if (own !== '') names.add(own);
  for (const entry of entries.map((e) => withoutFinalDot(e.toLowerCase()))) {
    if (entry.startsWith('*.')) suffixes.push(entry.slice(2));
    else names.add(entry);
  }
  return { names, suffixes };
}

const withoutFinalDot = (name: string): string => (name.endsWith('.') ? name.slice(0, -1) : name);

/** The name in a Host header (`name:port`, `[v6]:port`), lower-case; null when it is not one. */
function hostnameOf(host: string): string | null {
  try {
    const url = new URL(`http://${host}`);
    // Anything past the authority (a path, a query, credentials) means the header was not a host.
    if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return null;
    return url.hostname;
  } catch {
    return null;
  }
}

/**
 * Names no outsider can hold in the public DNS: the top-level names reserved for testing, documentation, local and
 * private use (RFC 2606, 6761, 6762, 8375; ICANN's `internal`), and IANA's own example domains.
 */
const RESERVED_SUFFIXES = ['localhost', 'test', 'example', 'invalid', 'local', 'internal', 'home.arpa', 'example.com', 'example.net', 'example.org'];

/** A name only this network can point anywhere: one label (an intranet or container name), or under a reserved one. */
const privateName = (name: string): boolean =>
  !name.includes('.') || RESERVED_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`));

/**
 * Null when a request with this Host header may be answered, else why not. Only a name another site can point at this
 * address is refused: IP addresses, one-label and reserved names cannot be, and a header that is no host name at all
 * (or none, HTTP/1.0) is no browser's, since a browser sends the name it resolved.
 */
export function hostRefusal(host: string | undefined, allowed: AllowedHosts): string | null {
  if (host === undefined) return null;
  const name = hostnameOf(host);
  if (name === null || name.startsWith('[') || isIP(name) !== 0) return null;
  const bare = withoutFinalDot(name);
  if (privateName(bare) || allowed.names.has(bare) || allowed.suffixes.some((suffix) => bare.endsWith(`.${suffix}`))) return null;
  return (
    `this service answers its GraphQL API and pages under IP addresses, local names, its machine's name and the names in ` +
    `ALLOWED_HOSTS, not under ${JSON.stringify(bare)}: while GRAPHQL_API_TOKENS is unset, a page on another site could reach it ` +
    `under a name of its own pointed at this address. Add ${bare} to ALLOWED_HOSTS, or require tokens (GRAPHQL_API_TOKENS)`
  );
}
