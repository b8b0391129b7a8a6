import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { DbTransaction, StatementPart } from '../persistence/transaction.js';
import type { TokenUsageFigures } from './providers/agent-provider.js';

@Injectable()
export class AgentRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async recordUsage(
    tx: DbTransaction,
    data: { id: string; sessionId: string; userId: string | null; messageId: string } & TokenUsageFigures,
  ) {
    await tx.tokenUsage.create({ data });
  }

  /** The same row, as a part of a one-statement write (SessionLog.writeOnce): written only with it. */
  usageRow(
    data: { id: string; sessionId: string; userId: string | null; messageId: string } & TokenUsageFigures,
  ): StatementPart {
    return (onlySessions) => Prisma.sql`
      INSERT INTO token_usage (id, session_id, user_id, message_id, prompt_tokens, completion_tokens, total_tokens)
      SELECT ${data.id}::uuid, ${data.sessionId}::uuid, ${data.userId}::uuid, ${data.messageId}::uuid,
        ${data.promptTokens}::int, ${data.completionTokens}::int, ${data.totalTokens}::int
      WHERE ${data.sessionId}::uuid IN ${onlySessions}`;
  }

  /** Tokens spent since `since`: in the session, and on answers to `userId` in any session. */
  async tokensSince(sessionId: string, userId: string, since: Date): Promise<{ session: number; user: number }> {
    const [session, user] = await Promise.all([
      this.prisma.tokenUsage.aggregate({
        where: { sessionId, createdAt: { gte: since } },
        _sum: { totalTokens: true },
      }),
      this.prisma.tokenUsage.aggregate({ where: { userId, createdAt: { gte: since } }, _sum: { totalTokens: true } }),
    ]);
    return { session: session._sum.totalTokens ?? 0, user: user._sum.totalTokens ?? 0 };
  }

  async usage(sessionId: string) {
    const [total, perUser] = await Promise.all([
      this.prisma.tokenUsage.aggregate({
        where: { sessionId },
        _sum: { promptTokens: true, completionTokens: true, totalTokens: true },
        _count: true,
      }),
      this.prisma.tokenUsage.groupBy({
        by: ['userId'],
        where: { sessionId },
        _sum: { promptTokens: true, completionTokens: true, totalTokens: true },
        _count: true,
      }),
    ]);
    const figures = (sum: {
      promptTokens: number | null;
      completionTokens: number | null;
      totalTokens: number | null;
    }) => ({
      prompt_tokens: sum.promptTokens ?? 0,
      completion_tokens: sum.completionTokens ?? 0,
      total_tokens: sum.totalTokens ?? 0,
    });
    return {
      total: { answers: total._count, ...figures(total._sum) },
      per_user: perUser.map((u) => ({ user_id: u.userId, answers: u._count, ...figures(u._sum) })),
    };
  }
}
