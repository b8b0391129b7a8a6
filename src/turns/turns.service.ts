import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import type { TurnPolicy, WireHand, WireQueueEntry } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import type { DbTransaction } from '../persistence/transaction.js';
import { SessionEventBus } from '../sessions/session-event-bus.js';
import { SessionLog, type EventAppender } from '../sessions/session-log.service.js';
import type { LiveSession } from '../sessions/live-session.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { HandsRepository } from './hands.repository.js';
import { nextBatch, predictOrder, type Batch, type PendingMessage } from './turn-scheduler.js';

export interface QueueExplanation {
  policy: TurnPolicy;
  queue: Array<WireQueueEntry & { position: number; seq: number; author_name: string }>;
  awaiting_approval: Array<{ message_id: string; user_id: string }>;
  floor_user_id: string | null;
  explanation: string;
}

const POLICY_EXPLANATIONS: Record<TurnPolicy, string> = {
  fifo: 'strict arrival order',
  round_robin: "authors take turns: the least recently answered author goes next, with their oldest message",
  hand_raise: 'contributors ask only while holding the floor; the floor is granted from the hand queue',
  merge: 'everything pending when the agent is free is answered in one reply',
  moderated: 'a moderator approves each message before it reaches the agent',
};

/** Hands, the floor, and what the agent answers next. */
@Injectable()
export class TurnsService {
  constructor(
    private readonly hands: HandsRepository,
    private readonly sessions: SessionsRepository,
    private readonly log: SessionLog,
    private readonly bus: SessionEventBus,
    private readonly live: LiveSessions,
  ) {}

  async handsOf(sessionId: string): Promise<WireHand[]> {
    return (await this.hands.list(sessionId)).map((h) => ({
      user_id: h.userId,
      name: h.displayName,
      note: h.note,
      raised_at: h.raisedAt.toISOString(),
    }));
  }

  /**
   * The scheduler's input, from the session's live queue (no query): what is
   * queued, and per author when they were last served. An author whose
   * question is being answered right now counts as served most recently of all.
   */
  private schedulerInput(live: LiveSession): { policy: TurnPolicy; pending: PendingMessage[]; lastServed: Map<string, number> } {
    const { queue } = live;
    const lastServed = new Map(queue.lastServed);
    // The answer will be stored after everything so far: just past the latest seq.
    for (const q of queue.answering()) lastServed.set(q.authorId, live.lastSeq + 1);
    const pending = queue.queued().map((q) => ({ id: q.id, authorId: q.authorId, authorName: q.authorName, seq: q.seq }));
    return { policy: live.session.turnPolicy as TurnPolicy, pending, lastServed };
  }

  /** What the agent will answer, in order. */
  async queue(sessionId: string): Promise<WireQueueEntry[]> {
    const live = await this.live.get(sessionId);
    return live ? this.queueOf(live) : [];
  }

  /** The same, from a live state the caller holds (no await: a join reads it at one seq with its snapshot). */
  queueOf(live: LiveSession): WireQueueEntry[] {
    return predictOrder(this.schedulerInput(live)).map((m) => ({ message_id: m.id, user_id: m.authorId }));
  }

  private readonly queuePublishes = new Map<string, Promise<void>>();

  /**
   * Announces the queue. Calls within one turn of the event loop (a batch of
   * messages, say) share one computation: the queue is read once, not per call.
   */
  publishQueue(sessionId: string): Promise<void> {
    const scheduled = this.queuePublishes.get(sessionId);
    if (scheduled) return scheduled;
    const publication = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.queuePublishes.delete(sessionId);
      this.bus.publishEphemeral(sessionId, { type: 'queue_updated', session_id: sessionId, queue: await this.queue(sessionId) });
    });
    this.queuePublishes.set(sessionId, publication);
    return publication;
  }

  /** The next batch the agent should answer, by the session's policy. */
  async nextBatch(sessionId: string): Promise<Batch | null> {
    const live = await this.live.get(sessionId);
    return live ? nextBatch(this.schedulerInput(live)) : null;
  }

  /** The REST view of the queue: who is next and why. */
  async explain(sessionId: string): Promise<QueueExplanation> {
    const live = await this.live.get(sessionId);
    if (!live) throw new DomainError('not_found', 'session not found');
    const { session } = live;
    const input = this.schedulerInput(live);
    const { policy } = input;
    const order = predictOrder(input);
    const awaiting = live.queue.waitingApproval();
    return {
      policy,
      queue: order.map((m, i) => ({ message_id: m.id, user_id: m.authorId, author_name: m.authorName, seq: m.seq, position: i + 1 })),
      awaiting_approval: awaiting.map((m) => ({ message_id: m.id, user_id: m.authorId })),
      floor_user_id: session.floorUserId,
      explanation: POLICY_EXPLANATIONS[policy] + (session.agentPaused ? ' (the agent is paused)' : ''),
    };
  }

  async raiseHand(sessionId: string, user: AuthUser, note: string | null): Promise<void> {
    await this.log.write(sessionId, async (tx, log) => {
      const session = await this.sessions.findByIdIn(tx, sessionId);
      if (!session || session.status === 'closed') throw new DomainError('session_closed', 'this session has ended');
      if (session.floorUserId === user.id) return; // already holds the floor
      if (await this.hands.find(tx, sessionId, user.id)) return; // already raised: idempotent
      const seq = await log.append('hand_raised', { user_id: user.id, ...(note ? { note } : {}) });
      await this.hands.create(tx, { sessionId, userId: user.id, note, raisedSeq: seq });
      await this.autoGrant(tx, log, sessionId);
    });
  }

  /** Lowers a hand: one's own, or (moderators) someone else's with `by`. */
  async lowerHand(sessionId: string, userId: string, by?: string): Promise<boolean> {
    return this.log.write(sessionId, async (tx, log) => {
      if (!(await this.hands.delete(tx, sessionId, userId))) return false;
      await log.append('hand_lowered', { user_id: userId, ...(by ? { by } : {}) });
      return true;
    });
  }

  /** Gives the floor to a user (moderator action); their raised hand leaves the queue. Returns the turn_granted seq. */
  async grantTurn(tx: DbTransaction, log: EventAppender, sessionId: string, userId: string, by: string): Promise<number> {
    await this.removeHandOf(tx, log, sessionId, userId, by);
    await this.sessions.update(tx, sessionId, { floorUserId: userId });
    return log.append('turn_granted', { user_id: userId, by });
  }

  /**
   * After the agent answered the floor holder, the floor is free again; with
   * auto_grant the next hand gets it.
   */
  async releaseFloorIfAnswered(tx: DbTransaction, log: EventAppender, sessionId: string, answeredAuthors: string[]): Promise<void> {
    const session = await this.sessions.findByIdIn(tx, sessionId);
    if (!session?.floorUserId || !answeredAuthors.includes(session.floorUserId)) return;
    await this.sessions.update(tx, sessionId, { floorUserId: null });
    await log.append('session_updated', { changes: { floor_user_id: null }, by: 'agent' });
    await this.autoGrant(tx, log, sessionId);
  }

  /** Under hand_raise with auto_grant, the head of the hand queue gets a free floor. */
  async autoGrant(tx: DbTransaction, log: EventAppender, sessionId: string): Promise<void> {
    const session = await this.sessions.findByIdIn(tx, sessionId);
    if (!session || session.turnPolicy !== 'hand_raise' || !session.autoGrant || session.floorUserId) return;
    const [head] = await this.hands.listIn(tx, sessionId);
    if (head) await this.grantTurn(tx, log, sessionId, head.userId, 'auto_grant');
  }

  /** Lowers someone's hand (a moderator, or because they left); the hand_lowered seq, or null when it was not raised. */
  async removeHandOf(tx: DbTransaction, log: EventAppender, sessionId: string, userId: string, by: string): Promise<number | null> {
    if (!(await this.hands.delete(tx, sessionId, userId))) return null;
    return log.append('hand_lowered', { user_id: userId, by });
  }
}
