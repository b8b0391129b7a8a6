import { Injectable } from '@nestjs/common';
import { PrismaClient, type Prisma, type SafetyFlag as FlagRow } from '../generated/prisma/client.js';
import type { FlagResolution, SafetyCategory, SafetyFinding, WireFlag } from '../contract/protocol.js';
import type { SafetyFlagRecord } from './safety-flag.js';

export type { SafetyFlagRecord };
import type { DbTransaction } from '../persistence/transaction.js';

export interface FlagFilter {
  id?: string;
  sessionId?: string;
  status?: 'open' | FlagResolution;
  category?: SafetyCategory;
  action?: 'flagged' | 'held' | 'not_checked';
  limit: number;
}

const toRecord = (r: FlagRow): SafetyFlagRecord => ({
  id: r.id,
  sessionId: r.sessionId,
  messageId: r.messageId,
  authorId: r.authorId,
  source: r.source,
  categories: r.categories as unknown as SafetyFinding[],
  severity: r.severity,
  action: r.action,
  classifier: r.classifier,
  status: r.status,
  resolvedBy: r.resolvedBy,
  resolvedAt: r.resolvedAt,
  note: r.note,
  createdAt: r.createdAt,
});

/** The safety_flags table, owned by the safety module. */
@Injectable()
export class SafetyFlagsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async createMany(tx: DbTransaction, flags: SafetyFlagRecord[]): Promise<void> {
    if (flags.length === 0) return;
    await tx.safetyFlag.createMany({
      data: flags.map((f) => ({
        id: f.id,
        sessionId: f.sessionId,
        messageId: f.messageId,
        authorId: f.authorId,
        source: f.source,
        categories: f.categories as unknown as Prisma.InputJsonValue,
        severity: f.severity,
        action: f.action,
        classifier: f.classifier,
        status: f.status,
        note: f.note,
        createdAt: f.createdAt,
      })),
    });
  }

  async findIn(tx: DbTransaction, id: string): Promise<SafetyFlagRecord | null> {
    const row = await tx.safetyFlag.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  async update(
    tx: DbTransaction,
    id: string,
    patch: { status?: SafetyFlagRecord['status']; note?: string | null; resolvedBy?: string; resolvedAt?: Date },
  ): Promise<SafetyFlagRecord> {
    return toRecord(await tx.safetyFlag.update({ where: { id }, data: patch }));
  }

  /** Newest first, with the message each is about (its text, and its author's name). */
  async list(filter: FlagFilter): Promise<WireFlag[]> {
    const where: Prisma.SafetyFlagWhereInput = {
      ...(filter.id ? { id: filter.id } : {}),
      ...(filter.sessionId ? { sessionId: filter.sessionId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.category ? { categories: { array_contains: [{ category: filter.category }] } } : {}),
    };
    const rows = await this.prisma.safetyFlag.findMany({ where, orderBy: { createdAt: 'desc' }, take: filter.limit });
    const messages = await this.prisma.message.findMany({
      where: { id: { in: rows.map((r) => r.messageId) } },
      select: { id: true, content: true, authorName: true, deletedAt: true },
    });
    const byId = new Map(messages.map((m) => [m.id, m]));
    return rows.map((r) => {
      const f = toRecord(r);
      const m = byId.get(f.messageId);
      return {
        flag_id: f.id,
        session_id: f.sessionId,
        message_id: f.messageId,
        author_id: f.authorId,
        author_name: m?.authorName ?? '',
        source: f.source,
        categories: f.categories,
        severity: f.severity,
        action: f.action,
        classifier: f.classifier,
        content: m && !m.deletedAt ? m.content : '',
        status: f.status,
        resolved_by: f.resolvedBy,
        resolved_at: f.resolvedAt ? f.resolvedAt.toISOString() : null,
        note: f.note,
        created_at: f.createdAt.toISOString(),
      };
    });
  }
}
