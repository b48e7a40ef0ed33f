// Which WebSocket upgrades are taken: at the GraphQL path only, from programs or from pages of an allowed origin.
import type { IncomingHttpHeaders } from 'node:http';
import { statusOf, type ErrorSlug } from '../errors/catalogue';
import { hostRefusal, type AllowedHosts } from '../http/allowedHosts';

export interface UpgradeRefusal {
  status: number;
  error: ErrorSlug;
  message: string;
}

export const upgradeRefused = (error: ErrorSlug, message: string): UpgradeRefusal => ({ status: statusOf(error), error, message });

/** Whether a page of `origin` is on this very service, as the browser reached it (the Host header). */
function sameOrigin(origin: URL, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    // Read with the page's scheme, so that its default port compares equal to none.
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}

function originOf(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null; // `null` (sandboxed frames, files) and garbage: no origin anyone can allow
  }
}

/**
 * Null when the upgrade may go ahead. A request without `Origin` comes from a program, which could send any header
 * anyway; a browser always sends it, so a page elsewhere cannot use a visitor's browser (and network) to follow the log.
 */
export function upgradeRefusal(
  request: { url?: string | undefined; headers: IncomingHttpHeaders },
  path: string,
  allowedOrigins: readonly string[],
  allowedHosts: AllowedHosts | null = null,
): UpgradeRefusal | null {
  const pathname = (request.url ?? '/').split('?')[0];
  if (pathname !== path) {
    return upgradeRefused('not_found', `no WebSocket at ${pathname}; GraphQL subscriptions are at ${path}`);
  }
  // Before the origin: a page under a re-pointed name is of the service's "own" origin by its Host.
  const hostRefused = allowedHosts === null ? null : hostRefusal(request.headers.host, allowedHosts);
  if (hostRefused !== null) return upgradeRefused('host_not_allowed', hostRefused);
  const given = request.headers.origin;
  if (given === undefined) return null;
  const origin = originOf(given);
  if (origin !== null && (allowedOrigins.includes(origin.origin) || sameOrigin(origin, request.headers.host))) return null;
  return upgradeRefused(
    'origin_not_allowed',
    `pages of another origin may not open this WebSocket: only the service's own origin and GRAPHQL_ALLOWED_ORIGINS may`,
  );
}
