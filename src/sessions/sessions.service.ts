import { DEFAULT_SAFETY, mergeSafety } from '../safety/safety-settings.js';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { checkModelAllowed } from './model-policy.js';
import type { AuthUser } from '../auth/auth-user.js';
import type { DurableEvent, Role, WireMember, WireMessage, WireSession } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { isUuid, newId, newJoinCode } from '../common/ids.js';
import { isStaff } from '../permissions/permission-table.js';
import type { SessionRecord as Session, SessionStatus } from './records.js';
import type { CreateSessionInput } from './dto/session.inputs.js';
import { MessagesRepository } from './messages.repository.js';
import { PresenceRegistry } from './presence.registry.js';
import { SessionLog } from './session-log.service.js';
import { toWireMember, toWireMessage, toWireSession, type SessionAccess } from './session.mappers.js';
import { SessionsRepository } from './sessions.repository.js';
import { toWireEvent, viewerOf, viewMessage } from './wire-events.js';

/** Sessions as a member or an operator reads them, plus creating one and admitting guests. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly messages: MessagesRepository,
    private readonly log: SessionLog,
    private readonly presence: PresenceRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  view(session: Session, access: { role: Role; display?: boolean }): WireSession {
    return toWireSession(session, { moderator: access.role === 'moderator' && !access.display });
  }

  /** The session as stored now (after a change), as `access` may see it. */
  async current(access: SessionAccess): Promise<WireSession> {
    const row = await this.sessions.findById(access.session.id);
    if (!row) throw new DomainError('not_found', 'session not found');
    return this.view(row, access);
  }

  async create(user: AuthUser, input: CreateSessionInput): Promise<WireSession> {
    if (user.guestSessionId) throw new DomainError('forbidden', 'guests cannot create sessions');
    checkModelAllowed(user, input.agent?.model, this.config.agent.models);
    const session = await this.sessions.createWithModerator({
      id: newId(),
      title: input.title,
      turnPolicy: input.turn_policy ?? 'round_robin',
      autoGrant: input.auto_grant ?? false,
      agentInstructions: input.agent?.instructions ?? '',
      agentModel: input.agent?.model ?? null,
      agentRespondsTo: input.agent?.responds_to ?? 'all',
      agentName: input.agent?.name ?? 'tutor',
      maxAnswerTokens: input.agent?.max_answer_tokens ?? null,
      agentLanguage: input.agent?.language ?? null,
      rateLimitMessages: input.rate_limit?.messages ?? null,
      rateLimitPerSeconds: input.rate_limit?.per_seconds ?? null,
      guestRole: input.guest_role ?? 'contributor',
      waitingRoom: input.waiting_room ?? false,
      anonymousQuestions: input.anonymous_questions ?? false,
      // Every new session has the defaults (DEFAULT_SAFETY) written out, so what it does is what it says.
      safety: mergeSafety(DEFAULT_SAFETY, input.safety ?? {}),
      // Sessions start with a join code, that is, open to a class: minors until a moderator says otherwise.
      minors: input.minors ?? true,
      redactPersonalData: input.redact_personal_data ?? true,
      retentionDays: input.retention_days ?? null,
      joinCode: newJoinCode(),
      createdById: user.id,
    });
    return toWireSession(session, { moderator: true });
  }

  async list(user: AuthUser, query: { status?: SessionStatus; cursor?: string; limit?: number }) {
    if (query.cursor !== undefined && !isUuid(query.cursor))
      throw new DomainError('bad_request', 'cursor is not valid');
    const limit = query.limit ?? 20;
    const rows = await this.sessions.list({
      memberId: user.isAdmin ? undefined : user.id,
      status: query.status,
      cursor: query.cursor,
      limit,
    });
    const page = rows.slice(0, limit);
    const [roles, stats] = await Promise.all([
      Promise.all(
        page.map((s) => (user.isAdmin ? 'moderator' : this.sessions.findMember(s.id, user.id).then((m) => m?.role))),
      ),
      this.sessions.stats(page.map((s) => s.id)),
    ]);
    return {
      // Extension: with each session's member and question counts (the home page's list).
      sessions: page.map((s, i) => ({
        ...toWireSession(s, { moderator: roles[i] === 'moderator' }),
        stats: stats.get(s.id)!,
      })),
      next_cursor: rows.length > limit ? page[page.length - 1].id : null,
    };
  }

  /** The roster; people in the waiting room only for staff. */
  async members(sessionId: string, viewer: Role): Promise<WireMember[]> {
    const members = (await this.sessions.listMembers(sessionId)).filter((m) => !m.waiting || isStaff(viewer));
    return members.map((m) => toWireMember(m.userId, m, this.presence.has(sessionId, m.userId)));
  }

  /** A page of history, newest first (PROTOCOL: `before_seq` pagination). */
  async history(
    access: SessionAccess,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<{ messages: WireMessage[]; has_more: boolean }> {
    const viewer = viewerOf(access);
    const rows = await this.messages.page(access.session.id, { beforeSeq, limit: limit + 1, viewer });
    return {
      messages: rows.slice(0, limit).map((row) => viewMessage(toWireMessage(row), viewer)!),
      has_more: rows.length > limit,
    };
  }

  async totalMessages(access: SessionAccess): Promise<number> {
    return this.messages.countFor(access.session.id, viewerOf(access));
  }

  async events(
    access: SessionAccess,
    afterSeq: number,
    limit: number,
  ): Promise<{ events: DurableEvent[]; has_more: boolean }> {
    const rows = await this.log.list(access.session.id, afterSeq, limit + 1);
    const viewer = viewerOf(access);
    return { events: rows.slice(0, limit).map((e) => toWireEvent(e, viewer)), has_more: rows.length > limit };
  }

  /**
   * The conversation as it happened: every public message in order, deleted
   * ones as tombstones, private notes only when a staff reader asks for them
   * (`includeNotes`); questions held for approval were never part of it. With
   * the session, when it ran and who took part.
   */
  async transcript(access: SessionAccess, options: { includeNotes?: boolean } = {}) {
    const viewer = viewerOf(access);
    const notes = options.includeNotes === true && isStaff(viewer.role);
    const [rows, members] = await Promise.all([
      this.messages.all(access.session.id, { viewer, includeDeleted: true }),
      this.sessions.listMembers(access.session.id),
    ]);
    return {
      session: this.view(access.session, access),
      exported_at: new Date().toISOString(),
      participants: members
        .filter((m) => !m.waiting)
        .map((m) => ({ user_id: m.userId, name: m.displayName, role: m.role, ...(m.guest ? { guest: true } : {}) })),
      messages: rows
        .filter((row) => row.visibility === 'all' || (notes && row.visibility === 'staff'))
        .map((row) => viewMessage(toWireMessage(row), viewer)!),
    };
  }

  async transcriptMarkdown(access: SessionAccess, options: { includeNotes?: boolean } = {}): Promise<string> {
    const { session, messages, participants, exported_at } = await this.transcript(access, options);
    const ran = `${session.created_at}${session.closed_at ? ` to ${session.closed_at}` : ' (still open)'}`;
    const lines = [
      `# ${escapeMarkdown(session.title)}`,
      '',
      `Session ${ran}. Transcript exported ${exported_at}.`,
      '',
      `Participants: ${participants.map((p) => `${escapeMarkdown(p.name)} (${p.role}${p.guest ? ', guest' : ''})`).join(', ') || 'none'}.`,
      '',
    ];
    for (const m of messages) {
      const label = m.visibility === 'staff' ? ' (private note)' : m.status !== 'complete' ? ` (${m.status})` : '';
      lines.push(
        `**${escapeMarkdown(m.author_name)}**${label}, ${m.timestamp}:`,
        '',
        m.deleted ? '_This message was deleted by a moderator._' : m.content,
        '',
      );
    }
    return lines.join('\n');
  }
}

const escapeMarkdown = (text: string) => text.replace(/([*_`\\])/g, '\\$1');
