import { Accounts } from '../auth/accounts.service.js';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import type { Role } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { newJoinCode } from '../common/ids.js';
import { agentStateAfterDeletion } from '../sessions/records.js';
import { MessageRecords } from '../sessions/session-records.service.js';
import { questionOfRow } from '../sessions/agent-queue.js';
import { toWireMessage, type SessionAccess } from '../sessions/session.mappers.js';
import { SessionLog, visibilityOfMessage } from '../sessions/session-log.service.js';
import { SessionRecords } from '../sessions/session-records.service.js';
import { TurnsService } from '../turns/turns.service.js';
import { AuditRepository } from './audit.repository.js';
import { appendAudited, ensureOpen } from './moderation.context.js';
import { MuteScheduler, MUTED_INDEFINITELY } from './mute.scheduler.js';

/** Moderation of people and their messages: floor, hands, mutes, roles, kicks, deletions. */
@Injectable()
export class MembersModerationService {
  constructor(
    private readonly log: SessionLog,
    private readonly sessions: SessionRecords,
    private readonly messages: MessageRecords,
    private readonly turns: TurnsService,
    private readonly audit: AuditRepository,
    private readonly mutes: MuteScheduler,
    private readonly accounts: Accounts,
  ) {}

  private async member(sessionId: string, userId: string | undefined) {
    if (!userId) throw new DomainError('bad_request', 'user_id is required');
    const member = await this.sessions.member(sessionId, userId);
    if (!member || member.banned) throw new DomainError('not_found', 'that user is not a member of this session');
    return member;
  }

  async grantTurn(actor: AuthUser, access: SessionAccess, userId: string | undefined) {
    ensureOpen(access);
    const target = await this.member(access.session.id, userId);
    await this.log.write(access.session.id, async (tx, log) => {
      const seq = await this.turns.grantTurn(tx, log, access.session.id, target.userId, actor.id);
      await this.audit.record(tx, {
        sessionId: access.session.id,
        seq,
        actorId: actor.id,
        action: 'grant_turn',
        targetUserId: target.userId,
      });
    });
  }

  async lowerHand(actor: AuthUser, access: SessionAccess, userId: string | undefined) {
    ensureOpen(access);
    if (!userId) throw new DomainError('bad_request', 'user_id is required');
    const lowered = await this.log.write(access.session.id, async (tx, log) => {
      const seq = await this.turns.removeHandOf(tx, log, access.session.id, userId, actor.id);
      if (seq === null) return false;
      await this.audit.record(tx, {
        sessionId: access.session.id,
        seq,
        actorId: actor.id,
        action: 'lower_hand',
        targetUserId: userId,
      });
      return true;
    });
    if (!lowered) throw new DomainError('not_found', 'that user has no raised hand');
  }

  /**
   * Mutes someone. What they left waiting for the tutor is withdrawn (the
   * default: `unmute` with `restore_questions` is the undo), or with
   * `keepQuestions` kept, unanswered, until the mute ends. Answers how many
   * questions were withdrawn.
   */
  async mute(
    actor: AuthUser,
    access: SessionAccess,
    userId: string | undefined,
    seconds: number | undefined,
    keepQuestions: boolean,
  ) {
    ensureOpen(access);
    const target = await this.member(access.session.id, userId);
    if (target.role === 'moderator') throw new DomainError('forbidden', 'moderators cannot be muted');
    const until = seconds ? new Date(Date.now() + seconds * 1000) : MUTED_INDEFINITELY;
    const withdrawn = await this.log.write(access.session.id, async (tx, log) => {
      await this.sessions.updateMember(tx, access.session.id, target.userId, { mutedUntil: until });
      const taken = keepQuestions ? [] : await this.messages.withdrawWaitingOf(tx, access.session.id, target.userId);
      await appendAudited(this.audit, tx, log, {
        sessionId: access.session.id,
        actor,
        action: 'mute',
        type: 'member_updated',
        payload: {
          user_id: target.userId,
          role: target.role,
          muted_until: until.toISOString(),
          display_name: target.displayName,
        },
        targetUserId: target.userId,
        details: {
          seconds: seconds ?? null,
          questions: keepQuestions ? 'kept' : 'withdrawn',
          withdrawn: taken.map((m) => m.id),
        },
        internal: { withdrawsQueue: !keepQuestions },
      });
      return taken.length;
    });
    await this.turns.publishQueue(access.session.id);
    this.mutes.schedule(access.session.id, target.userId, until);
    return { withdrawn };
  }

  /** Unmutes someone; with `restoreQuestions`, what their mute withdrew waits for the tutor again (the undo). */
  async unmute(actor: AuthUser, access: SessionAccess, userId: string | undefined, restoreQuestions: boolean) {
    ensureOpen(access);
    const target = await this.member(access.session.id, userId);
    const restored = await this.log.write(access.session.id, async (tx, log) => {
      await this.sessions.updateMember(tx, access.session.id, target.userId, { mutedUntil: null });
      const back = restoreQuestions ? await this.messages.restoreWithdrawnOf(tx, access.session.id, target.userId) : [];
      await appendAudited(this.audit, tx, log, {
        sessionId: access.session.id,
        actor,
        action: 'unmute',
        type: 'member_updated',
        payload: { user_id: target.userId, role: target.role, muted_until: null, display_name: target.displayName },
        targetUserId: target.userId,
        details: restoreQuestions ? { restored: back.map((m) => m.id) } : undefined,
        ...(back.length ? { internal: { restores: back.map(questionOfRow) } } : {}),
      });
      return back.length;
    });
    this.mutes.cancel(access.session.id, target.userId);
    if (restored) await this.turns.publishQueue(access.session.id);
    return restoreQuestions ? { restored } : {};
  }

  /** A member's share of the tutor's time under round_robin (an accommodation): 1 to 4, audited. */
  async setWeight(actor: AuthUser, access: SessionAccess, userId: string | undefined, weight: number | undefined) {
    ensureOpen(access);
    if (weight === undefined) throw new DomainError('bad_request', 'weight is required (1 to 4)');
    const target = await this.member(access.session.id, userId);
    await this.log.write(access.session.id, async (tx, log) => {
      await this.sessions.updateMember(tx, access.session.id, target.userId, { weight });
      await appendAudited(this.audit, tx, log, {
        sessionId: access.session.id,
        actor,
        action: 'set_weight',
        type: 'member_updated',
        payload: {
          user_id: target.userId,
          role: target.role,
          muted_until: target.mutedUntil ? target.mutedUntil.toISOString() : null,
          display_name: target.displayName,
          weight,
        },
        targetUserId: target.userId,
        details: { weight, previous_weight: target.weight },
      });
    });
    await this.turns.publishQueue(access.session.id);
  }

  /** Adds a member or changes their role; takes effect on their open sockets at once. */
  async setRole(
    actor: AuthUser,
    access: SessionAccess,
    userId: string | undefined,
    role: Role | undefined,
    options: { allowAdd: boolean },
  ) {
    ensureOpen(access);
    if (!userId) throw new DomainError('bad_request', 'user_id is required');
    if (!role) throw new DomainError('bad_request', 'role is required');
    const sessionId = access.session.id;
    const user = await this.accounts.find(userId);
    if (!user) throw new DomainError('not_found', 'no such user');
    const current = await this.sessions.member(sessionId, userId);
    if (!options.allowAdd && (!current || current.banned))
      throw new DomainError('not_found', 'that user is not a member of this session');
    if (current && current.role === 'moderator' && role !== 'moderator')
      await this.ensureAnotherModerator(sessionId, userId);
    await this.log.write(sessionId, async (tx, log) => {
      // A moderator setting someone's role also lets them in from the waiting room.
      const member = await this.sessions.upsertMember(tx, sessionId, userId, { role, banned: false, waiting: false });
      await appendAudited(this.audit, tx, log, {
        sessionId,
        actor,
        action: current && !current.banned ? 'set_role' : 'add_member',
        type: 'member_updated',
        payload: {
          user_id: userId,
          role,
          muted_until: member.mutedUntil ? member.mutedUntil.toISOString() : null,
          display_name: user.displayName,
          waiting: false,
        },
        targetUserId: userId,
        details: { role, previous_role: current?.role ?? null },
      });
    });
  }

  /** Lets someone in from the waiting room: everyone hears of them now. */
  async admit(actor: AuthUser, access: SessionAccess, userId: string | undefined) {
    ensureOpen(access);
    const target = await this.member(access.session.id, userId);
    if (!target.waiting) throw new DomainError('bad_request', 'that person is not in the waiting room');
    await this.log.write(access.session.id, async (tx, log) => {
      await this.sessions.updateMember(tx, access.session.id, target.userId, { waiting: false });
      await appendAudited(this.audit, tx, log, {
        sessionId: access.session.id,
        actor,
        action: 'admit',
        type: 'member_updated',
        payload: {
          user_id: target.userId,
          role: target.role,
          muted_until: target.mutedUntil ? target.mutedUntil.toISOString() : null,
          display_name: target.displayName,
          waiting: false,
        },
        targetUserId: target.userId,
      });
    });
  }

  private async ensureAnotherModerator(sessionId: string, userId: string) {
    const members = await this.sessions.members(sessionId);
    if (!members.some((m) => m.role === 'moderator' && m.userId !== userId)) {
      throw new DomainError('conflict', 'a session needs at least one moderator: promote someone else first');
    }
  }

  /** Removes a member (their sockets get `kicked`); with ban they cannot come back, by any code. */
  async kick(actor: AuthUser, access: SessionAccess, userId: string | undefined, ban: boolean) {
    ensureOpen(access);
    const sessionId = access.session.id;
    const target = await this.member(sessionId, userId);
    if (target.userId === actor.id) throw new DomainError('bad_request', 'you cannot remove yourself');
    if (target.role === 'moderator') await this.ensureAnotherModerator(sessionId, target.userId);
    const rotated = await this.log.write(sessionId, async (tx, log) => {
      if (ban) await this.sessions.updateMember(tx, sessionId, target.userId, { banned: true, mutedUntil: null });
      else await this.sessions.removeMember(tx, sessionId, target.userId);
      // What they left waiting is withdrawn with them.
      await this.messages.dismissWaitingOf(tx, sessionId, target.userId);
      await this.turns.removeHandOf(tx, log, sessionId, target.userId, actor.id);
      const session = await this.sessions.findIn(tx, sessionId);
      if (session?.floorUserId === target.userId) {
        await this.sessions.update(tx, sessionId, { floorUserId: null });
        await log.append('session_updated', { changes: { floor_user_id: null }, by: actor.id });
      }
      await appendAudited(this.audit, tx, log, {
        sessionId,
        actor,
        action: ban ? 'ban' : 'kick',
        type: 'member_removed',
        payload: { user_id: target.userId, banned: ban },
        targetUserId: target.userId,
      });
      // A banned guest is only an account made by the join code: with the same code they could make
      // another. The code changes with the ban (the moderator gets the new one; old links stop working).
      if (!ban || access.session.joinCode === null || !(await this.sessions.isGuestOf(tx, target.userId, sessionId)))
        return null;
      const joinCode = newJoinCode();
      await this.sessions.update(tx, sessionId, { joinCode });
      await appendAudited(this.audit, tx, log, {
        sessionId,
        actor,
        action: 'rotate_join_code',
        type: 'moderation',
        payload: { action: 'rotate_join_code', reason: 'guest_banned', by: actor.id },
        internal: { joinCode },
      });
      return joinCode;
    });
    this.mutes.cancel(sessionId, target.userId);
    await this.turns.publishQueue(sessionId);
    return rotated === null ? {} : { join_code: rotated };
  }

  /** Deletes a message: a tombstone stays; its text leaves history, transcript, events and the agent's context. */
  async deleteMessage(actor: AuthUser, access: SessionAccess, messageId: string | undefined) {
    ensureOpen(access);
    if (!messageId) throw new DomainError('bad_request', 'message_id is required');
    const sessionId = access.session.id;
    const message = await this.messages.find(messageId);
    if (!message || message.sessionId !== sessionId)
      throw new DomainError('not_found', 'no such message in this session');
    if (message.deletedAt) return;
    await this.log.write(sessionId, async (tx, log) => {
      const deleted = await this.messages.update(tx, messageId, {
        deletedAt: new Date(),
        deletedById: actor.id,
        content: '',
        ...agentStateAfterDeletion(message.agentState),
      });
      // Every event that carried it (a held question is carried twice: when asked and when approved).
      await this.log.redact(tx, sessionId, messageId, { message: toWireMessage(deleted) });
      const seq = await log.append(
        'message_deleted',
        { message_id: messageId, by: actor.id },
        visibilityOfMessage(message),
      );
      await this.audit.record(tx, {
        sessionId,
        seq,
        actorId: actor.id,
        action: 'delete_message',
        targetUserId: message.authorId,
        details: { message_id: messageId },
      });
    });
    await this.turns.publishQueue(sessionId);
  }
}
