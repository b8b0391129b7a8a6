import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import type { QueueExplanation, TurnPolicy, WireHand, WireQueueEntry } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import type { DbTransaction } from '../persistence/transaction.js';
import { SessionEventBus } from '../sessions/session-event-bus.js';
import { SessionLog, type EventAppender } from '../sessions/session-log.service.js';
import type { LiveSession } from '../sessions/live-session.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { SessionRecords } from '../sessions/session-records.service.js';
import { isStaff } from '../permissions/permission-table.js';
import {
  ANONYMOUS_AUTHOR_NAME,
  ANONYMOUS_SPEAKER_NAME,
  DISPLAY_VIEWER,
  viewQueue,
  type Viewer,
} from '../sessions/wire-events.js';

const STAFF: Viewer = { userId: null, role: 'moderator' };
import { HandsRepository } from './hands.repository.js';
import { nextBatch, predictOrder, type Batch, type SchedulerInput } from './turn-scheduler.js';

/** A queue entry before it is shown to one viewer (viewQueue drops other people's anonymous authors). */
export type QueueItem = WireQueueEntry & { user_id: string; anonymous?: boolean };

/** Until a session has answered once, an answer is expected to take this long. */
const DEFAULT_ANSWER_MS = 12_000;

const POLICY_EXPLANATIONS: Record<TurnPolicy, string> = {
  fifo: 'strict arrival order',
  round_robin:
    "a fair share of the tutor's time: the waiting author who has had the fewest tutor tokens (over their weight) goes next, with their oldest message",
  hand_raise: 'contributors ask only while holding the floor; the floor is granted from the hand queue',
  merge: 'everything pending when the agent is free is answered in one reply',
  moderated: 'a moderator approves each message before it reaches the agent',
  votes: 'the most upvoted question goes first, ties by arrival; nobody is answered twice in a row while others wait',
};

/** Hands, the floor, and what the agent answers next. */
@Injectable()
export class TurnsService {
  constructor(
    private readonly hands: HandsRepository,
    private readonly sessions: SessionRecords,
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
  private schedulerInput(live: LiveSession, now = Date.now()): SchedulerInput {
    const { queue } = live;
    const lastServed = new Map(queue.lastServed);
    // The answer will be stored after everything so far: just past the latest seq.
    for (const q of queue.answering()) lastServed.set(q.authorId, live.lastSeq + 1);
    // A muted author's kept questions wait, unanswered, until the mute ends.
    const muted = (authorId: string) => (live.members.get(authorId)?.mutedUntil?.getTime() ?? 0) > now;
    const pending = queue
      .queued()
      .filter((q) => !muted(q.authorId))
      // An anonymous question's author is never named in what the scheduler says (schedule_reason is public).
      .map((q) => ({
        id: q.id,
        authorId: q.authorId,
        authorName: q.anonymous ? ANONYMOUS_SPEAKER_NAME : q.authorName,
        seq: q.seq,
        ...(q.votes ? { votes: q.votes } : {}),
        ...(q.anonymous ? { anonymous: true } : {}),
      }));
    // round_robin counts the tutor's time: tokens received over weight, and each author's expected next answer.
    return {
      policy: live.session.turnPolicy,
      pending,
      lastServed,
      tutorTokens: queue.tutorTokens,
      estimate: (authorId: string) => queue.estimateFor(authorId) / live.weightOf(authorId),
    };
  }

  /** What the agent will answer, in order. */
  async queue(sessionId: string): Promise<QueueItem[]> {
    const live = await this.live.get(sessionId);
    return live ? this.queueOf(live) : [];
  }

  /** The typical answer time here now, in ms: what the wait estimates are built from. */
  answerMs(live: LiveSession): number {
    return live.queue.typicalAnswerMs() ?? DEFAULT_ANSWER_MS;
  }

  /**
   * The same, from a live state the caller holds (no await: a join reads it at
   * one seq with its snapshot), with each question's estimated wait: the rest
   * of the answer in progress plus a typical answer for each one ahead.
   */
  queueOf(live: LiveSession, now = Date.now(), input: SchedulerInput = this.schedulerInput(live, now)): QueueItem[] {
    const typical = this.answerMs(live);
    const current = live.queue.answering()[0];
    // The answer in progress: what is left of a typical one (never quite nothing while it runs).
    const remaining =
      current?.claimedAt !== undefined
        ? Math.max(Math.min(1000, typical), typical - (now - current.claimedAt))
        : current
          ? typical
          : 0;
    const paused = live.session.agentPaused;
    const merge = live.session.turnPolicy === 'merge';
    const votes = live.session.turnPolicy === 'votes';
    return predictOrder(input).map((m, i) => {
      const q = live.queue.get(m.id);
      return {
        message_id: m.id,
        user_id: m.authorId,
        ...(paused ? {} : { wait_ms: Math.round(remaining + (merge ? 0 : i * typical)) }),
        ...(votes || m.votes ? { votes: m.votes ?? 0 } : {}),
        ...(q?.anonymous ? { anonymous: true } : {}),
      };
    });
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
      const live = await this.live.get(sessionId);
      if (!live) return;
      // One scheduler input for the order shown and the reason for its first (anonymous authors stay "a student").
      const input = this.schedulerInput(live);
      const queue = this.queueOf(live, Date.now(), input);
      const answer_ms = this.answerMs(live);
      const next_reason = nextBatch(input)?.reason;
      if (!queue.some((q) => q.anonymous)) {
        this.bus.publishEphemeral(sessionId, {
          type: 'queue_updated',
          session_id: sessionId,
          queue: viewQueue(queue, STAFF),
          answer_ms,
          ...(next_reason ? { next_reason } : {}),
        });
        return;
      }
      // Anonymous questions: staff see who asked, everyone else (their authors find them by message id) does not.
      this.bus.publishEphemeral(
        sessionId,
        {
          type: 'queue_updated',
          session_id: sessionId,
          queue: viewQueue(queue, STAFF),
          answer_ms,
          ...(next_reason ? { next_reason } : {}),
        },
        { kind: 'staff' },
      );
      this.bus.publishEphemeral(
        sessionId,
        {
          type: 'queue_updated',
          session_id: sessionId,
          queue: viewQueue(queue, DISPLAY_VIEWER),
          answer_ms,
          ...(next_reason ? { next_reason } : {}),
        },
        { kind: 'non_staff' },
      );
    });
    this.queuePublishes.set(sessionId, publication);
    return publication;
  }

  /** The next batch the agent should answer, by the session's policy, from a live state the caller holds. */
  nextBatchOf(live: LiveSession): Batch | null {
    return nextBatch(this.schedulerInput(live));
  }

  /** The REST view of the queue: who is next and why. */
  async explain(sessionId: string, viewer: Viewer): Promise<QueueExplanation> {
    const live = await this.live.get(sessionId);
    if (!live) throw new DomainError('not_found', 'session not found');
    const { session } = live;
    const policy = session.turnPolicy;
    const awaiting = live.queue.waitingApproval();
    const staff = isStaff(viewer.role);
    return {
      policy,
      // The queue as this viewer sees it everywhere (viewQueue), with each question's place, seq and author.
      queue: viewQueue(this.queueOf(live), viewer).map((entry, i) => {
        const q = live.queue.get(entry.message_id);
        return {
          ...entry,
          position: i + 1,
          seq: q?.seq ?? 0,
          author_name: entry.user_id === null ? ANONYMOUS_AUTHOR_NAME : (q?.authorName ?? 'someone'),
        };
      }),
      // Held questions are for staff (and their own authors) to know about.
      awaiting_approval: awaiting
        .filter((m) => staff || m.authorId === viewer.userId)
        .map((m) => ({ message_id: m.id, user_id: m.authorId })),
      floor_user_id: session.floorUserId,
      explanation: POLICY_EXPLANATIONS[policy] + (session.agentPaused ? ' (the agent is paused)' : ''),
    };
  }

  async raiseHand(sessionId: string, user: AuthUser, note: string | null): Promise<void> {
    await this.log.write(sessionId, async (tx, log) => {
      const session = await this.sessions.findIn(tx, sessionId);
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
  async grantTurn(
    tx: DbTransaction,
    log: EventAppender,
    sessionId: string,
    userId: string,
    by: string,
  ): Promise<number> {
    await this.removeHandOf(tx, log, sessionId, userId, by);
    await this.sessions.update(tx, sessionId, { floorUserId: userId });
    return log.append('turn_granted', { user_id: userId, by });
  }

  /**
   * After the agent answered the floor holder, the floor is free again; with
   * auto_grant the next hand gets it.
   */
  async releaseFloorIfAnswered(
    tx: DbTransaction,
    log: EventAppender,
    sessionId: string,
    answeredAuthors: string[],
  ): Promise<void> {
    const session = await this.sessions.findIn(tx, sessionId);
    if (!session?.floorUserId || !answeredAuthors.includes(session.floorUserId)) return;
    await this.sessions.update(tx, sessionId, { floorUserId: null });
    await log.append('session_updated', { changes: { floor_user_id: null }, by: 'agent' });
    await this.autoGrant(tx, log, sessionId);
  }

  /** Under hand_raise with auto_grant, the head of the hand queue gets a free floor. */
  async autoGrant(tx: DbTransaction, log: EventAppender, sessionId: string): Promise<void> {
    const session = await this.sessions.findIn(tx, sessionId);
    if (!session || session.turnPolicy !== 'hand_raise' || !session.autoGrant || session.floorUserId) return;
    const [head] = await this.hands.listIn(tx, sessionId);
    if (head) await this.grantTurn(tx, log, sessionId, head.userId, 'auto_grant');
  }

  /** Lowers every raised hand (a policy switch that clears them, closing the session), in the order raised. */
  async lowerAllHands(tx: DbTransaction, log: EventAppender, sessionId: string, by: string): Promise<void> {
    for (const hand of await this.hands.listIn(tx, sessionId))
      await this.removeHandOf(tx, log, sessionId, hand.userId, by);
  }

  /** Lowers someone's hand (a moderator, or because they left); the hand_lowered seq, or null when it was not raised. */
  async removeHandOf(
    tx: DbTransaction,
    log: EventAppender,
    sessionId: string,
    userId: string,
    by: string,
  ): Promise<number | null> {
    if (!(await this.hands.delete(tx, sessionId, userId))) return null;
    return log.append('hand_lowered', { user_id: userId, by });
  }
}
