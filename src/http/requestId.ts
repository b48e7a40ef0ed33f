// Request ids: the caller's `x-request-id` when it is a sane one, a fresh UUID otherwise.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Ids of load balancers and tracing systems (UUIDs, ULIDs, `Root=1-...;Parent=...`) fit; anything longer or
 * with spaces, quotes or control characters would end up verbatim in logs, events and the echoed header.
 */
const ACCEPTED = /^[A-Za-z0-9._~:;=+/@-]{1,128}$/;

/** The id a request is known by in logs, in its response header and in the event it stores. */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
}
