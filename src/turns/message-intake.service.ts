import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { MAX_CONTENT_LENGTH, type WireMessage } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { Message, Session } from '../generated/prisma/client.js';
import { MessagesRepository } from '../sessions/messages.repository.js';
import { SessionLog } from '../sessions/session-log.service.js';
import { toWireMessage, type SessionAccess } from '../sessions/session.mappers.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { RateLimitService } from './rate-limit.service.js';
import { TurnsService } from './turns.service.js';

export interface PostMessageInput {
  content: string;
  clientMsgId: string;
  visibility: 'all' | 'staff';
}

/** Does the text address the agent: `@tutor`, or `@<its configured name>`? */
export function mentionsAgent(content: string, agentName: string): boolean {
  const names = new Set(['tutor', agentName.toLowerCase()]);
  for (const match of content.toLowerCase().matchAll(/(?:^|[^\w@])@([\w-]+)/g)) {
    if (names.has(match[1])) return true;
  }
  return false;
}

/**
 * A person's message entering the session: the session's rules (closed,
 * locked, muted, floor, rate limit) say whether it may, the policy says what
 * the agent does with it, and it is stored and sequenced once per client_msg_id.
 */
@Injectable()
export class MessageIntakeService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly sessions: SessionsRepository,
    private readonly log: SessionLog,
    private readonly turns: TurnsService,
    private readonly rateLimits: RateLimitService,
    private readonly live: LiveSessions,
  ) {}

  async post(user: AuthUser, access: SessionAccess, input: PostMessageInput): Promise<WireMessage> {
    const sessionId = access.session.id;
    if (input.content.length > MAX_CONTENT_LENGTH) {
      throw new DomainError('too_large', `content must be at most ${MAX_CONTENT_LENGTH} characters`);
    }
    let refund: (() => void) | undefined;
    try {
      const { message, queued } = await this.log.write(sessionId, async (tx, log) => {
        // A retry of something already stored answers the first message, whatever changed since.
        const duplicate = await this.messages.findByClientMsgId(sessionId, user.id, input.clientMsgId, tx);
        if (duplicate) return { message: duplicate, queued: false };
        if (input.content.trim().length === 0) throw new DomainError('bad_request', 'content must not be empty');
        // Read inside the write: settings may have changed while this waited for its turn. The
        // live state has applied every event committed before this write began (no query).
        const current = this.live.peek(sessionId)?.session ?? (await this.sessions.findById(sessionId, tx));
        if (!current) throw new DomainError('not_found', 'session not found');
        this.checkSessionRules(user, { ...access, session: current }, input);
        if (access.role !== 'moderator' && current.rateLimitMessages && current.rateLimitPerSeconds) {
          refund = this.rateLimits.consume(sessionId, user.id, { messages: current.rateLimitMessages, perSeconds: current.rateLimitPerSeconds });
        }
        const agentState = this.agentStateFor(current, access, input);
        // A person answering while the agent is paused: the agent's next prompt says so.
        const answersInPerson = current.agentPaused && access.role === 'moderator' && input.visibility === 'all' && !current.humanAnsweredWhilePaused;
        let created!: Message;
        await log.append(
          'new_message',
          async (seq) => {
            created = await this.messages.create(tx, {
              id: newId(),
              sessionId,
              seq,
              role: 'user',
              content: input.content,
              authorId: user.id,
              authorName: user.displayName,
              authorRole: access.role,
              visibility: input.visibility,
              clientMsgId: input.clientMsgId,
              agentState,
            });
            return { message: toWireMessage(created) };
          },
          input.visibility,
          answersInPerson ? { humanAnsweredWhilePaused: true } : undefined,
        );
        if (answersInPerson) await this.sessions.update(tx, sessionId, { humanAnsweredWhilePaused: true });
        return { message: created, queued: agentState === 'pending' };
      });
      if (queued) await this.turns.publishQueue(sessionId);
      return toWireMessage(message);
    } catch (error) {
      refund?.(); // nothing was stored: the attempt does not count
      throw error;
    }
  }

  private checkSessionRules(user: AuthUser, access: SessionAccess, input: PostMessageInput): void {
    const { session, role } = access;
    if (session.status === 'closed') throw new DomainError('session_closed', 'this session has ended; it is read-only');
    if (role === 'moderator') return;
    if (session.locked) throw new DomainError('session_locked', 'the session is locked: only moderators may send');
    if (access.mutedUntil && access.mutedUntil.getTime() > Date.now()) {
      throw new DomainError('muted', `you are muted until ${access.mutedUntil.toISOString()}`);
    }
    if (input.visibility === 'all' && session.turnPolicy === 'hand_raise' && session.floorUserId !== user.id) {
      throw new DomainError('not_your_turn', 'raise your hand to ask: a moderator gives the floor');
    }
  }

  /** What the agent does with a new message, by policy and settings. */
  private agentStateFor(session: Session, access: SessionAccess, input: PostMessageInput): string {
    if (input.visibility === 'staff') return 'none'; // the agent never sees private notes
    if (access.role === 'moderator' && session.agentPaused) return 'none'; // a person answering in the agent's place
    if (session.agentRespondsTo === 'mentions' && !mentionsAgent(input.content, session.agentName)) return 'skipped';
    if (session.turnPolicy === 'moderated' && access.role !== 'moderator') return 'awaiting_approval';
    return 'pending';
  }
}
