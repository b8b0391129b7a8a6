import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids.js';
import type { DbTransaction } from '../persistence/transaction.js';
import { toAuthUser, type AuthUser } from './auth-user.js';
import { UsersRepository } from './users.repository.js';

/** The accounts other modules may read or make: the users table stays auth's own. */
@Injectable()
export class Accounts {
  constructor(private readonly users: UsersRepository) {}

  /** A user by id, as other modules need them: id and display name (null: no such account). */
  async find(userId: string): Promise<{ id: string; displayName: string } | null> {
    const user = await this.users.findById(userId);
    return user ? { id: user.id, displayName: user.displayName } : null;
  }

  /** Display names by user id, for the people a log names (unknown ids are left out). */
  namesOf(ids: Iterable<string>): Promise<Map<string, string>> {
    return this.users.namesOf([...new Set(ids)]);
  }

  /** A guest seat bound to one session, made inside that session's write. A guest has no email, so is never admin. */
  async createGuest(tx: DbTransaction, sessionId: string, displayName: string): Promise<AuthUser> {
    return toAuthUser(await this.users.createGuest(tx, { id: newId(), displayName, guestSessionId: sessionId }), []);
  }
}
