import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { uuidList, type DbTransaction } from '../persistence/transaction.js';
import { isStaff } from '../permissions/permission-table.js';
import type { MessageRole } from '../contract/protocol.js';
import type { Viewer } from './wire-events.js';
import type { CounterRow } from './agent-queue.js';
import type { AgentHistoryRecord, AgentState, MessageChanges, MessageRecord, NewMessage } from './records.js';

type Message = MessageRecord;

/**
 * The messages one viewer may read: moderators read all; observers all but
 * questions held for approval; others what everyone may, and their own held
 * questions.
 */
export function visibleTo(viewer: Viewer): Prisma.MessageWhereInput {
  if (viewer.role === 'moderator') return {};
  const mine: Prisma.MessageWhereInput[] =
    viewer.userId === null ? [] : [{ visibility: 'held', authorId: viewer.userId }];
  if (isStaff(viewer.role)) return { OR: [{ visibility: { in: ['all', 'staff'] } }, ...mine] };
  return mine.length ? { OR: [{ visibility: 'all' }, ...mine] } : { visibility: 'all' };
}

/** Every column of `messages`, in the order of the table, with its type (for jsonb_to_recordset). */
const MESSAGE_COLUMNS: Array<[column: string, field: keyof Message, type: string]> = [
  ['id', 'id', 'uuid'],
  ['session_id', 'sessionId', 'uuid'],
  ['seq', 'seq', 'int'],
  ['role', 'role', 'message_role'],
  ['content', 'content', 'text'],
  ['author_id', 'authorId', 'uuid'],
  ['author_name', 'authorName', 'text'],
  ['author_role', 'authorRole', 'member_role'],
  ['visibility', 'visibility', 'message_visibility'],
  ['client_msg_id', 'clientMsgId', 'text'],
  ['reply_to', 'replyTo', 'uuid[]'],
  ['status', 'status', 'message_status'],
  ['agent_state', 'agentState', 'agent_state'],
  ['schedule_reason', 'scheduleReason', 'text'],
  ['answered_seq', 'answeredSeq', 'int'],
  ['anonymous', 'anonymous', 'boolean'],
  ['votes', 'votes', 'int'],
  ['dismiss_reason', 'dismissReason', 'text'],
  ['truncated', 'truncated', 'boolean'],
  ['safety', 'safety', 'message_safety'],
  ['held_agent_state', 'heldAgentState', 'agent_state'],
  ['created_at', 'createdAt', 'timestamptz'],
  ['deleted_at', 'deletedAt', 'timestamptz'],
  ['deleted_by_id', 'deletedById', 'uuid'],
];
const COLUMN_LIST = Prisma.raw(MESSAGE_COLUMNS.map(([column]) => column).join(', '));
const RECORD_TYPE = Prisma.raw(MESSAGE_COLUMNS.map(([column, , type]) => `${column} ${type}`).join(', '));

/**
 * One multi-row insert of whole message rows, from one JSON parameter: the statement's text is
 * the same for one row or fifty (no per-shape query planning in Prisma), and it can follow a
 * WITH (SessionEventsRepository writes a batch's events and messages in one statement); with
 * `onlySessions` (a subquery of session ids), only those sessions' rows. messages-columns.spec.ts
 * keeps MESSAGE_COLUMNS equal to the table. Nothing to insert: `SELECT 1`.
 */
export function insertMessages(rows: Message[], onlySessions?: Prisma.Sql): Prisma.Sql {
  if (rows.length === 0) return Prisma.sql`SELECT 1`;
  const where = onlySessions ? Prisma.sql`WHERE m.session_id IN ${onlySessions}` : Prisma.empty;
  const json = JSON.stringify(
    rows.map((row) => Object.fromEntries(MESSAGE_COLUMNS.map(([column, field]) => [column, row[field] ?? null]))),
  );
  return Prisma.sql`INSERT INTO messages (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM jsonb_to_recordset(${json}::jsonb) AS m(${RECORD_TYPE}) ${where}`;
}

/**
 * Moves questions to `agentState` (with the seq of what answered them), for a one-statement write
 * (a data-modifying WITH): only where their session is among `onlySessions` (a subquery of ids).
 */
export function settleQuestions(
  ids: string[],
  agentState: AgentState,
  answeredSeq: number | null,
  onlySessions: Prisma.Sql,
): Prisma.Sql {
  return Prisma.sql`UPDATE messages SET agent_state = ${agentState}::agent_state, answered_seq = ${answeredSeq}::int
    WHERE session_id IN ${onlySessions} AND id IN ${uuidList(ids)}`;
}

/** A row of `messages` read with raw SQL, as the record Prisma would have returned. */
function messageOfRow(row: Record<string, unknown>): Message {
  return Object.fromEntries(MESSAGE_COLUMNS.map(([column, field]) => [field, row[column]])) as unknown as Message;
}

/** The columns insertMessages writes (for the test that keeps them equal to the table). */
export const MESSAGE_COLUMN_NAMES = MESSAGE_COLUMNS.map(([column]) => column);

@Injectable()
export class MessagesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  create(tx: DbTransaction, data: NewMessage): Promise<Message> {
    return tx.message.create({ data });
  }

  /** One multi-row insert. */
  async createMany(tx: DbTransaction, rows: Message[]): Promise<void> {
    if (rows.length) await tx.$executeRaw(insertMessages(rows));
  }

  /** The stored messages among these (session, author, client_msg_id) triples, in one query. */
  findByClientMsgIds(
    tx: DbTransaction,
    keys: Array<{ sessionId: string; authorId: string; clientMsgId: string }>,
  ): Promise<Message[]> {
    if (keys.length === 0) return Promise.resolve([]);
    // Raw SQL on the write path (one statement text for any number of keys, no query compiling).
    const wanted = JSON.stringify(keys.map((k) => ({ s: k.sessionId, a: k.authorId, c: k.clientMsgId })));
    return tx.$queryRaw<Array<Record<string, unknown>>>`
      SELECT ${COLUMN_LIST} FROM messages
      WHERE (session_id, author_id, client_msg_id) IN (
        SELECT s, a, c FROM jsonb_to_recordset(${wanted}::jsonb) AS k(s uuid, a uuid, c text))`.then((found) =>
      found.map(messageOfRow),
    );
  }

  // Reads come in two forms: outside a write, and `…In(tx, …)` inside one (see SessionsRepository).

  findById(id: string): Promise<Message | null> {
    return this.prisma.message.findUnique({ where: { id } });
  }

  findByIdIn(tx: DbTransaction, id: string): Promise<Message | null> {
    return tx.message.findUnique({ where: { id } });
  }

  /** Newest first, before `beforeSeq`, what `viewer` may read. */
  page(sessionId: string, options: { beforeSeq?: number; limit: number; viewer: Viewer }): Promise<Message[]> {
    return this.prisma.message.findMany({
      where: {
        sessionId,
        ...visibleTo(options.viewer),
        ...(options.beforeSeq !== undefined ? { seq: { lt: options.beforeSeq } } : {}),
      },
      orderBy: { seq: 'desc' },
      take: options.limit,
    });
  }

  /** The newest messages of every visibility, oldest first. */
  async newest(sessionId: string, limit: number): Promise<Message[]> {
    const rows = await this.prisma.message.findMany({ where: { sessionId }, orderBy: { seq: 'desc' }, take: limit });
    return rows.reverse();
  }

  /** How many messages everyone may see (`public`), or all of them. */
  count(sessionId: string, scope: 'all' | 'public', upToSeq?: number): Promise<number> {
    return this.prisma.message.count({
      where: {
        sessionId,
        ...(scope === 'all' ? {} : { visibility: 'all' }),
        ...(upToSeq !== undefined ? { seq: { lte: upToSeq } } : {}),
      },
    });
  }

  /** How many messages `viewer` may read. */
  countFor(sessionId: string, viewer: Viewer): Promise<number> {
    return this.prisma.message.count({ where: { sessionId, ...visibleTo(viewer) } });
  }

  /** The whole conversation in order (transcripts, the agent's context). */
  all(sessionId: string, options: { viewer: Viewer; includeDeleted: boolean }): Promise<Message[]> {
    return this.prisma.message.findMany({
      where: {
        sessionId,
        ...visibleTo(options.viewer),
        ...(options.includeDeleted ? {} : { deletedAt: null }),
      },
      orderBy: { seq: 'asc' },
    });
  }

  /** The latest messages the agent may see, oldest first. */
  async recentForAgent(sessionId: string, limit: number): Promise<AgentHistoryRecord[]> {
    // Raw SQL, only the columns a prompt reads: it runs once per answer (bench/RESULTS.md).
    const rows = await this.prisma.$queryRaw<
      Array<
        Omit<AgentHistoryRecord, 'role' | 'status' | 'authorRole'> & {
          role: string;
          status: string;
          authorRole: string | null;
        }
      >
    >`
      SELECT id::text AS id, role::text AS role, content, author_id::text AS "authorId", author_name AS "authorName",
        author_role::text AS "authorRole", anonymous, status::text AS status
      FROM messages WHERE session_id = ${sessionId}::uuid AND visibility = 'all' AND deleted_at IS NULL
      ORDER BY seq DESC LIMIT ${limit}::int`;
    return rows.reverse() as AgentHistoryRecord[];
  }

  withAgentState(sessionId: string, states: AgentState[]): Promise<Message[]> {
    return this.agentStateQuery(this.prisma, sessionId, states);
  }

  withAgentStateIn(tx: DbTransaction, sessionId: string, states: AgentState[]): Promise<Message[]> {
    return this.agentStateQuery(tx, sessionId, states);
  }

  private agentStateQuery(
    db: DbTransaction | PrismaClient,
    sessionId: string,
    states: AgentState[],
  ): Promise<Message[]> {
    return db.message.findMany({
      where: { sessionId, agentState: { in: states }, deletedAt: null },
      orderBy: { seq: 'asc' },
    });
  }

  /** Sessions that have messages the agent still owes an answer. */
  async sessionsWithPending(): Promise<string[]> {
    const rows = await this.prisma.message.findMany({
      where: { agentState: 'pending', deletedAt: null, session: { status: 'active' } },
      distinct: ['sessionId'],
      select: { sessionId: true },
    });
    return rows.map((r) => r.sessionId);
  }

  /** What round_robin's counters are rebuilt from: questions the agent took up and every answer, with its length. */
  async counterRows(sessionId: string): Promise<CounterRow[]> {
    const rows = await this.prisma.$queryRaw<
      Array<{
        id: string;
        seq: number;
        role: MessageRole;
        author_id: string | null;
        agent_state: AgentState;
        answered_seq: number | null;
        reply_to: string[];
        chars: number;
      }>
    >`
      SELECT id, seq, role, author_id, agent_state, answered_seq, reply_to, length(content) AS chars FROM messages
      WHERE session_id = ${sessionId}::uuid
        AND ((role = 'user' AND agent_state IN ('pending', 'answering', 'answered', 'failed', 'closed')) OR (role IN ('assistant', 'system') AND cardinality(reply_to) > 0))
      ORDER BY seq`;
    return rows.map((r) => ({
      id: r.id,
      seq: Number(r.seq),
      role: r.role,
      authorId: r.author_id,
      agentState: r.agent_state,
      answeredSeq: r.answered_seq === null ? null : Number(r.answered_seq),
      replyTo: r.reply_to,
      chars: Number(r.chars),
    }));
  }

  /** Per author, the seq of the last answer they received: the round-robin rotation. */
  async lastServedByAuthor(sessionId: string): Promise<Map<string, number>> {
    const rows = await this.prisma.message.groupBy({
      by: ['authorId'],
      where: { sessionId, agentState: 'answered', authorId: { not: null } },
      _max: { answeredSeq: true },
    });
    return new Map(rows.filter((r) => r.authorId).map((r) => [r.authorId as string, r._max.answeredSeq ?? 0]));
  }

  /** Records one person's upvote; the new count, or null when they had upvoted it already. */
  async addVote(tx: DbTransaction, messageId: string, userId: string): Promise<number | null> {
    const { count } = await tx.messageVote.createMany({ data: [{ messageId, userId }], skipDuplicates: true });
    if (count === 0) return null;
    const updated = await tx.message.update({
      where: { id: messageId },
      data: { votes: { increment: 1 } },
      select: { votes: true },
    });
    return updated.votes;
  }

  update(tx: DbTransaction, id: string, data: MessageChanges): Promise<Message> {
    return tx.message.update({ where: { id }, data });
  }

  /** Dismisses what one author left waiting for the agent (queued or for approval): one statement. */
  async dismissWaitingOf(tx: DbTransaction, sessionId: string, authorId: string): Promise<void> {
    await tx.message.updateMany({
      where: { sessionId, authorId, agentState: { in: ['pending', 'awaiting_approval'] }, deletedAt: null },
      data: { agentState: 'dismissed' },
    });
  }

  /**
   * Withdraws what one author left waiting, so that it can be brought back
   * (a mute's undo): queued becomes `withdrawn`, held becomes `withdrawn_held`.
   * Returns the questions withdrawn.
   */
  async withdrawWaitingOf(tx: DbTransaction, sessionId: string, authorId: string): Promise<Message[]> {
    const waiting = await tx.message.findMany({
      where: { sessionId, authorId, agentState: { in: ['pending', 'awaiting_approval'] }, deletedAt: null },
    });
    const ids = (state: AgentState) => waiting.filter((m) => m.agentState === state).map((m) => m.id);
    await this.updateMany(tx, ids('pending'), { agentState: 'withdrawn' });
    await this.updateMany(tx, ids('awaiting_approval'), { agentState: 'withdrawn_held' });
    return waiting;
  }

  /** Brings back what withdrawWaitingOf took from this author; returns those questions as they are now. */
  async restoreWithdrawnOf(tx: DbTransaction, sessionId: string, authorId: string): Promise<Message[]> {
    const withdrawn = await tx.message.findMany({
      where: { sessionId, authorId, agentState: { in: ['withdrawn', 'withdrawn_held'] }, deletedAt: null },
    });
    const ids = (state: AgentState) => withdrawn.filter((m) => m.agentState === state).map((m) => m.id);
    await this.updateMany(tx, ids('withdrawn'), { agentState: 'pending' });
    await this.updateMany(tx, ids('withdrawn_held'), { agentState: 'awaiting_approval' });
    return withdrawn.map((m): Message => ({
      ...m,
      agentState: m.agentState === 'withdrawn' ? 'pending' : 'awaiting_approval',
    }));
  }

  async updateMany(tx: DbTransaction, ids: string[], data: MessageChanges): Promise<void> {
    if (ids.length) await tx.message.updateMany({ where: { id: { in: ids } }, data });
  }
}
