import { Inject, Injectable } from '@nestjs/common';
import { Accounts } from '../auth/accounts.service.js';
import { toWireUser, type AuthUser } from '../auth/auth-user.js';
import { TokenService } from '../auth/token.service.js';
import { uniqueDisplayName } from '../common/display-name.js';
import { DomainError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { SharedLimiters } from '../persistence/shared-limiters.js';
import type { Role } from '../contract/protocol.js';
import type { GuestInput } from './dto/guest.inputs.js';
import { SessionLog } from './session-log.service.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * `POST /auth/guest`: joining a session by its code. Anonymous callers become a guest bound to
 * that session; a caller who sends their token joins as themselves (and a banned user stays
 * banned, whatever name they give). It lives in sessions/ (it makes a member), and asks auth/
 * for the guest account and the token, so no import runs back up from auth/ to sessions/.
 */
@Injectable()
export class GuestJoinService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly log: SessionLog,
    private readonly accounts: Accounts,
    private readonly tokens: TokenService,
    private readonly limiters: SharedLimiters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Guessing join codes: codes that match no session, per address (WRONG_JOIN_CODES_PER_10_MIN), across every instance. */
  private wrongCodes() {
    return this.limiters.get('wrong-join-codes', { points: this.config.limits.wrongJoinCodesPer10Min, duration: 600 });
  }

  async join(input: GuestInput, current: AuthUser | null, address = 'unknown') {
    // A code is 8 of 32 letters and digits (about 10^12): guessing one means many misses, and
    // misses are counted per address: past the limit, that address waits before trying again.
    const wrongCodes = await this.wrongCodes();
    const misses = await wrongCodes.get(address);
    if (misses && misses.consumedPoints >= this.config.limits.wrongJoinCodesPer10Min) {
      const retryAfterMs = Math.max(1000, misses.msBeforeNext);
      throw new DomainError(
        'rate_limited',
        `too many wrong join codes from here: try again in ${Math.ceil(retryAfterMs / 60_000)} min`,
        retryAfterMs,
      );
    }
    const admitted = await this.admit(input.join_code, current, input.display_name).catch(async (error: unknown) => {
      if (error instanceof DomainError && error.code === 'not_found') await wrongCodes.penalty(address, 1);
      throw error;
    });
    return {
      access_token: this.tokens.sign(admitted.user),
      user: toWireUser(admitted.user),
      session_id: admitted.session.id,
      role: admitted.role,
      // Extension: held in the waiting room until a moderator admits them.
      ...(admitted.waiting ? { waiting: true } : {}),
    };
  }

  /**
   * Admits someone who has a session's join code: a new guest, or a signed-in
   * user joining by code. Banned users stay out. A new guest's name is made
   * unique in the session (after folding look-alike letters): a second "Ms Smith"
   * joins as "Ms Smith (2)", so nobody can pass for someone already here.
   */
  private async admit(joinCode: string, user: AuthUser | null, displayName: string) {
    const session = await this.sessions.findByJoinCode(joinCode);
    if (!session) throw new DomainError('not_found', 'no session has that join code');
    if (session.status === 'closed') throw new DomainError('session_closed', 'that session has ended');
    // A registered user, or a returning guest of this very session (kicked earlier, say), joins as
    // themselves; a guest token of another session is ignored.
    const returning = user && (!user.guestSessionId || user.guestSessionId === session.id) ? user : null;
    const member = returning ? await this.sessions.findMember(session.id, returning.id) : null;
    if (member?.banned) throw new DomainError('forbidden', 'you were banned from this session');
    if (returning && member) return { session, user: returning, role: member.role, waiting: member.waiting };
    const role = session.guestRole;
    // A registered member added by a moderator is never held; newcomers by code are, in a waiting room.
    const waiting = session.waitingRoom;
    return this.log.write(session.id, async (tx, log) => {
      if (!returning && (await this.sessions.countGuests(tx, session.id)) >= this.config.limits.guestsPerSession) {
        throw new DomainError(
          'forbidden',
          `this session is full: it admits at most ${this.config.limits.guestsPerSession} guests`,
        );
      }
      // Inside the write, so two guests joining at once with one name cannot both get it.
      const admitted =
        returning ??
        (await this.accounts.createGuest(
          tx,
          session.id,
          uniqueDisplayName(displayName, await this.sessions.memberNames(tx, session.id)),
        ));
      await this.sessions.upsertMember(tx, session.id, admitted.id, { role, waiting });
      // Someone in the waiting room is announced to staff only; being admitted is announced to all.
      await log.append(
        'member_updated',
        {
          user_id: admitted.id,
          role,
          muted_until: null,
          display_name: admitted.displayName,
          ...(waiting ? { waiting: true } : {}),
          ...(returning ? {} : { guest: true }),
        },
        waiting ? 'staff' : 'all',
        returning ? undefined : { guest: true },
      );
      return { session, user: admitted, role, waiting };
    });
  }

  /**
   * Someone the LMS launched into a session (LTI): a member with the role the course gives them,
   * unless they are a member already (a teacher may have changed their role in the room since).
   * Banned people stay out. Returns the role they have in the session.
   */
  async admitLaunched(sessionId: string, user: { id: string; displayName: string }, role: Role): Promise<Role> {
    const member = await this.sessions.findMember(sessionId, user.id);
    if (member?.banned) throw new DomainError('forbidden', 'you were banned from this session');
    if (member && !member.waiting) return member.role;
    return this.log.write(sessionId, async (tx, log) => {
      await this.sessions.upsertMember(tx, sessionId, user.id, { role, waiting: false });
      await log.append('member_updated', { user_id: user.id, role, muted_until: null, display_name: user.displayName });
      return role;
    });
  }
}
