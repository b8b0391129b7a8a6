import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { newId } from '../common/ids.js';
import type { DbTransaction } from '../persistence/transaction.js';
import { toAuthUser, type AuthUser } from './auth-user.js';
import { SignInsRepository } from './sign-ins.repository.js';
import { UsersRepository } from './users.repository.js';

/** The accounts other modules may read or make: the users table stays auth's own. */
@Injectable()
export class Accounts {
  constructor(
    private readonly users: UsersRepository,
    private readonly signIns: SignInsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The account of someone another system vouches for (an LMS launch): found by (issuer, subject),
   * or made on their first visit. Never linked to an existing account by email, since the LMS
   * does not say whether it verified the address; the email is kept only when no account has it.
   */
  async external(issuer: string, subject: string, claims: { email: string | null; name: string }): Promise<AuthUser> {
    const linked = await this.signIns.linkedUser(issuer, subject);
    const found = linked ? await this.users.findById(linked) : null;
    if (found) return toAuthUser(found, this.config.adminEmails);
    const taken = claims.email ? await this.users.findCredentials(claims.email) : null;
    const created = await this.users.createFromProvider({
      id: newId(),
      email: taken ? null : claims.email,
      displayName: claims.name,
    });
    await this.signIns.link(issuer, subject, created.id, claims.email);
    return toAuthUser(created, this.config.adminEmails);
  }

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
