import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import type { DbTransaction } from '../persistence/transaction.js';

/** A raised hand as the turns module hands it out (no Prisma row leaves the repository). */
export interface HandRecord {
  sessionId: string;
  userId: string;
  note: string | null;
  raisedAt: Date;
  raisedSeq: number;
}

export interface HandWithName extends HandRecord {
  displayName: string;
}

@Injectable()
export class HandsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  list(sessionId: string): Promise<HandWithName[]> {
    return this.query(this.prisma, sessionId);
  }

  /** Inside a write. */
  listIn(tx: DbTransaction, sessionId: string): Promise<HandWithName[]> {
    return this.query(tx, sessionId);
  }

  private async query(tx: DbTransaction | PrismaClient, sessionId: string): Promise<HandWithName[]> {
    const rows = await tx.hand.findMany({ where: { sessionId }, orderBy: { raisedSeq: 'asc' } });
    if (rows.length === 0) return [];
    const users = await tx.user.findMany({
      where: { id: { in: rows.map((r) => r.userId) } },
      select: { id: true, displayName: true },
    });
    const names = new Map(users.map((u) => [u.id, u.displayName]));
    return rows.map((r) => ({ ...r, displayName: names.get(r.userId) ?? 'someone' }));
  }

  find(tx: DbTransaction, sessionId: string, userId: string): Promise<HandRecord | null> {
    return tx.hand.findUnique({ where: { sessionId_userId: { sessionId, userId } } });
  }

  async create(
    tx: DbTransaction,
    data: { sessionId: string; userId: string; note: string | null; raisedSeq: number },
  ): Promise<void> {
    await tx.hand.create({ data });
  }

  /** Returns whether there was a hand to lower. */
  async delete(tx: DbTransaction, sessionId: string, userId: string): Promise<boolean> {
    const { count } = await tx.hand.deleteMany({ where: { sessionId, userId } });
    return count > 0;
  }
}
