import { Injectable } from '@nestjs/common';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';
import type { DbTransaction } from '../persistence/transaction.js';

/** A session the retention job may purge. */
export interface ClosedSession {
  id: string;
  createdById: string;
  createdAt: Date;
  closedAt: Date;
  retentionDays: number | null;
}

/**
 * The data's lifecycle across every table: purging a session, erasing a person,
 * exporting what is kept about them. This is the one repository that reaches
 * into other modules' tables, on purpose: deleting a person must leave nothing
 * behind, and one place that knows every table is easier to keep complete
 * (test/privacy.e2e-spec.ts scans them all).
 */
@Injectable()
export class PrivacyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  transaction<T>(work: (tx: DbTransaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  async closedSessions(): Promise<ClosedSession[]> {
    const rows = await this.prisma.session.findMany({
      where: { status: 'closed', closedAt: { not: null } },
      select: { id: true, createdById: true, createdAt: true, closedAt: true, retentionDays: true },
    });
    return rows.map((r) => ({ ...r, closedAt: r.closedAt! }));
  }

  /**
   * Removes one session and everything of it (members, messages, events, hands, votes,
   * usage, flags, audit: the foreign keys cascade), leaving one row in purged_sessions.
   * Idempotent: a second run, here or on another instance, finds nothing to remove.
   */
  async purgeSession(session: ClosedSession): Promise<Record<string, number> | null> {
    return this.prisma.$transaction(async (tx) => {
      const where = { sessionId: session.id };
      const [messages, events, flags, audit, usage, members] = await Promise.all([
        tx.message.count({ where }),
        tx.sessionEvent.count({ where }),
        tx.safetyFlag.count({ where }),
        tx.auditEntry.count({ where }),
        tx.tokenUsage.count({ where }),
        tx.member.count({ where }),
      ]);
      const { count } = await tx.session.deleteMany({ where: { id: session.id } });
      if (count === 0) return null;
      const removed = { messages, events, flags, audit, usage, members };
      await tx.purgedSession.createMany({
        data: [
          {
            sessionId: session.id,
            createdById: session.createdById,
            createdAt: session.createdAt,
            closedAt: session.closedAt,
            removed: removed as Prisma.InputJsonValue,
          },
        ],
        skipDuplicates: true,
      });
      return removed;
    });
  }

  /** Guests whose session is gone (purged, or they were removed from it): nothing is left for them. */
  async deleteOrphanGuests(): Promise<number> {
    const { count } = await this.prisma.user.deleteMany({
      where: { guestSessionId: { not: null }, memberships: { none: {} } },
    });
    return count;
  }

  findUser(userId: string) {
    return this.prisma.user.findUnique({
      where: { id: userId },
      select: { id: true, email: true, displayName: true, createdAt: true, guestSessionId: true },
    });
  }

  /** Sessions with anything of this person: memberships or messages. */
  async sessionsOf(userId: string): Promise<string[]> {
    const [members, messages] = await Promise.all([
      this.prisma.member.findMany({ where: { userId }, select: { sessionId: true } }),
      this.prisma.message.findMany({
        where: { authorId: userId },
        select: { sessionId: true },
        distinct: ['sessionId'],
      }),
    ]);
    return [...new Set([...members.map((m) => m.sessionId), ...messages.map((m) => m.sessionId)])];
  }

  /** Their messages in a session, and tutor answers given to them alone (those repeat their words). */
  async messagesToErase(tx: DbTransaction, sessionId: string, userId: string) {
    const own = await tx.message.findMany({ where: { sessionId, authorId: userId }, orderBy: { seq: 'asc' } });
    const ownIds = new Set(own.map((m) => m.id));
    const answers = ownIds.size
      ? (
          await tx.message.findMany({ where: { sessionId, role: 'assistant', replyTo: { hasSome: [...ownIds] } } })
        ).filter((a) => a.replyTo.every((id) => ownIds.has(id)))
      : [];
    return [...own, ...answers];
  }

  isMember(tx: DbTransaction, sessionId: string, userId: string) {
    return tx.member.findUnique({ where: { sessionId_userId: { sessionId, userId } } });
  }

  /** What stays of the person in a session's other rows, scrubbed: hand notes, names in events, votes, usage, flags. */
  async scrubSession(tx: DbTransaction, sessionId: string, userId: string): Promise<void> {
    await tx.$executeRaw`UPDATE session_events SET payload = payload - 'note' - 'display_name' - 'name' - 'author_name'
      WHERE session_id = ${sessionId}::uuid AND (payload->>'user_id' = ${userId} OR payload->>'author_id' = ${userId})`;
    await tx.hand.deleteMany({ where: { sessionId, userId } });
    await tx.tokenUsage.updateMany({ where: { sessionId, userId }, data: { userId: null } });
    await tx.safetyFlag.updateMany({ where: { sessionId, authorId: userId }, data: { authorId: null } });
    await tx.member.deleteMany({ where: { sessionId, userId } });
  }

  async deleteUser(userId: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.messageVote.deleteMany({ where: { userId } }),
      this.prisma.tokenUsage.updateMany({ where: { userId }, data: { userId: null } }),
      this.prisma.user.deleteMany({ where: { id: userId } }),
    ]);
  }

  /** Everything kept about one person, and nothing about anyone else. */
  async exportOf(userId: string) {
    const [memberships, messages, hands, votes, usage, flags, identities] = await Promise.all([
      this.prisma.member.findMany({
        where: { userId },
        include: { session: { select: { title: true } } },
        orderBy: { joinedAt: 'asc' },
      }),
      this.prisma.message.findMany({
        where: { authorId: userId, role: 'user' },
        orderBy: [{ createdAt: 'asc' }, { seq: 'asc' }],
      }),
      this.prisma.hand.findMany({ where: { userId } }),
      this.prisma.messageVote.findMany({ where: { userId } }),
      this.prisma.tokenUsage.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
      this.prisma.safetyFlag.findMany({ where: { authorId: userId }, orderBy: { createdAt: 'asc' } }),
      this.prisma.userIdentity.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
    ]);
    return { memberships, messages, hands, votes, usage, flags, identities };
  }
}
