import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import { uuidList, type DbTransaction } from '../persistence/transaction.js';

/**
 * The tutor's lease on a session (the agent_lease_* columns of sessions) and the `answering`
 * state it guards (messages): which instance answers a session, with a fencing generation.
 * The agent module uses it through `AgentLeases` (session-records.service.ts).
 */
@Injectable()
export class AgentLeasesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Takes or renews this instance's lease on a session's agent: its generation (the fencing
   * token), and whether it was taken from someone else (or from nobody) just now; null while
   * another live instance holds it. Two instances never answer one session.
   */
  acquireLease(
    sessionId: string,
    owner: string,
    ttlMs: number,
  ): Promise<{ generation: number; taken: boolean } | null> {
    return this.acquireLeaseAndMark(sessionId, owner, ttlMs, []);
  }

  /**
   * The same, and in the same statement, when the lease was this owner's already: these pending
   * questions are marked answering (one round trip per answer). A lease taken just now marks
   * nothing: the caller requeues what the last holder was answering first, then marks.
   */
  async acquireLeaseAndMark(
    sessionId: string,
    owner: string,
    ttlMs: number,
    ids: string[],
  ): Promise<{ generation: number; taken: boolean } | null> {
    const now = new Date();
    const until = new Date(now.getTime() + ttlMs);
    const rows = await this.prisma.$queryRaw<Array<{ generation: number; taken: boolean }>>`
      WITH old AS (SELECT id, agent_lease_owner AS before FROM sessions WHERE id = ${sessionId}::uuid FOR UPDATE),
      lease AS (
        UPDATE sessions AS s SET agent_lease_owner = ${owner}, agent_lease_until = ${until},
          agent_lease_generation = s.agent_lease_generation + (CASE WHEN old.before IS NOT DISTINCT FROM ${owner} THEN 0 ELSE 1 END)
        FROM old
        WHERE s.id = old.id AND (old.before IS NULL OR old.before = ${owner} OR s.agent_lease_until < ${now})
        RETURNING s.agent_lease_generation AS generation, (old.before IS DISTINCT FROM ${owner}) AS taken
      ),
      marked AS (
        UPDATE messages SET agent_state = 'answering'
        WHERE session_id = ${sessionId}::uuid AND agent_state = 'pending'
          AND id IN ${uuidList(ids)}
          AND EXISTS (SELECT 1 FROM lease WHERE NOT lease.taken)
        RETURNING 1
      )
      SELECT generation, taken FROM lease`;
    return rows[0] ? { generation: Number(rows[0].generation), taken: rows[0].taken } : null;
  }

  /** Extends the lease while it is still this generation's; false once someone else holds it. */
  async renewLease(sessionId: string, owner: string, generation: number, ttlMs: number): Promise<boolean> {
    const { count } = await this.prisma.session.updateMany({
      where: { id: sessionId, agentLeaseOwner: owner, agentLeaseGeneration: generation },
      data: { agentLeaseUntil: new Date(Date.now() + ttlMs) },
    });
    return count === 1;
  }

  /** Inside the answer's transaction: whether this owner still holds this generation (the fence). */
  async holdsLease(tx: DbTransaction, sessionId: string, owner: string, generation: number): Promise<boolean> {
    const row = await tx.session.findUnique({
      where: { id: sessionId },
      select: { agentLeaseOwner: true, agentLeaseGeneration: true },
    });
    return row?.agentLeaseOwner === owner && row.agentLeaseGeneration === generation;
  }

  /** A lease taken over from another holder: what it was answering is pending again, to be answered once, here. */
  async requeueAnswering(sessionId: string): Promise<number> {
    const { count } = await this.prisma.message.updateMany({
      where: { sessionId, agentState: 'answering' },
      data: { agentState: 'pending' },
    });
    return count;
  }

  /** Who holds a session's lease, and until when (null: nobody). */
  async leaseOf(sessionId: string): Promise<{ owner: string; until: Date } | null> {
    const row = await this.prisma.session.findUnique({
      where: { id: sessionId },
      select: { agentLeaseOwner: true, agentLeaseUntil: true },
    });
    return row?.agentLeaseOwner && row.agentLeaseUntil
      ? { owner: row.agentLeaseOwner, until: row.agentLeaseUntil }
      : null;
  }

  async releaseLease(sessionId: string, owner: string): Promise<void> {
    await this.prisma.session.updateMany({
      where: { id: sessionId, agentLeaseOwner: owner },
      data: { agentLeaseOwner: null, agentLeaseUntil: null },
    });
  }

  /**
   * Sessions whose answer in progress was left by an instance that stopped renewing its lease
   * (killed, or cut off): their lease has expired and a question is still marked answering.
   */
  async orphanedAnswers(owner: string): Promise<string[]> {
    const now = new Date();
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT s.id FROM sessions s
      WHERE s.agent_lease_owner IS NOT NULL AND s.agent_lease_owner <> ${owner} AND s.agent_lease_until < ${now}
        AND EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id AND m.agent_state = 'answering')`;
    return rows.map((r) => r.id);
  }

  /** A stopping instance gives back every lease it holds; returns those sessions. */
  async releaseLeasesOf(owner: string): Promise<string[]> {
    // One statement: a lease taken between a read and an update is neither missed nor released twice.
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      UPDATE sessions SET agent_lease_owner = NULL, agent_lease_until = NULL WHERE agent_lease_owner = ${owner} RETURNING id`;
    return rows.map((r) => r.id);
  }

  /**
   * After a crash or a restart, this instance's answers in flight are gone: what it was answering
   * is pending again. Only in sessions whose lease it held (or that nobody holds now): another live
   * instance's answers in progress are left to it (and to its lease's fence).
   */
  async requeueInterrupted(owner: string): Promise<number> {
    const now = new Date();
    return this.prisma.$executeRaw`
      UPDATE messages SET agent_state = 'pending'
      WHERE agent_state = 'answering' AND session_id IN (
        SELECT id FROM sessions WHERE agent_lease_owner IS NULL OR agent_lease_owner = ${owner} OR agent_lease_until < ${now})`;
  }

  async markAnswering(ids: string[]): Promise<void> {
    await this.prisma.message.updateMany({
      where: { id: { in: ids }, agentState: 'pending' },
      data: { agentState: 'answering' },
    });
  }
}
