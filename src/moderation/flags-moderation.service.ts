import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import type { FlagAction, FlagResolution } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { toWireMessage, type SessionAccess } from '../sessions/session.mappers.js';
import { MessageRecords } from '../sessions/session-records.service.js';
import { SessionLog } from '../sessions/session-log.service.js';
import { SafetyService } from '../safety/safety.service.js';
import { TurnsService } from '../turns/turns.service.js';
import { AuditRepository } from './audit.repository.js';
import { ensureOpen } from './moderation.context.js';
import { MembersModerationService } from './members-moderation.service.js';

const STATUS_OF: Record<Exclude<FlagAction, 'note'>, FlagResolution> = {
  release: 'released',
  hide: 'hidden',
  dismiss: 'dismissed',
};

/**
 * What a moderator does with a safety flag, each audited and told to every moderator
 * (`safety_flag_resolved`): release a held message (shown at its release's seq, and sent
 * to the tutor if it was meant for it), hide it (a tombstone), dismiss the alert, or
 * write a staff note on it. Muting the author is the usual mute.
 */
@Injectable()
export class FlagsModerationService {
  constructor(
    private readonly log: SessionLog,
    private readonly messages: MessageRecords,
    private readonly safety: SafetyService,
    private readonly audit: AuditRepository,
    private readonly members: MembersModerationService,
    private readonly turns: TurnsService,
  ) {}

  async resolve(
    actor: AuthUser,
    access: SessionAccess,
    flagId: string,
    action: FlagAction,
    note?: string,
  ): Promise<void> {
    const sessionId = access.session.id;
    if (action === 'note' && !note?.trim())
      throw new DomainError('bad_request', 'note is required: what the staff note says');
    if (action === 'release' || action === 'hide') ensureOpen(access);
    const messageId = await this.log.write(sessionId, async (tx, log) => {
      const flag = await this.safety.find(tx, flagId);
      if (!flag || flag.sessionId !== sessionId) throw new DomainError('not_found', 'no such flag in this session');
      if (action !== 'note' && flag.status !== 'open')
        throw new DomainError('bad_request', `this flag is already ${flag.status}`);
      if (action === 'release') {
        const message = await this.messages.findIn(tx, flag.messageId);
        if (!message || message.safety !== 'held' || message.visibility !== 'held' || message.deletedAt) {
          throw new DomainError('bad_request', 'that message is not held: dismiss the flag instead');
        }
        // Released, it does what it would have done; a question held under `moderated` too is approved by the release.
        const intended =
          message.heldAgentState === 'awaiting_approval' ? 'pending' : (message.heldAgentState ?? message.agentState);
        await log.append(
          'new_message',
          async (seq) => {
            const revealed = await this.messages.update(tx, message.id, {
              visibility: 'all',
              seq,
              agentState: intended,
              heldAgentState: null,
              safety: 'flagged',
            });
            return { message: { ...toWireMessage(revealed), approved_by: actor.id } };
          },
          'all',
          { agentState: intended },
        );
      }
      const updated = await this.safety.update(tx, flagId, {
        ...(action === 'note' ? {} : { status: STATUS_OF[action], resolvedBy: actor.id, resolvedAt: new Date() }),
        ...(note?.trim() ? { note: note.trim() } : {}),
      });
      const seq = await log.append(
        'safety_flag_resolved',
        { flag_id: flagId, message_id: flag.messageId, status: updated.status, note: updated.note, by: actor.id },
        'moderators',
      );
      await this.audit.record(tx, {
        sessionId,
        seq,
        actorId: actor.id,
        action: action === 'note' ? 'flag_note' : 'resolve_flag',
        targetUserId: flag.authorId,
        details: {
          flag_id: flagId,
          message_id: flag.messageId,
          resolution: action,
          ...(note?.trim() ? { note: note.trim() } : {}),
        },
      });
      return flag.messageId;
    });
    // Hidden: the usual deletion, tombstone and all (the flag is resolved first, so a second hide is refused).
    if (action === 'hide') await this.members.deleteMessage(actor, access, messageId);
    if (action === 'release') await this.turns.publishQueue(sessionId);
  }
}
