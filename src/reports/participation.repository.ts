import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';

/** The rows a participation report is computed from: a handful of queries per session, whatever its size. */
export interface ParticipationRows {
  members: Array<{ userId: string; role: string; displayName: string; guest: boolean; banned: boolean }>;
  questions: Array<{
    authorId: string;
    authorName: string;
    agentState: string;
    createdAt: Date;
    answeredSeq: number | null;
  }>;
  /** When each answer was stored, by its seq. */
  answeredAt: Map<number, Date>;
  tokens: Map<string, number>;
  hands: Array<{ type: string; userId: string }>;
  mutes: Map<string, number>;
}

@Injectable()
export class ParticipationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async rows(sessionId: string): Promise<ParticipationRows> {
    const [members, questions, usage, handEvents, mutes] = await Promise.all([
      this.prisma.member.findMany({
        where: { sessionId },
        include: { user: { select: { displayName: true, guestSessionId: true } } },
        orderBy: { joinedAt: 'asc' },
      }),
      // People's questions: every message a person addressed to the room (private notes are not questions).
      this.prisma.message.findMany({
        where: { sessionId, role: 'user', authorId: { not: null }, visibility: { not: 'staff' } },
        select: { authorId: true, authorName: true, agentState: true, createdAt: true, answeredSeq: true },
      }),
      this.prisma.tokenUsage.groupBy({
        by: ['userId'],
        where: { sessionId, userId: { not: null } },
        _sum: { totalTokens: true },
      }),
      this.prisma.sessionEvent.findMany({
        where: { sessionId, type: { in: ['hand_raised', 'turn_granted'] } },
        select: { type: true, payload: true },
      }),
      this.prisma.auditEntry.groupBy({
        by: ['targetUserId'],
        where: { sessionId, action: 'mute', targetUserId: { not: null } },
        _count: { _all: true },
      }),
    ]);
    const answerSeqs = [...new Set(questions.flatMap((q) => (q.answeredSeq !== null ? [q.answeredSeq] : [])))];
    const answers = answerSeqs.length
      ? await this.prisma.message.findMany({
          where: { sessionId, seq: { in: answerSeqs } },
          select: { seq: true, createdAt: true },
        })
      : [];
    return {
      members: members.map((m) => ({
        userId: m.userId,
        role: m.role,
        displayName: m.user.displayName,
        guest: m.user.guestSessionId !== null,
        banned: m.banned,
      })),
      questions: questions.map((q) => ({ ...q, authorId: q.authorId! })),
      answeredAt: new Map(answers.map((a) => [a.seq, a.createdAt])),
      tokens: new Map(usage.map((u) => [u.userId!, u._sum.totalTokens ?? 0])),
      hands: handEvents.flatMap((e) => {
        const userId = (e.payload as { user_id?: unknown }).user_id;
        return typeof userId === 'string' ? [{ type: e.type, userId }] : [];
      }),
      mutes: new Map(mutes.map((m) => [m.targetUserId!, m._count._all])),
    };
  }
}
