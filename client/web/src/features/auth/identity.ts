// Who this browser is: a registered account, and guest identities per session.
// Tokens live in localStorage so a reload, a new tab or a join link keeps the
// same person (and a banned guest stays banned: the token goes with every join).
import type { AuthAnswer } from '../../../../sdk/roundtable-api.js';
import { api } from '../../lib/api.js';
import type { Role, WireUser } from '../../../../sdk/roundtable-client.js';

export interface Identity {
  token: string;
  user: WireUser;
}

interface GuestIdentity extends Identity {
  join_code: string;
}

const ACCOUNT_KEY = 'roundtable.account';
const GUESTS_KEY = 'roundtable.guests';

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

const listeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());

export const auth = {
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  /** The stored account as a string: changes exactly when the account does (for useSyncExternalStore). */
  accountVersion(): string | null {
    return localStorage.getItem(ACCOUNT_KEY);
  },

  account(): Identity | null {
    return read<Identity | null>(ACCOUNT_KEY, null);
  },

  guests(): Record<string, GuestIdentity> {
    return read<Record<string, GuestIdentity>>(GUESTS_KEY, {});
  },

  /** The identity to use in a session: its guest identity, else the account. */
  forSession(sessionId: string): Identity | null {
    return this.guests()[sessionId] ?? this.account();
  },

  signedIn(answer: AuthAnswer) {
    localStorage.setItem(ACCOUNT_KEY, JSON.stringify({ token: answer.access_token, user: answer.user }));
    changed();
  },

  signOut() {
    localStorage.removeItem(ACCOUNT_KEY);
    changed();
  },

  /**
   * Joins by code. A signed-in user joins as themselves; otherwise the guest
   * identity this browser used with that code before is sent again, or, for a
   * code it has not seen (a class's code changes when a guest is banned), the
   * guest identity it used last: the server treats a guest token of another
   * session as no token, and one of this session as the same person.
   */
  async joinWithCode(code: string, displayName: string): Promise<{ sessionId: string; role: Role }> {
    const normalized = code.trim();
    const account = this.account();
    const known = Object.values(this.guests());
    const previous =
      known.find((g) => g.join_code.toLowerCase() === normalized.toLowerCase()) ?? known[known.length - 1];
    const answer = await api(account?.token ?? previous?.token ?? null).guest(normalized, displayName.trim());
    if (answer.user.guest_session_id) {
      const guests = this.guests();
      delete guests[answer.session_id]; // re-inserted last: the most recently used identity
      guests[answer.session_id] = { token: answer.access_token, user: answer.user, join_code: normalized };
      localStorage.setItem(GUESTS_KEY, JSON.stringify(guests));
      changed();
    }
    return { sessionId: answer.session_id, role: answer.role };
  },
};
