import { Injectable } from '@nestjs/common';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';
import type { DbTransaction } from '../persistence/transaction.js';
import type { MemberChanges, MemberRecord, SessionChanges, SessionRecord, SessionStatus } from './records.js';

/** A new session's row: what is not given takes the column defaults. */
export type NewSession = Pick<SessionRecord, 'id' | 'title' | 'createdById'> & SessionChanges;

const sessionData = ({ safety, ...rest }: SessionChanges) => ({
  ...rest,
  ...(safety === undefined ? {} : { safety: safety as Prisma.InputJsonValue }),
});

export interface MemberWithName extends MemberRecord {
  displayName: string;
  /** A guest: an account made by this session's join code. */
  guest: boolean;
}

@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  // Each read comes in two forms, so that a forgotten transaction cannot happen silently: outside
  // a write (its own connection), and `…In(tx, …)` inside one. On PGlite a read on its own
  // connection inside a write would wait for the write forever.

  findById(id: string): Promise<SessionRecord | null> {
    return this.prisma.session.findUnique({ where: { id } });
  }

  findByIdIn(tx: DbTransaction, id: string): Promise<SessionRecord | null> {
    return tx.session.findUnique({ where: { id } });
  }

  findByJoinCode(joinCode: string): Promise<SessionRecord | null> {
    return this.prisma.session.findUnique({ where: { joinCode } });
  }

  async createWithModerator(data: NewSession): Promise<SessionRecord> {
    return this.prisma.$transaction(async (tx) => {
      const session = await tx.session.create({ data: sessionData(data) as Prisma.SessionUncheckedCreateInput });
      await tx.member.create({ data: { sessionId: session.id, userId: data.createdById, role: 'moderator' } });
      return session;
    });
  }

  update(tx: DbTransaction, id: string, changes: SessionChanges): Promise<SessionRecord> {
    return tx.session.update({ where: { id }, data: sessionData(changes) });
  }

  /** Sessions newest first; `memberId` limits to where that user is a member (not banned). */
  list(options: {
    memberId?: string;
    status?: SessionStatus;
    cursor?: string;
    limit: number;
  }): Promise<SessionRecord[]> {
    return this.prisma.session.findMany({
      where: {
        ...(options.status ? { status: options.status } : {}),
        ...(options.memberId ? { members: { some: { userId: options.memberId, banned: false } } } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: options.limit + 1,
      ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
    });
  }

  /** Per session: members (not banned) and questions asked (people's public messages). Two queries for any number. */
  async stats(sessionIds: string[]): Promise<Map<string, { members: number; questions: number }>> {
    if (sessionIds.length === 0) return new Map();
    const [members, questions] = await Promise.all([
      this.prisma.member.groupBy({
        by: ['sessionId'],
        where: { sessionId: { in: sessionIds }, banned: false },
        _count: { _all: true },
      }),
      this.prisma.message.groupBy({
        by: ['sessionId'],
        where: { sessionId: { in: sessionIds }, role: 'user', visibility: 'all' },
        _count: { _all: true },
      }),
    ]);
    const stats = new Map(sessionIds.map((id) => [id, { members: 0, questions: 0 }]));
    for (const row of members) stats.get(row.sessionId)!.members = row._count._all;
    for (const row of questions) stats.get(row.sessionId)!.questions = row._count._all;
    return stats;
  }

  findMember(sessionId: string, userId: string): Promise<MemberRecord | null> {
    return this.prisma.member.findUnique({ where: { sessionId_userId: { sessionId, userId } } });
  }

  findMemberWithName(sessionId: string, userId: string): Promise<MemberWithName | null> {
    return this.memberWithName(this.prisma, sessionId, userId);
  }

  findMemberWithNameIn(tx: DbTransaction, sessionId: string, userId: string): Promise<MemberWithName | null> {
    return this.memberWithName(tx, sessionId, userId);
  }

  private async memberWithName(
    db: DbTransaction | PrismaClient,
    sessionId: string,
    userId: string,
  ): Promise<MemberWithName | null> {
    const row = await db.member.findUnique({
      where: { sessionId_userId: { sessionId, userId } },
      include: { user: { select: { displayName: true, guestSessionId: true } } },
    });
    if (!row) return null;
    const { user, ...member } = row;
    return { ...member, displayName: user.displayName, guest: user.guestSessionId !== null };
  }

  async listMembers(sessionId: string): Promise<MemberWithName[]> {
    const rows = await this.prisma.member.findMany({
      where: { sessionId, banned: false },
      include: { user: { select: { displayName: true, guestSessionId: true } } },
      orderBy: { joinedAt: 'asc' },
    });
    return rows.map(({ user, ...member }) => ({
      ...member,
      displayName: user.displayName,
      guest: user.guestSessionId !== null,
    }));
  }

  /**
   * Raised hands in order: the live state's copy is loaded from here. The hands table is the turns
   * module's; the live state reads it once, with the rest of a session (docs/ARCHITECTURE.md).
   */
  listHands(
    sessionId: string,
  ): Promise<Array<{ userId: string; note: string | null; raisedAt: Date; raisedSeq: number }>> {
    return this.prisma.hand.findMany({
      where: { sessionId },
      orderBy: { raisedSeq: 'asc' },
      select: { userId: true, note: true, raisedAt: true, raisedSeq: true },
    });
  }

  /** Every member, banned ones included (the live state needs to know who is kept out). */
  async listAllMembers(sessionId: string): Promise<MemberWithName[]> {
    const rows = await this.prisma.member.findMany({
      where: { sessionId },
      include: { user: { select: { displayName: true, guestSessionId: true } } },
      orderBy: { joinedAt: 'asc' },
    });
    return rows.map(({ user, ...member }) => ({
      ...member,
      displayName: user.displayName,
      guest: user.guestSessionId !== null,
    }));
  }

  /** Guests ever admitted to the session (a guest account belongs to one session). */
  countGuests(tx: DbTransaction, sessionId: string): Promise<number> {
    return tx.user.count({ where: { guestSessionId: sessionId } });
  }

  /** Whether the user is a guest of that session (an account made by its join code). */
  async isGuestOf(tx: DbTransaction, userId: string, sessionId: string): Promise<boolean> {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { guestSessionId: true } });
    return user?.guestSessionId === sessionId;
  }

  /** The display names of the session's members (banned ones included: nobody may pass for them either). */
  async memberNames(tx: DbTransaction, sessionId: string): Promise<string[]> {
    const rows = await tx.member.findMany({
      where: { sessionId },
      select: { user: { select: { displayName: true } } },
    });
    return rows.map((r) => r.user.displayName);
  }

  upsertMember(
    tx: DbTransaction,
    sessionId: string,
    userId: string,
    data: Required<Pick<MemberChanges, 'role'>> & Omit<MemberChanges, 'role' | 'weight'>,
  ): Promise<MemberRecord> {
    return tx.member.upsert({
      where: { sessionId_userId: { sessionId, userId } },
      create: {
        sessionId,
        userId,
        role: data.role,
        banned: data.banned ?? false,
        mutedUntil: data.mutedUntil ?? null,
        waiting: data.waiting ?? false,
      },
      update: data,
    });
  }

  updateMember(tx: DbTransaction, sessionId: string, userId: string, data: MemberChanges): Promise<MemberRecord> {
    return tx.member.update({ where: { sessionId_userId: { sessionId, userId } }, data });
  }

  async deleteMember(tx: DbTransaction, sessionId: string, userId: string): Promise<void> {
    await tx.member.deleteMany({ where: { sessionId, userId } });
  }

  /** Members whose timed mute is still recorded (to announce expiry, also after a restart). */
  listTimedMutes(): Promise<MemberRecord[]> {
    return this.prisma.member.findMany({ where: { mutedUntil: { not: null }, banned: false } });
  }
}
