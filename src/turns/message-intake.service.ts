import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { AuthUser } from '../auth/auth-user.js';
import { MAX_CONTENT_LENGTH, type WireMessage } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { AgentState, MessageRecord as Message, SessionRecord as Session } from '../sessions/records.js';
import { MessageRecords } from '../sessions/session-records.service.js';
import {
  SessionLog,
  visibilityOfMessage,
  NeedsTransaction,
  type BatchEvent,
  type BatchScope,
  type GroupCommit,
  type SessionBatch,
} from '../sessions/session-log.service.js';
import { toWireMessage, type SessionAccess } from '../sessions/session.mappers.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { SessionRecords } from '../sessions/session-records.service.js';
import { SafetyService, type SafetyAssessment } from '../safety/safety.service.js';
import type { SafetyFlagRecord } from '../safety/safety-flag.js';
import type { SafetyVerdict } from '../safety/safety-classifier.js';
import { RateLimitService } from './rate-limit.service.js';
import { TurnsService } from './turns.service.js';

export interface PostMessageInput {
  content: string;
  clientMsgId: string;
  visibility: 'all' | 'staff';
  /** Asked anonymously to classmates (where the session allows it). */
  anonymous?: boolean;
}

/** Two questions are the same when they differ only in case and spacing. */
const sameQuestion = (a: string, b: string) =>
  a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

/** Does the text address the agent: `@tutor`, or `@<its configured name>`? */
export function mentionsAgent(content: string, agentName: string): boolean {
  const names = new Set(['tutor', agentName.toLowerCase()]);
  for (const match of content.toLowerCase().matchAll(/(?:^|[^\w@])@([\w-]+)/g)) {
    if (names.has(match[1])) return true;
  }
  return false;
}

interface PendingPost {
  user: AuthUser;
  access: SessionAccess;
  input: PostMessageInput;
  /** The safety check's verdict, made before the batch (contributors' messages only). */
  verdict?: SafetyVerdict;
  /** Gives back the rate-limit token taken for it, should the batch fail. */
  refund?: () => void;
}

interface Posted {
  message: WireMessage;
  /** It joined the agent's queue. */
  queued: boolean;
}

const dedupeKey = (sessionId: string, authorId: string, clientMsgId: string) =>
  `${sessionId}\u0000${authorId}\u0000${clientMsgId}`;

/**
 * A person's message entering the session: the session's rules (closed,
 * locked, muted, floor, rate limit) say whether it may, the policy says what
 * the agent does with it, and it is stored and sequenced once per client_msg_id.
 * Messages that arrive while the previous batch is being committed are
 * committed together, across sessions (SessionLog.groupCommit): one
 * transaction of a fixed few statements for the whole batch.
 */
@Injectable()
export class MessageIntakeService {
  private readonly batches: GroupCommit<PendingPost, Posted>;

  constructor(
    private readonly messages: MessageRecords,
    private readonly sessions: SessionRecords,
    private readonly log: SessionLog,
    private readonly turns: TurnsService,
    private readonly rateLimits: RateLimitService,
    private readonly live: LiveSessions,
    private readonly safety: SafetyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.batches = this.log.groupCommit((batches, scope) => this.commit(batches, scope));
  }

  async post(user: AuthUser, access: SessionAccess, input: PostMessageInput): Promise<WireMessage> {
    if (input.content.length > MAX_CONTENT_LENGTH) {
      throw new DomainError('too_large', `content must be at most ${MAX_CONTENT_LENGTH} characters`);
    }
    // The safety check runs before the message takes its place: a held message is never shown.
    const verdict =
      access.role !== 'moderator' && this.safety.enabled(access.session.safety)
        ? await this.safety.check(input.content)
        : undefined;
    const pending: PendingPost = { user, access, input, verdict };
    try {
      // In a cluster the allowance is shared through Redis and taken here, before the write.
      const limit = this.rateLimits.shared && access.role !== 'moderator' ? this.limitOf(access.session) : null;
      if (limit) pending.refund = await this.rateLimits.consumeShared(access.session.id, user.id, limit);
      const { message, queued } = await this.batches.submit(access.session.id, pending);
      if (queued) await this.turns.publishQueue(access.session.id);
      return message;
    } catch (error) {
      pending.refund?.(); // nothing was stored: the attempt does not count
      throw error;
    }
  }

  /**
   * One batch, across sessions, in their write turns: every earlier event of
   * each session is applied to its live state. One dedupe read, one seq
   * allocation, one insert of events and one of messages for the whole batch.
   */
  private async commit(
    batches: Array<SessionBatch<PendingPost>>,
    scope: BatchScope,
  ): Promise<Array<Array<Posted | Error>>> {
    // A retry of something already stored answers the first message, whatever changed since. Optimistically
    // nothing is read: a stored client_msg_id meets the unique index, and the batch is committed carefully.
    const stored = scope.optimistic
      ? []
      : await this.messages.findByClientMsgIds(
          scope.tx,
          batches.flatMap(({ sessionId, items }) =>
            items.map((p) => ({ sessionId, authorId: p.user.id, clientMsgId: p.input.clientMsgId })),
          ),
        );
    const existing = new Map(stored.map((m) => [dedupeKey(m.sessionId, m.authorId ?? '', m.clientMsgId ?? ''), m]));
    type Outcome = Posted | Error | { row: Message } | { sameAs: number };
    const perSession: Outcome[][] = [];
    const rows: Message[] = [];
    const events: BatchEvent[] = [];
    const flags: SafetyFlagRecord[] = [];
    const inPersonSessions: string[] = [];
    // Each session's last seq as its live state applied it (the optimistic commit counts on from it).
    const lastSeqs = new Map<string, number>();
    const now = new Date();
    for (const { sessionId, items } of batches) {
      const outcomes: Outcome[] = [];
      perSession.push(outcomes);
      const live = this.live.peek(sessionId);
      if (!live && scope.optimistic) throw new NeedsTransaction('a session without live state');
      const current = live?.session ?? (scope.optimistic ? null : await this.sessions.findIn(scope.tx, sessionId));
      if (live) lastSeqs.set(sessionId, live.lastSeq);
      if (!current) {
        for (const _ of items) outcomes.push(new DomainError('not_found', 'session not found'));
        continue;
      }
      const firstOf = new Map<string, number>();
      let answersInPerson = false;
      // Per author, the questions already waiting (queued or for approval), counting this batch's as they are accepted,
      // and the text of their latest one (a repeat of it is refused).
      const waiting = new Map<string, number>();
      const newest = new Map<string, { seq: number; id: string }>();
      for (const q of [...(live?.queue.queued() ?? []), ...(live?.queue.waitingApproval() ?? [])]) {
        waiting.set(q.authorId, (waiting.get(q.authorId) ?? 0) + 1);
        if ((newest.get(q.authorId)?.seq ?? -1) < q.seq) newest.set(q.authorId, { seq: q.seq, id: q.id });
      }
      // Their texts, from the live window, read only when someone has a question waiting.
      const latest = new Map<string, { seq: number; content: string }>();
      if (newest.size > 0) {
        const authorOf = new Map([...newest].map(([author, q]) => [q.id, author]));
        for (const m of live?.window.messages ?? []) {
          const author = authorOf.get(m.id);
          if (author) latest.set(author, { seq: newest.get(author)!.seq, content: m.content });
        }
      }
      items.forEach((item, index) => {
        const key = dedupeKey(sessionId, item.user.id, item.input.clientMsgId);
        const before = existing.get(key);
        if (before) return void outcomes.push({ message: toWireMessage(before), queued: false });
        const first = firstOf.get(key);
        if (first !== undefined) return void outcomes.push({ sameAs: first }); // the same message twice in one batch
        firstOf.set(key, index);
        let row: Message;
        let assessment: SafetyAssessment;
        try {
          ({ row, assessment } = this.accept(item, current, now, waiting, latest));
        } catch (error) {
          return void outcomes.push(error as Error);
        }
        // A person answering while the agent is paused: the agent's next prompt says so.
        const inPerson =
          current.agentPaused &&
          item.access.role === 'moderator' &&
          row.visibility === 'all' &&
          !current.humanAnsweredWhilePaused &&
          !answersInPerson;
        answersInPerson ||= inPerson;
        rows.push(row);
        events.push({
          sessionId,
          type: 'new_message',
          // A question held for approval: its author and staff read it; everyone else, `hidden`.
          visibility: visibilityOfMessage(row),
          payload: (seq) => {
            row.seq = seq;
            return { message: toWireMessage(row) };
          },
          internal: { agentState: row.agentState, ...(inPerson ? { humanAnsweredWhilePaused: true } : {}) },
        });
        if (assessment.status)
          this.flagEvents(row, assessment, { now, language: current.agentLanguage }, rows, events, flags);
        outcomes.push({ row });
      });
      if (answersInPerson) inPersonSessions.push(sessionId);
    }
    if (scope.optimistic && (flags.length > 0 || inPersonSessions.length > 0))
      throw new NeedsTransaction('safety flags or a session change besides the events');
    // The events and the message rows they carry: one statement.
    await scope.log.appendMany(events, { messages: rows, lastSeqs });
    if (!scope.optimistic) {
      await this.safety.record(scope.tx, flags);
      for (const sessionId of inPersonSessions)
        await this.sessions.update(scope.tx, sessionId, { humanAnsweredWhilePaused: true });
    }
    return perSession.map((outcomes) => {
      const settled = outcomes.map((o): Posted | Error | { sameAs: number } =>
        'row' in o ? { message: toWireMessage(o.row), queued: o.row.agentState === 'pending' } : o,
      );
      return settled.map((o) => ('sameAs' in o ? (settled[o.sameAs] as Posted | Error) : o));
    });
  }

  /** A session's own limit, or the server-wide default for sessions without one. */
  private limitOf(session: Pick<Session, 'rateLimitMessages' | 'rateLimitPerSeconds'>) {
    return session.rateLimitMessages && session.rateLimitPerSeconds
      ? { messages: session.rateLimitMessages, perSeconds: session.rateLimitPerSeconds }
      : this.config.limits.defaultRateLimit;
  }

  /** Checks one message against the session now and takes its rate-limit token; the row to store (its seq comes with the batch). */
  private accept(
    item: PendingPost,
    current: Session,
    now: Date,
    waiting: Map<string, number>,
    latest: Map<string, { seq: number; content: string }>,
  ): { row: Message; assessment: SafetyAssessment } {
    const { user, access, input } = item;
    if (input.content.trim().length === 0) throw new DomainError('bad_request', 'content must not be empty');
    this.checkSessionRules(user, { ...access, session: current }, input);
    if (input.anonymous) {
      if (input.visibility !== 'all') throw new DomainError('bad_request', 'a private note cannot be anonymous');
      if (access.role !== 'contributor')
        throw new DomainError('bad_request', 'only contributors ask anonymously: staff always speak as themselves');
      if (!current.anonymousQuestions)
        throw new DomainError('bad_request', 'this session does not allow anonymous questions');
    }
    const agentState = this.agentStateFor(current, access, input);
    const queued = agentState === 'pending' || agentState === 'awaiting_approval';
    const previous = latest.get(user.id);
    if (queued && previous && sameQuestion(previous.content, input.content)) {
      throw new DomainError('bad_request', 'you already asked exactly that: it is still waiting for the tutor');
    }
    // One person cannot fill the tutor's queue: a few questions waiting at a time.
    if (queued && access.role !== 'moderator' && (waiting.get(user.id) ?? 0) >= this.config.limits.pendingPerAuthor) {
      const n = this.config.limits.pendingPerAuthor;
      throw new DomainError(
        'rate_limited',
        `you already have ${n} question${n === 1 ? '' : 's'} waiting for the tutor: wait for an answer first`,
        5000,
      );
    }
    const limit = this.limitOf(current);
    if (access.role !== 'moderator' && limit && !this.rateLimits.shared) {
      // A batch committed again (carefully, after an optimistic try) takes each token once.
      item.refund?.();
      item.refund = undefined;
      item.refund = this.rateLimits.consume(current.id, user.id, limit);
    }
    if (queued) {
      waiting.set(user.id, (waiting.get(user.id) ?? 0) + 1);
      latest.set(user.id, { seq: Number.MAX_SAFE_INTEGER, content: input.content });
    }
    // Under `moderated`, a contributor's question is held: its author and staff read it until a moderator approves it.
    // The safety check may hold it too (a private note is private already: it is flagged, never held).
    let assessment = this.safety.assess(current.safety, item.verdict);
    if (assessment.status === 'held' && input.visibility !== 'all') assessment = { ...assessment, status: 'flagged' };
    const safetyHold = assessment.status === 'held';
    const held = agentState === 'awaiting_approval' || safetyHold;
    const row: Message = {
      id: newId(),
      sessionId: current.id,
      seq: 0,
      role: 'user',
      content: input.content,
      authorId: user.id,
      authorName: user.displayName,
      authorRole: access.role,
      visibility: held ? 'held' : input.visibility,
      clientMsgId: input.clientMsgId,
      replyTo: [],
      status: 'complete',
      // Held by the safety check, the tutor does not see it; released, it does what it would have done.
      agentState: safetyHold ? 'safety_hold' : agentState,
      heldAgentState: safetyHold ? agentState : null,
      safety: assessment.status,
      scheduleReason: null,
      answeredSeq: null,
      createdAt: now,
      deletedAt: null,
      deletedById: null,
      anonymous: input.anonymous === true,
      votes: 0,
      dismissReason: null,
      truncated: false,
    };
    return { row, assessment };
  }

  /**
   * After a message the check flagged or held: the staff-only `safety_flag` (none for "not
   * checked": moderators read that on the message), and for self-harm the help text, to its
   * author and moderators, at once, whatever the session's pause.
   */
  private flagEvents(
    row: Message,
    assessment: SafetyAssessment,
    { now, language }: { now: Date; language: string | null },
    rows: Message[],
    events: BatchEvent[],
    flags: SafetyFlagRecord[],
  ) {
    const flag = this.safety.flagOf(
      assessment,
      { sessionId: row.sessionId, id: row.id, authorId: row.authorId, source: 'message' },
      now,
    );
    flags.push(flag);
    if (assessment.status === 'not_checked') return;
    events.push({
      sessionId: row.sessionId,
      type: 'safety_flag',
      visibility: 'moderators',
      payload: () => this.safety.eventOf(flag),
    });
    if (!assessment.selfHarm || !row.authorId) return;
    const help: Message = {
      ...row,
      id: newId(),
      role: 'system',
      content: this.safety.helpTextFor(language),
      authorName: 'Roundtable',
      authorRole: null,
      // Addressed to the author: read by them and moderators (stored as held, with them as its "author").
      visibility: 'held',
      clientMsgId: null,
      replyTo: [row.id],
      agentState: 'none',
      heldAgentState: null,
      safety: null,
      anonymous: false,
    };
    rows.push(help);
    events.push({
      sessionId: row.sessionId,
      type: 'new_message',
      visibility: { moderatorsAnd: row.authorId },
      payload: (seq) => {
        help.seq = seq;
        return { message: toWireMessage(help) };
      },
      internal: { agentState: 'none' },
    });
  }

  private checkSessionRules(user: AuthUser, access: SessionAccess, input: PostMessageInput): void {
    const { session, role } = access;
    if (session.status === 'closed') throw new DomainError('session_closed', 'this session has ended; it is read-only');
    if (role === 'moderator') return;
    if (session.locked) throw new DomainError('session_locked', 'the session is locked: only moderators may send');
    if (access.mutedUntil && access.mutedUntil.getTime() > Date.now()) {
      throw new DomainError('muted', `you are muted until ${access.mutedUntil.toISOString()}`);
    }
    if (input.visibility === 'all' && session.turnPolicy === 'hand_raise' && session.floorUserId !== user.id) {
      throw new DomainError('not_your_turn', 'raise your hand to ask: a moderator gives the floor');
    }
  }

  /** What the agent does with a new message, by policy and settings. */
  private agentStateFor(session: Session, access: SessionAccess, input: PostMessageInput): AgentState {
    if (input.visibility === 'staff') return 'none'; // the agent never sees private notes
    if (access.role === 'moderator' && session.agentPaused) return 'none'; // a person answering in the agent's place
    if (session.agentRespondsTo === 'mentions' && !mentionsAgent(input.content, session.agentName)) return 'skipped';
    if (session.turnPolicy === 'moderated' && access.role !== 'moderator') return 'awaiting_approval';
    return 'pending';
  }
}
