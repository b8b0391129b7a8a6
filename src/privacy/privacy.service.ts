import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { TokenRevocations } from '../auth/token-revocations.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { agentStateAfterDeletion } from '../sessions/records.js';
import { MessageRecords } from '../sessions/session-records.service.js';
import { SessionLog, visibilityOfMessage } from '../sessions/session-log.service.js';
import { toWireMessage } from '../sessions/session.mappers.js';
import { PrivacyRepository } from './privacy.repository.js';

const DAY_MS = 24 * 3600 * 1000;
/** What an erased person's messages say they were written by. */
export const ERASED_AUTHOR_NAME = 'Erased user';

/**
 * Keeping data only as long as it should be (issue: safe for minors): the daily
 * retention job, erasing a person, and a person's export. docs/PRIVACY.md says
 * what is kept, for how long, and how it goes.
 */
@Injectable()
export class PrivacyService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PrivacyService');
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly repository: PrivacyRepository,
    private readonly log: SessionLog,
    private readonly messages: MessageRecords,
    private readonly live: LiveSessions,
    private readonly revocations: TokenRevocations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    // A minute after start, then daily: a restart does not skip a day, and several instances may all run it.
    const run = () =>
      void this.purgeExpired().catch((error: unknown) => this.logger.error(`retention: ${String(error)}`));
    const first = setTimeout(() => {
      run();
      const daily = setInterval(run, DAY_MS);
      daily.unref();
      this.timers.push(daily);
    }, 60_000);
    first.unref();
    this.timers.push(first);
  }

  onModuleDestroy() {
    for (const t of this.timers) clearTimeout(t);
  }

  /**
   * Purges every closed session older than its retention (its own `retention_days`, else
   * RETENTION_DAYS; neither: kept), then the guests left without a session.
   */
  async purgeExpired(now = new Date()): Promise<{ sessions: string[]; guests: number }> {
    const purged: string[] = [];
    for (const session of await this.repository.closedSessions()) {
      const days = session.retentionDays ?? this.config.retentionDays;
      if (days === null || session.closedAt.getTime() + days * DAY_MS > now.getTime()) continue;
      const removed = await this.repository.purgeSession(session);
      this.live.forget(session.id);
      if (removed) {
        purged.push(session.id);
        this.logger.log({ session_id: session.id, removed, msg: `retention: purged session ${session.id}` });
      }
    }
    const guests = await this.repository.deleteOrphanGuests();
    return { sessions: purged, guests };
  }

  /**
   * Erases a person: their messages become tombstones whose text is gone from every
   * table (the events that carried them included), tutor answers to them alone too;
   * their names and notes leave the event log; memberships, hands and votes go; usage
   * is kept without them; their tokens stop working and their sockets close. Every
   * session's seq stays gap-free: events are rewritten, never removed.
   */
  async erase(actor: AuthUser, userId: string): Promise<{ sessions: number; messages: number }> {
    if (actor.id === userId) throw new DomainError('bad_request', 'an admin cannot erase their own account here');
    const user = await this.repository.findUser(userId);
    if (!user) throw new DomainError('not_found', 'no such user');
    let erased = 0;
    const sessions = await this.repository.sessionsOf(userId);
    for (const sessionId of sessions) {
      await this.log.write(sessionId, async (tx, log) => {
        for (const message of await this.repository.messagesToErase(tx, sessionId, userId)) {
          const own = message.authorId === userId;
          const tombstone = await this.messages.update(tx, message.id, {
            content: '',
            deletedAt: message.deletedAt ?? new Date(),
            deletedById: message.deletedById ?? actor.id,
            ...(own ? { authorName: ERASED_AUTHOR_NAME, clientMsgId: null } : {}),
            ...agentStateAfterDeletion(message.agentState),
          });
          await this.log.redact(tx, sessionId, message.id, { message: toWireMessage(tombstone) });
          if (!message.deletedAt)
            await log.append(
              'message_deleted',
              { message_id: message.id, by: actor.id, erased: true },
              visibilityOfMessage(message),
            );
          erased++;
        }
        const member = await this.repository.isMember(tx, sessionId, userId);
        await this.repository.scrubSession(tx, sessionId, userId);
        if (member)
          await log.append('member_removed', { user_id: userId, banned: false, by: actor.id, erased: true }, 'all');
      });
      // The live state reloads from the scrubbed rows (names in its window included).
      this.live.forget(sessionId);
    }
    await this.repository.deleteUser(userId);
    this.revocations.revoked(userId);
    this.logger.log({
      user_id: userId,
      by: actor.id,
      msg: `erased user ${userId} (${sessions.length} sessions, ${erased} messages)`,
    });
    return { sessions: sessions.length, messages: erased };
  }

  /** What Roundtable holds about one person, as JSON: their account, memberships, messages, hands, votes, usage and flags. */
  async export(userId: string) {
    const user = await this.repository.findUser(userId);
    if (!user) throw new DomainError('not_found', 'no such user');
    const data = await this.repository.exportOf(userId);
    return {
      exported_at: new Date().toISOString(),
      user: {
        id: user.id,
        email: user.email,
        display_name: user.displayName,
        created_at: user.createdAt.toISOString(),
        guest: user.guestSessionId !== null,
        guest_session_id: user.guestSessionId,
      },
      // The school accounts this account signs in with (the provider's id for the person, and the address it gave).
      sign_in_accounts: data.identities.map((i) => ({
        issuer: i.issuer,
        subject: i.subject,
        email: i.email,
        linked_at: i.createdAt.toISOString(),
      })),
      memberships: data.memberships.map((m) => ({
        session_id: m.sessionId,
        session_title: m.session.title,
        role: m.role,
        joined_at: m.joinedAt.toISOString(),
        muted_until: m.mutedUntil?.toISOString() ?? null,
        banned: m.banned,
        weight: m.weight,
      })),
      messages: data.messages.map((m) => ({
        id: m.id,
        session_id: m.sessionId,
        seq: m.seq,
        content: m.content,
        visibility: m.visibility === 'all' ? 'all' : m.visibility === 'held' ? 'held' : 'staff',
        anonymous: m.anonymous,
        deleted: m.deletedAt !== null,
        created_at: m.createdAt.toISOString(),
      })),
      hands: data.hands.map((h) => ({ session_id: h.sessionId, note: h.note, raised_at: h.raisedAt.toISOString() })),
      votes: data.votes.map((v) => ({ message_id: v.messageId, created_at: v.createdAt.toISOString() })),
      usage: data.usage.map((u) => ({
        session_id: u.sessionId,
        message_id: u.messageId,
        total_tokens: u.totalTokens,
        created_at: u.createdAt.toISOString(),
      })),
      safety_flags: data.flags.map((f) => ({
        flag_id: f.id,
        session_id: f.sessionId,
        message_id: f.messageId,
        categories: f.categories,
        action: f.action,
        status: f.status,
        created_at: f.createdAt.toISOString(),
      })),
    };
  }
}
