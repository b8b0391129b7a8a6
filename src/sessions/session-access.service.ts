import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { DomainError } from '../common/domain-error.js';
import { isUuid } from '../common/ids.js';
import { PERMISSION_DENIED_MESSAGES, roleAllows, type Permission } from '../permissions/permission-table.js';
import type { SessionAccess } from './session.mappers.js';
import { LiveSessions } from './live-sessions.service.js';

const notMember = () => new DomainError('not_member', 'you are not a member of this session');

/**
 * Decides what a caller is in a session. A non-member learns nothing: a
 * session that does not exist and one they are not in answer the same.
 */
@Injectable()
export class SessionAccessService {
  constructor(private readonly live: LiveSessions) {}

  async resolve(user: AuthUser, sessionId: unknown): Promise<SessionAccess> {
    if (!isUuid(sessionId)) throw new DomainError('bad_request', 'session_id must be a session id (uuid)');
    if (user.guestSessionId && user.guestSessionId !== sessionId) throw notMember();
    // From the session's live state: no query on the hot path.
    const live = await this.live.get(sessionId);
    if (!live) throw user.isAdmin ? new DomainError('not_found', 'session not found') : notMember();
    const session = live.session;
    const member = live.members.get(user.id);
    if (user.isAdmin) {
      return {
        session,
        userId: user.id,
        role: 'moderator',
        mutedUntil: null,
        isAdmin: true,
      };
    }
    if (!member) throw notMember();
    if (member.banned) throw new DomainError('not_member', 'you were removed from this session');
    if (member.waiting)
      throw new DomainError('forbidden', 'you are in the waiting room: a moderator will let you in soon');
    return {
      session,
      userId: user.id,
      role: member.role,
      mutedUntil: member.mutedUntil,
      isAdmin: false,
    };
  }

  async authorize(user: AuthUser, sessionId: unknown, permission: Permission): Promise<SessionAccess> {
    const access = await this.resolve(user, sessionId);
    if (!roleAllows(access.role, permission))
      throw new DomainError('forbidden', PERMISSION_DENIED_MESSAGES[permission]);
    return access;
  }
}
