// What marks a request as a css-callback-ledger's forwarded delivery: the header with the callback's log position.
import type { IncomingHttpHeaders } from 'node:http';

/** Sent with every delivery, in both formats: the callback's position in the sending ledger's log. */
export const POSITION_HEADER = 'x-css-ledger-position';

/**
 * Whether the request is a ledger's standard-webhooks delivery: an envelope around a callback, never a callback
 * itself. (A raw delivery is the callback's own body, which another ledger may well keep.)
 */
export function isLedgerEnvelope(headers: IncomingHttpHeaders): boolean {
  return headers[POSITION_HEADER] !== undefined && headers['webhook-signature'] !== undefined;
}
