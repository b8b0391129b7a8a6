import type { WireUser } from '../contract/protocol.js';

/** The signed-in caller, as every guard, controller and gateway sees it. */
export interface AuthUser {
  id: string;
  displayName: string;
  email: string | null;
  isAdmin: boolean;
  /** Guests are bound to one session. */
  guestSessionId: string | null;
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
