import { Accounts } from '../auth/accounts.service.js';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { checkModelAllowed } from '../sessions/model-policy.js';
import { AgentRunner } from '../agent/agent-runner.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import type { RespondsTo, SafetySettings, TurnPolicy } from '../contract/protocol.js';
import { mergeSafety, safetyOf } from '../safety/safety-settings.js';
import { DomainError } from '../common/domain-error.js';
import { newJoinCode } from '../common/ids.js';
import type { AgentState, MessageRecord as Message, SessionChanges } from '../sessions/records.js';
import type { DbTransaction } from '../persistence/transaction.js';
import { toWireMessage } from '../sessions/session.mappers.js';
import { MessageRecords } from '../sessions/session-records.service.js';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { SessionLog, visibilityOfMessage, type EventAppender } from '../sessions/session-log.service.js';
import { SessionRecords } from '../sessions/session-records.service.js';
import { TurnsService } from '../turns/turns.service.js';
import { AuditRepository } from './audit.repository.js';
import { appendAudited, ensureOpen } from './moderation.context.js';

export interface SettingsChange {
  title?: string;
  turn_policy?: TurnPolicy;
  auto_grant?: boolean;
  rate_limit?: { messages: number; per_seconds: number } | null;
  guest_role?: 'contributor' | 'observer';
  locked?: boolean;
  waiting_room?: boolean;
  anonymous_questions?: boolean;
  safety?: Partial<SafetySettings>;
  minors?: boolean;
  redact_personal_data?: boolean;
  retention_days?: number | null;
  agent?: {
    instructions?: string;
    model?: string;
    responds_to?: RespondsTo;
    name?: string;
    max_answer_tokens?: number | null;
    language?: string | null;
  };
}

/** The `agent_state` words of a question a moderator may still decide on. */
const DECIDABLE: AgentState[] = ['awaiting_approval', 'pending'];

/** Moderation of the room itself: settings, lock, the agent, approvals, join codes, closing. */
@Injectable()
export class SessionControlService {
  constructor(
    private readonly log: SessionLog,
    private readonly sessions: SessionRecords,
    private readonly messages: MessageRecords,
    private readonly turns: TurnsService,
    private readonly audit: AuditRepository,
    private readonly agent: AgentRunner,
    private readonly accounts: Accounts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Applies settings changes as one `session_updated` event; `action` names it in the audit log. */
  async update(
    actor: AuthUser,
    access: SessionAccess,
    change: SettingsChange,
    action: string,
    options: { clearHands?: boolean } = {},
  ): Promise<void> {
    ensureOpen(access);
    checkModelAllowed(actor, change.agent?.model, this.config.agent.models);
    const sessionId = access.session.id;
    const data: SessionChanges = {};
    const changes: Record<string, unknown> = {};
    const set = <K extends keyof SessionChanges>(
      key: K,
      value: SessionChanges[K],
      wire: string,
      wireValue: unknown = value,
    ) => {
      data[key] = value;
      changes[wire] = wireValue;
    };
    if (change.title !== undefined) set('title', change.title, 'title');
    if (change.turn_policy !== undefined) set('turnPolicy', change.turn_policy, 'turn_policy');
    if (change.auto_grant !== undefined) set('autoGrant', change.auto_grant, 'auto_grant');
    if (change.guest_role !== undefined) set('guestRole', change.guest_role, 'guest_role');
    if (change.locked !== undefined) set('locked', change.locked, 'locked');
    if (change.waiting_room !== undefined) set('waitingRoom', change.waiting_room, 'waiting_room');
    if (change.anonymous_questions !== undefined)
      set('anonymousQuestions', change.anonymous_questions, 'anonymous_questions');
    if (change.safety !== undefined) {
      const safety = mergeSafety(safetyOf(access.session.safety), change.safety);
      set('safety', safety, 'safety');
    }
    if (change.minors !== undefined) set('minors', change.minors, 'minors');
    if (change.redact_personal_data !== undefined)
      set('redactPersonalData', change.redact_personal_data, 'redact_personal_data');
    if (change.retention_days !== undefined) set('retentionDays', change.retention_days, 'retention_days');
    if (change.rate_limit !== undefined) {
      data.rateLimitMessages = change.rate_limit?.messages ?? null;
      data.rateLimitPerSeconds = change.rate_limit?.per_seconds ?? null;
      changes.rate_limit = change.rate_limit;
    }
    if (change.agent) {
      const agent: Record<string, unknown> = {};
      const setAgent = <K extends keyof SessionChanges>(key: K, value: SessionChanges[K] | undefined, wire: string) => {
        if (value === undefined) return;
        data[key] = value;
        agent[wire] = value;
      };
      setAgent('agentInstructions', change.agent.instructions, 'instructions');
      setAgent('agentModel', change.agent.model, 'model');
      setAgent('agentRespondsTo', change.agent.responds_to, 'responds_to');
      setAgent('agentName', change.agent.name, 'name');
      setAgent('agentLanguage', change.agent.language, 'language');
      setAgent('maxAnswerTokens', change.agent.max_answer_tokens, 'max_answer_tokens');
      if (Object.keys(agent).length) changes.agent = agent;
    }
    if (Object.keys(changes).length === 0 && !options.clearHands)
      throw new DomainError('bad_request', 'nothing to change: name at least one setting');
    await this.log.write(sessionId, async (tx, log) => {
      const before = await this.sessions.findIn(tx, sessionId);
      // Hands are kept across a policy switch unless the moderator asks to clear them.
      if (options.clearHands) {
        await this.turns.lowerAllHands(tx, log, sessionId, actor.id);
      }
      if (Object.keys(changes).length === 0) return;
      await this.sessions.update(tx, sessionId, data);
      // Switching to `moderated`: what is queued (not what is being answered) waits for approval too.
      // Leaving it approves nothing: held questions stay held until a moderator decides (approve_all).
      const holds = before?.turnPolicy !== 'moderated' && change.turn_policy === 'moderated';
      if (holds) {
        const queued = await this.messages.withAgentStateIn(tx, sessionId, ['pending']);
        await this.messages.updateMany(
          tx,
          queued.map((m) => m.id),
          { agentState: 'awaiting_approval' },
        );
      }
      await appendAudited(this.audit, tx, log, {
        sessionId,
        actor,
        action,
        type: 'session_updated',
        payload: { changes, by: actor.id },
        ...(holds ? { internal: { holdsQueue: true } } : {}),
      });
      await this.turns.autoGrant(tx, log, sessionId);
    });
    await this.turns.publishQueue(sessionId);
  }

  /** Pauses the agent: the next answer waits; the one in progress finishes unless `stopNow`. */
  async pauseAgent(actor: AuthUser, access: SessionAccess, stopNow: boolean): Promise<void> {
    ensureOpen(access);
    if (access.session.agentPaused) {
      if (stopNow) await this.agent.stopAnywhere(access.session.id, 'pause');
      return;
    }
    await this.log.write(access.session.id, async (tx, log) => {
      const seq = await appendAudited(this.audit, tx, log, {
        sessionId: access.session.id,
        actor,
        action: 'pause_agent',
        type: 'session_updated',
        payload: { changes: { agent: { paused: true } }, by: actor.id, ...(stopNow ? { stop_now: true } : {}) },
      });
      await this.sessions.update(tx, access.session.id, {
        agentPaused: true,
        agentPausedAtSeq: seq,
        humanAnsweredWhilePaused: false,
      });
    });
    // "Stop now": abort what is in flight too; the partial answer is stored as cancelled, its question waits for resume.
    if (stopNow) await this.agent.stopAnywhere(access.session.id, 'pause');
  }

  async resumeAgent(actor: AuthUser, access: SessionAccess, answerPending: boolean): Promise<void> {
    ensureOpen(access);
    const sessionId = access.session.id;
    await this.log.write(sessionId, async (tx, log) => {
      const session = await this.sessions.findIn(tx, sessionId);
      if (!session?.agentPaused) throw new DomainError('bad_request', 'the agent is not paused');
      if (!answerPending) {
        // What arrived during the pause was handled in person: the agent lets it be.
        const arrived = (await this.messages.withAgentStateIn(tx, sessionId, ['pending'])).filter(
          (m) => m.seq > (session.agentPausedAtSeq ?? 0),
        );
        await this.messages.updateMany(
          tx,
          arrived.map((m) => m.id),
          { agentState: 'skipped' },
        );
      }
      await this.sessions.update(tx, sessionId, { agentPaused: false, agentPausedAtSeq: null });
      await appendAudited(this.audit, tx, log, {
        sessionId,
        actor,
        action: 'resume_agent',
        type: 'session_updated',
        payload: { changes: { agent: { paused: false } }, answer_pending: answerPending, by: actor.id },
      });
    });
    await this.turns.publishQueue(sessionId);
  }

  async cancelAgent(actor: AuthUser, access: SessionAccess): Promise<void> {
    ensureOpen(access);
    if (!(await this.agent.stopAnywhere(access.session.id, 'cancel')))
      throw new DomainError('bad_request', 'the agent is not answering anything');
    await this.recordAction(actor, access, 'cancel_agent', {});
  }

  /** Approves one question (it reaches the tutor) or dismisses one (its author sees why). */
  async approveMessage(
    actor: AuthUser,
    access: SessionAccess,
    messageId: string | undefined,
    approve: boolean,
    reason?: string,
  ): Promise<void> {
    ensureOpen(access);
    if (!messageId) throw new DomainError('bad_request', 'message_id is required');
    const sessionId = access.session.id;
    const allowed = approve ? ['awaiting_approval'] : DECIDABLE;
    await this.log.write(sessionId, async (tx, log) => {
      const message = await this.messages.findIn(tx, messageId);
      if (!message || message.sessionId !== sessionId)
        throw new DomainError('not_found', 'no such message in this session');
      if (!allowed.includes(message.agentState)) {
        throw new DomainError(
          'bad_request',
          approve ? 'that message is not waiting for approval' : 'that message is not in the queue',
        );
      }
      if (approve) await this.approveIn(tx, log, actor, message);
      else await this.dismissIn(tx, log, actor, message, reason);
    });
    await this.turns.publishQueue(sessionId);
  }

  /** Decides on every question waiting for approval at once; returns how many. */
  async decideAll(
    actor: AuthUser,
    access: SessionAccess,
    approve: boolean,
    reason?: string,
  ): Promise<{ count: number }> {
    ensureOpen(access);
    const sessionId = access.session.id;
    const count = await this.log.write(sessionId, async (tx, log) => {
      const waiting = await this.messages.withAgentStateIn(tx, sessionId, ['awaiting_approval']);
      for (const message of waiting) {
        if (approve) await this.approveIn(tx, log, actor, message);
        else await this.dismissIn(tx, log, actor, message, reason);
      }
      return waiting.length;
    });
    await this.turns.publishQueue(sessionId);
    return { count };
  }

  /**
   * Approval. A held question (only its author and staff could read it) is
   * revealed to everyone by a `new_message` event at the approval's seq: the
   * message moves to that seq, so every reader, and the tutor, find it where
   * it became public. A question that was already public (queued before the
   * switch to `moderated`) keeps its place: a `moderation` event says so.
   */
  private async approveIn(tx: DbTransaction, log: EventAppender, actor: AuthUser, message: Message): Promise<void> {
    if (message.visibility === 'held') {
      const seq = await log.append(
        'new_message',
        async (seq) => {
          const revealed = await this.messages.update(tx, message.id, {
            visibility: 'all',
            seq,
            agentState: 'pending',
          });
          return { message: { ...toWireMessage(revealed), approved_by: actor.id } };
        },
        'all',
        { agentState: 'pending' },
      );
      await this.audit.record(tx, {
        sessionId: message.sessionId,
        seq,
        actorId: actor.id,
        action: 'approve_message',
        targetUserId: message.authorId,
        details: { message_id: message.id, arrived_seq: message.seq },
      });
      return;
    }
    await this.messages.update(tx, message.id, { agentState: 'pending' });
    await appendAudited(this.audit, tx, log, {
      sessionId: message.sessionId,
      actor,
      action: 'approve_message',
      type: 'moderation',
      payload: { action: 'approve_message', message_id: message.id, user_id: message.authorId, by: actor.id },
      targetUserId: message.authorId,
    });
  }

  /** Dismissal: a held question stays between its author and staff; a public one is dismissed in public. */
  private async dismissIn(
    tx: DbTransaction,
    log: EventAppender,
    actor: AuthUser,
    message: Message,
    reason?: string,
  ): Promise<void> {
    await this.messages.update(tx, message.id, { agentState: 'dismissed', dismissReason: reason ?? null });
    await appendAudited(this.audit, tx, log, {
      sessionId: message.sessionId,
      actor,
      action: 'dismiss_message',
      type: 'moderation',
      payload: {
        action: 'dismiss_message',
        message_id: message.id,
        user_id: message.authorId,
        by: actor.id,
        ...(reason ? { reason } : {}),
      },
      targetUserId: message.authorId,
      visibility: visibilityOfMessage(message),
    });
  }

  /** A new join code (old links stop working), or none: guests can no longer join. */
  async changeJoinCode(actor: AuthUser, access: SessionAccess, enable: boolean): Promise<{ join_code: string | null }> {
    ensureOpen(access);
    const joinCode = enable ? newJoinCode() : null;
    await this.log.write(access.session.id, async (tx, log) => {
      await this.sessions.update(tx, access.session.id, { joinCode });
      // The event does not carry the code: only moderators may see it.
      await appendAudited(this.audit, tx, log, {
        sessionId: access.session.id,
        actor,
        action: enable ? 'rotate_join_code' : 'disable_join_code',
        type: 'moderation',
        payload: { action: enable ? 'rotate_join_code' : 'disable_join_code', by: actor.id },
        internal: { joinCode },
      });
    });
    return { join_code: joinCode };
  }

  /** The session's audit log, oldest first: who did what to whom. */
  async auditLog(sessionId: string) {
    const rows = await this.audit.list(sessionId);
    const names = await this.accounts.namesOf(
      rows.flatMap((r) => (r.targetUserId ? [r.actorId, r.targetUserId] : [r.actorId])),
    );
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      action: r.action,
      actor_id: r.actorId,
      actor_name: names.get(r.actorId) ?? null,
      target_user_id: r.targetUserId,
      target_name: r.targetUserId ? (names.get(r.targetUserId) ?? null) : null,
      details: r.details,
      at: r.createdAt.toISOString(),
    }));
  }

  /**
   * Closes the session: hands are lowered, and every question still waiting
   * (queued or for approval) ends unanswered, "session closed"; then the
   * session is read-only on every page.
   */
  async close(actor: AuthUser, access: SessionAccess): Promise<void> {
    ensureOpen(access);
    const sessionId = access.session.id;
    await this.log.write(sessionId, async (tx, log) => {
      await this.turns.lowerAllHands(tx, log, sessionId, actor.id);
      const waiting = await this.messages.withAgentStateIn(tx, sessionId, DECIDABLE);
      await this.messages.updateMany(
        tx,
        waiting.map((m) => m.id),
        { agentState: 'closed' },
      );
      await this.sessions.update(tx, sessionId, { status: 'closed', closedAt: new Date(), floorUserId: null });
      await appendAudited(this.audit, tx, log, {
        sessionId,
        actor,
        action: 'close',
        type: 'session_closed',
        payload: { by: actor.id },
        internal: { clearsQueue: true },
      });
    });
    await this.agent.stopAnywhere(sessionId, 'close');
    await this.turns.publishQueue(sessionId);
  }

  private async recordAction(
    actor: AuthUser,
    access: SessionAccess,
    action: 'cancel_agent',
    details: Record<string, unknown>,
  ) {
    await this.log.write(access.session.id, (tx, log) =>
      appendAudited(this.audit, tx, log, {
        sessionId: access.session.id,
        actor,
        action,
        type: 'moderation',
        payload: { action, by: actor.id, ...details },
      }),
    );
  }
}
