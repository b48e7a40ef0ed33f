// The operations' mutations (pausing a destination, replaying, ...) require ADMIN_TOKEN in X-Admin-Token, compared in constant time.
import { GraphQLError } from 'graphql';
import { sameSecret } from '../http/secrets';

export const ADMIN_TOKEN_HEADER = 'x-admin-token';

/** What an operation's context says of the admin token: checked when the request came in. */
export type AdminAccess = 'granted' | 'wrong' | 'missing' | 'off';

export interface AdminContext {
  adminAccess?: AdminAccess;
}

export function adminAccess(adminToken: string | null, given: unknown): AdminAccess {
  if (adminToken === null) return 'off';
  if (typeof given !== 'string' || given === '') return 'missing';
  return sameSecret(given, adminToken) ? 'granted' : 'wrong';
}

const REFUSALS: Record<Exclude<AdminAccess, 'granted'>, string> = {
  off: 'operations are disabled: set ADMIN_TOKEN on the service to allow them',
  missing: 'this operation requires the admin token: send it in the X-Admin-Token header (over HTTP)',
  wrong: 'the X-Admin-Token header does not match ADMIN_TOKEN',
};

/** Throws FORBIDDEN unless the request carried the admin token (over WebSocket it never does). */
export function requireAdmin(context: AdminContext): void {
  const access = context.adminAccess ?? 'missing';
  if (access === 'granted') return;
  throw new GraphQLError(REFUSALS[access], { extensions: { code: 'FORBIDDEN', http: { status: access === 'off' ? 403 : 401 } } });
}
