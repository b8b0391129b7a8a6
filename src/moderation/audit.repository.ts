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

  /** The session's entries, oldest first (names are auth's: the caller adds them). */
  async list(sessionId: string): Promise<AuditRow[]> {
    return this.prisma.auditEntry.findMany({ where: { sessionId }, orderBy: { seq: 'asc' } });
  }
}

export interface AuditRow {
  id: string;
  seq: number;
  action: string;
  actorId: string;
  targetUserId: string | null;
  details: unknown;
  createdAt: Date;
}
