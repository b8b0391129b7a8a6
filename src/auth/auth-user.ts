import type { WireUser } from '../contract/protocol.js';
import type { UserRecord } from './users.repository.js';

/** The signed-in caller, as every guard, controller and gateway sees it. */
export interface AuthUser {
  id: string;
  displayName: string;
  email: string | null;
  isAdmin: boolean;
  /** Guests are bound to one session. */
  guestSessionId: string | null;
  /** The token version current for this user (tokens signed at another are revoked). */
  tokenVersion: number;
}

export function toWireUser(user: AuthUser): WireUser {
  return {
    id: user.id,
    display_name: user.displayName,
    ...(user.email ? { email: user.email } : {}),
    is_admin: user.isAdmin,
    ...(user.guestSessionId ? { guest_session_id: user.guestSessionId } : {}),
  };
}

/**
 * Who the caller is now. Platform admin is derived afresh on every request from
 * the current configuration and the operator's grants: the account's email is
 * in ADMIN_EMAILS *and* an operator granted that very address on the server
 * (`npm run admin -- grant EMAIL`). Registering a listed address grants
 * nothing, and taking the address out of ADMIN_EMAILS takes the power away.
 */
export function toAuthUser(record: UserRecord, adminEmails: readonly string[]): AuthUser {
  const isAdmin =
    record.email !== null && record.adminGrantEmail === record.email && adminEmails.includes(record.email);
  return {
    id: record.id,
    email: record.email,
    displayName: record.displayName,
    isAdmin,
    guestSessionId: record.guestSessionId,
    tokenVersion: record.tokenVersion,
  };
}
