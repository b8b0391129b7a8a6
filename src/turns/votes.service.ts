import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { DomainError } from '../common/domain-error.js';
import { MessageRecords } from '../sessions/session-records.service.js';
import { toWireMessage, type SessionAccess } from '../sessions/session.mappers.js';
import { SessionLog, visibilityOfMessage } from '../sessions/session-log.service.js';
import { viewerOf, viewMessage } from '../sessions/wire-events.js';
import { TurnsService } from './turns.service.js';

/** Questions that can still be upvoted: waiting for the tutor, or for a moderator's approval. */
const OPEN_QUESTION = ['pending', 'awaiting_approval'];

/**
 * Upvotes: the class says which questions matter most. Once per person and
 * question (a second upvote answers the same count and changes nothing); the
 * count reaches everyone who can read the question as a `votes_changed`
 * event, and the `votes` policy answers the most upvoted first.
 */
@Injectable()
export class VotesService {
  constructor(
    private readonly messages: MessageRecords,
    private readonly log: SessionLog,
    private readonly turns: TurnsService,
  ) {}

  async upvote(user: AuthUser, access: SessionAccess, messageId: string): Promise<{ votes: number }> {
    const sessionId = access.session.id;
    if (access.session.status === 'closed')
      throw new DomainError('session_closed', 'this session has ended; it is read-only');
    const result = await this.log.write(sessionId, async (tx, log) => {
      const message = await this.messages.findIn(tx, messageId);
      // A question this person may not read (held for approval, another session's) does not exist for them.
      if (
        !message ||
        message.sessionId !== sessionId ||
        message.role !== 'user' ||
        message.deletedAt ||
        !viewMessage(toWireMessage(message), viewerOf(access))
      ) {
        throw new DomainError('not_found', 'no such question in this session');
      }
      if (!OPEN_QUESTION.includes(message.agentState))
        throw new DomainError(
          'bad_request',
          'that question is no longer waiting: it was answered, dismissed or withdrawn',
        );
      const votes = await this.messages.addVote(tx, messageId, user.id);
      if (votes === null) return { votes: message.votes, changed: false };
      // Who may read the count: whoever may read the question.
      await log.append('votes_changed', { message_id: messageId, votes }, visibilityOfMessage(message));
      return { votes, changed: true };
    });
    if (result.changed) await this.turns.publishQueue(sessionId);
    return { votes: result.votes };
  }
}
