import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { checkModelAllowed } from '../sessions/model-policy.js';
import { AgentRunner } from '../agent/agent-runner.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import type { RespondsTo, TurnPolicy } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { newJoinCode } from '../common/ids.js';
import type { Prisma } from '../generated/prisma/client.js';
import { MessagesRepository } from '../sessions/messages.repository.js';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { SessionLog } from '../sessions/session-log.service.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
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
  agent?: { instructions?: string; model?: string; responds_to?: RespondsTo; name?: string };
}


/** Moderation of the room itself: settings, lock, the agent, approvals, join codes, closing. */
@Injectable()
export class SessionControlService {
  constructor(
    private readonly log: SessionLog,
    private readonly sessions: SessionsRepository,
    private readonly messages: MessagesRepository,
    private readonly turns: TurnsService,
    private readonly audit: AuditRepository,
    private readonly agent: AgentRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Applies settings changes as one `session_updated` event; `action` names it in the audit log. */
  async update(actor: AuthUser, access: SessionAccess, change: SettingsChange, action: string): Promise<void> {
    ensureOpen(access);
    checkModelAllowed(actor, change.agent?.model, this.config.agent.models);
    const sessionId = access.session.id;
    const data: Prisma.SessionUncheckedUpdateInput = {};
    const changes: Record<string, unknown> = {};
    const set = <K extends keyof Prisma.SessionUncheckedUpdateInput>(key: K, value: Prisma.SessionUncheckedUpdateInput[K], wire: string, wireValue: unknown = value) => {
      data[key] = value;
      changes[wire] = wireValue;
    };
    if (change.title !== undefined) set('title', change.title, 'title');
    if (change.turn_policy !== undefined) set('turnPolicy', change.turn_policy, 'turn_policy');
    if (change.auto_grant !== undefined) set('autoGrant', change.auto_grant, 'auto_grant');
    if (change.guest_role !== undefined) set('guestRole', change.guest_role, 'guest_role');
    if (change.locked !== undefined) set('locked', change.locked, 'locked');
    if (change.waiting_room !== undefined) set('waitingRoom', change.waiting_room, 'waiting_room');
    if (change.rate_limit !== undefined) {
      data.rateLimitMessages = change.rate_limit?.messages ?? null;
      data.rateLimitPerSeconds = change.rate_limit?.per_seconds ?? null;
      changes.rate_limit = change.rate_limit;
    }
    if (change.agent) {
      const agent: Record<string, unknown> = {};
      if (change.agent.instructions !== undefined) (data.agentInstructions = change.agent.instructions), (agent.instructions = change.agent.instructions);
      if (change.agent.model !== undefined) (data.agentModel = change.agent.model), (agent.model = change.agent.model);
      if (change.agent.responds_to !== undefined) (data.agentRespondsTo = change.agent.responds_to), (agent.responds_to = change.agent.responds_to);
      if (change.agent.name !== undefined) (data.agentName = change.agent.name), (agent.name = change.agent.name);
      if (Object.keys(agent).length) changes.agent = agent;
    }
    if (Object.keys(changes).length === 0) throw new DomainError('bad_request', 'nothing to change: name at least one setting');
    await this.log.write(sessionId, async (tx, log) => {
      const before = await this.sessions.findByIdIn(tx, sessionId);
      await this.sessions.update(tx, sessionId, data);
      // Leaving `moderated`: what waited for approval joins the queue rather than waiting forever.
      if (before?.turnPolicy === 'moderated' && change.turn_policy && change.turn_policy !== 'moderated') {
        const waiting = await this.messages.withAgentStateIn(tx, sessionId, ['awaiting_approval']);
        await this.messages.updateMany(tx, waiting.map((m) => m.id), { agentState: 'pending' });
      }
      await appendAudited(this.audit, tx, log, { sessionId, actor, action, type: 'session_updated', payload: { changes, by: actor.id } });
      await this.turns.autoGrant(tx, log, sessionId);
    });
    await this.turns.publishQueue(sessionId);
  }

  async pauseAgent(actor: AuthUser, access: SessionAccess): Promise<void> {
    ensureOpen(access);
    if (access.session.agentPaused) return;
    await this.log.write(access.session.id, async (tx, log) => {
      const seq = await appendAudited(this.audit, tx, log, {
        sessionId: access.session.id,
        actor,
        action: 'pause_agent',
        type: 'session_updated',
        payload: { changes: { agent: { paused: true } }, by: actor.id },
      });
      await this.sessions.update(tx, access.session.id, { agentPaused: true, agentPausedAtSeq: seq, humanAnsweredWhilePaused: false });
    });
    // Abort what is in flight: the partial answer is stored as cancelled, its question waits for resume.
    this.agent.stop(access.session.id, 'pause');
  }

  async resumeAgent(actor: AuthUser, access: SessionAccess, answerPending: boolean): Promise<void> {
    ensureOpen(access);
    const sessionId = access.session.id;
    await this.log.write(sessionId, async (tx, log) => {
      const session = await this.sessions.findByIdIn(tx, sessionId);
      if (!session?.agentPaused) throw new DomainError('bad_request', 'the agent is not paused');
      if (!answerPending) {
        // What arrived during the pause was handled in person: the agent lets it be.
        const arrived = (await this.messages.withAgentStateIn(tx, sessionId, ['pending'])).filter((m) => m.seq > (session.agentPausedAtSeq ?? 0));
        await this.messages.updateMany(tx, arrived.map((m) => m.id), { agentState: 'skipped' });
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
    if (!this.agent.stop(access.session.id, 'cancel')) throw new DomainError('bad_request', 'the agent is not answering anything');
    await this.recordAction(actor, access, 'cancel_agent', {});
  }

  async approveMessage(actor: AuthUser, access: SessionAccess, messageId: string | undefined, approve: boolean): Promise<void> {
    ensureOpen(access);
    if (!messageId) throw new DomainError('bad_request', 'message_id is required');
    const sessionId = access.session.id;
    const allowed = approve ? ['awaiting_approval'] : ['awaiting_approval', 'pending'];
    await this.log.write(sessionId, async (tx, log) => {
      const message = await this.messages.findByIdIn(tx, messageId);
      if (!message || message.sessionId !== sessionId) throw new DomainError('not_found', 'no such message in this session');
      if (!allowed.includes(message.agentState)) {
        throw new DomainError('bad_request', approve ? 'that message is not waiting for approval' : 'that message is not in the queue');
      }
      await this.messages.update(tx, messageId, { agentState: approve ? 'pending' : 'dismissed' });
      const action = approve ? 'approve_message' : 'dismiss_message';
      await appendAudited(this.audit, tx, log, {
        sessionId,
        actor,
        action,
        type: 'moderation',
        payload: { action, message_id: messageId, user_id: message.authorId, by: actor.id },
        targetUserId: message.authorId,
      });
    });
    await this.turns.publishQueue(sessionId);
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

  async close(actor: AuthUser, access: SessionAccess): Promise<void> {
    ensureOpen(access);
    await this.log.write(access.session.id, async (tx, log) => {
      await this.sessions.update(tx, access.session.id, { status: 'closed', closedAt: new Date(), floorUserId: null });
      await appendAudited(this.audit, tx, log, { sessionId: access.session.id, actor, action: 'close', type: 'session_closed', payload: { by: actor.id } });
    });
    this.agent.stop(access.session.id, 'close');
  }

  private async recordAction(actor: AuthUser, access: SessionAccess, action: 'cancel_agent', details: Record<string, unknown>) {
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
