import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { DbTransaction, StatementPart } from '../persistence/transaction.js';
import type { CommittedEvent } from './session-event-bus.js';
import { insertMessages, settleQuestions } from './messages.repository.js';
import type { AgentState, MessageRecord } from './records.js';

/**
 * What a one-statement write may add to its events and rows (SessionLog.writeOnce): `fence`, a
 * condition on the session's row (the agent's lease: this owner, this generation), and `settle`,
 * questions of that session moved to `agentState` (with the seq that answered them), and `also`,
 * other modules' statements (an answer's token usage), all written only where the session was taken.
 */
export interface OnceExtras {
  fence?: { owner: string; generation: number };
  settle?: { ids: string[]; agentState: AgentState; answeredSeq: number | null };
  also?: StatementPart[];
}

type EventRow = {
  sessionId: string;
  seq: number;
  type: string;
  visibility: string;
  visibleTo: string | null;
  payload: unknown;
  createdAt: Date;
};

const toCommitted = (row: EventRow): CommittedEvent => ({
  sessionId: row.sessionId,
  seq: row.seq,
  type: row.type as CommittedEvent['type'],
  visibility: row.visibility === 'staff' || row.visibility === 'moderators' ? row.visibility : 'all',
  ...(row.visibleTo ? { visibleTo: row.visibleTo } : {}),
  payload: row.payload as Record<string, unknown>,
  at: row.createdAt,
});

@Injectable()
export class SessionEventsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  transaction<T>(work: (tx: DbTransaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work, { timeout: 20_000, maxWait: 20_000 });
  }

  /**
   * Allocates the session's next seq. The UPDATE takes the session row's lock
   * until the transaction ends, so concurrent writers (in this process or
   * another) queue up and commit in seq order; a rolled-back write gives its seq back.
   */
  nextSeq(tx: DbTransaction, sessionId: string): Promise<number> {
    return this.nextSeqs(tx, sessionId, 1);
  }

  /** Allocates `n` consecutive seqs at once (the same row lock); returns the last of them. */
  async nextSeqs(tx: DbTransaction, sessionId: string, n: number): Promise<number> {
    // Raw SQL on the write path: Prisma's query compiler costs more than the statement (bench/RESULTS.md).
    const rows = await tx.$queryRaw<Array<{ last_seq: number }>>`
      UPDATE sessions SET last_seq = last_seq + ${n}::int WHERE id = ${sessionId}::uuid RETURNING last_seq`;
    if (rows.length === 0) throw new Error('the session of this write no longer exists');
    return Number(rows[0].last_seq);
  }

  /**
   * Allocates seqs for several sessions at once: `counts` says how many each;
   * returns each session's new last seq. Two statements whatever the number of
   * sessions: their rows are locked in id order (so two writers never deadlock),
   * then bumped together.
   */
  async nextSeqsMany(tx: DbTransaction, counts: Map<string, number>): Promise<Map<string, number>> {
    if (counts.size === 1) {
      const [[sessionId, n]] = [...counts];
      return new Map([[sessionId, await this.nextSeqs(tx, sessionId, n)]]);
    }
    const ids = [...counts.keys()].sort();
    await tx.$queryRaw`SELECT id FROM sessions WHERE id IN (${Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`))}) ORDER BY id FOR UPDATE`;
    const values = Prisma.join(ids.map((id) => Prisma.sql`(${id}::uuid, ${counts.get(id)!}::int)`));
    const rows = await tx.$queryRaw<Array<{ id: string; last_seq: number }>>`
      UPDATE sessions AS s SET last_seq = s.last_seq + v.n FROM (VALUES ${values}) AS v(id, n) WHERE s.id = v.id RETURNING s.id, s.last_seq`;
    if (rows.length !== ids.length) throw new Error('a session of this batch no longer exists');
    return new Map(rows.map((r) => [r.id, Number(r.last_seq)]));
  }

  /**
   * One statement: the events, and the rows of the messages they carry (`messages`), each a
   * multi-row insert from one JSON parameter (jsonb_to_recordset), so the statement's text is the
   * same whatever the batch holds.
   */
  async insertMany(tx: DbTransaction, events: CommittedEvent[], messages: MessageRecord[] = []): Promise<void> {
    if (events.length === 0 && messages.length === 0) return;
    await tx.$executeRaw`
      WITH stored_events AS (${insertEvents(events)} RETURNING 1)
      ${insertMessages(messages)}`;
  }

  /**
   * The optimistic group commit, in one statement and its own implicit transaction: for each
   * session whose last seq is still `lastSeq`, bumps it by `n` and writes its events and message
   * rows (their seqs counted on from `lastSeq`); a session whose last seq moved (another writer)
   * gets nothing. Returns the sessions written. A unique violation (a client_msg_id stored before)
   * fails the whole statement: nothing is written.
   */
  async appendIfLastSeqs(
    expected: Map<string, { lastSeq: number; n: number }>,
    events: CommittedEvent[],
    messages: MessageRecord[],
    extras: OnceExtras = {},
  ): Promise<Set<string>> {
    const wanted = JSON.stringify([...expected].map(([id, { lastSeq, n }]) => ({ id, last_seq: lastSeq, n })));
    const taken = Prisma.sql`(SELECT id FROM bumped)`;
    const fence = extras.fence
      ? Prisma.sql`AND s.agent_lease_owner = ${extras.fence.owner} AND s.agent_lease_generation = ${extras.fence.generation}::int`
      : Prisma.empty;
    const settled = extras.settle
      ? Prisma.sql`, settled AS (${settleQuestions(extras.settle.ids, extras.settle.agentState, extras.settle.answeredSeq, taken)})`
      : Prisma.empty;
    const also = (extras.also ?? []).map((part, i) => Prisma.sql`, also_${Prisma.raw(String(i))} AS (${part(taken)})`);
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      WITH bumped AS (
        UPDATE sessions AS s SET last_seq = s.last_seq + v.n
        FROM jsonb_to_recordset(${wanted}::jsonb) AS v(id uuid, last_seq int, n int)
        WHERE s.id = v.id AND s.last_seq = v.last_seq ${fence}
        RETURNING s.id
      ),
      stored_events AS (${insertEvents(events, taken)} RETURNING 1),
      stored_messages AS (${insertMessages(messages, taken)})${settled}${also.length ? Prisma.join(also, '') : Prisma.empty}
      SELECT id::text AS id FROM bumped`;
    return new Set(rows.map((r) => r.id));
  }

  insert(tx: DbTransaction, event: CommittedEvent): Promise<void> {
    return this.insertMany(tx, [event]);
  }

  /** The newest `limit` events, oldest first. */
  async newest(sessionId: string, limit: number): Promise<CommittedEvent[]> {
    const rows = await this.prisma.sessionEvent.findMany({
      where: { sessionId },
      orderBy: { seq: 'desc' },
      take: limit,
    });
    return rows.reverse().map(toCommitted);
  }

  async list(sessionId: string, afterSeq: number, limit: number): Promise<CommittedEvent[]> {
    const rows = await this.prisma.sessionEvent.findMany({
      where: { sessionId, seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return rows.map(toCommitted);
  }

  /**
   * Redacts a deleted message from every new_message event that carried it
   * (once when asked; a held question again when approved): each keeps its
   * own seq, with the tombstone's fields.
   */
  async redactMessage(
    tx: DbTransaction,
    sessionId: string,
    messageId: string,
    payload: { message: object },
  ): Promise<void> {
    const carriers = await tx.$queryRaw<Array<{ seq: number; payload: { message: Record<string, unknown> } }>>`
      SELECT seq, payload FROM session_events
      WHERE session_id = ${sessionId}::uuid AND type = 'new_message' AND payload->'message'->>'id' = ${messageId}`;
    for (const carrier of carriers) {
      const message = {
        ...carrier.payload.message,
        ...payload.message,
        seq: carrier.payload.message.seq,
        visibility: carrier.payload.message.visibility,
      };
      await tx.sessionEvent.update({
        where: { sessionId_seq: { sessionId, seq: Number(carrier.seq) } },
        data: { payload: { ...carrier.payload, message } as Prisma.InputJsonValue },
      });
    }
  }
}

/**
 * A multi-row insert of events from one JSON parameter; with `onlySessions` (a subquery of
 * session ids), only the events of those sessions.
 */
function insertEvents(events: CommittedEvent[], onlySessions?: Prisma.Sql): Prisma.Sql {
  const rows = JSON.stringify(
    events.map((event) => ({
      session_id: event.sessionId,
      seq: event.seq,
      type: event.type,
      visibility: event.visibility,
      visible_to: event.visibleTo ?? null,
      payload: event.payload,
      created_at: event.at ?? new Date(),
    })),
  );
  const where = onlySessions ? Prisma.sql`WHERE e.session_id IN ${onlySessions}` : Prisma.empty;
  return Prisma.sql`
    INSERT INTO session_events (session_id, seq, type, visibility, visible_to, payload, created_at)
    SELECT session_id, seq, type, visibility, visible_to, payload, created_at
    FROM jsonb_to_recordset(${rows}::jsonb) AS e(
      session_id uuid, seq int, type text, visibility event_visibility, visible_to uuid, payload jsonb,
      created_at timestamptz)
    ${where}`;
}
