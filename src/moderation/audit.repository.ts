import { Injectable } from '@nestjs/common';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';
import { newId } from '../common/ids.js';
import type { DbTransaction } from '../persistence/transaction.js';

export interface AuditRecord {
  sessionId: string;
  seq: number;
  actorId: string;
  action: string;
  targetUserId?: string | null;
  details?: Record<string, unknown>;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async record(tx: DbTransaction, entry: AuditRecord): Promise<void> {
    await tx.auditEntry.create({
      data: {
        id: newId(),
        sessionId: entry.sessionId,
        seq: entry.seq,
        actorId: entry.actorId,
        action: entry.action,
        targetUserId: entry.targetUserId ?? null,
        details: (entry.details ?? {}) as Prisma.InputJsonValue,
      },
    });
  }

  async list(sessionId: string) {
    const rows = await this.prisma.auditEntry.findMany({ where: { sessionId }, orderBy: { seq: 'asc' } });
    const people = await this.prisma.user.findMany({
      where: { id: { in: [...new Set(rows.flatMap((r) => [r.actorId, r.targetUserId].filter((x): x is string => !!x)))] } },
      select: { id: true, displayName: true },
    });
    const names = new Map(people.map((p) => [p.id, p.displayName]));
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
}
