import type { RespondsTo, Role, TurnPolicy, WireMessage } from '../contract/protocol.js';
import type { SessionRecord as Session } from './records.js';
import { AgentQueue, answerTokens, QUESTION_STATE_OF_COLUMN } from './agent-queue.js';
import type { CommittedEvent } from './session-event-bus.js';
import { viewMessage, type Viewer } from './wire-events.js';
import { isStaff } from '../permissions/permission-table.js';

export interface LiveMember {
  role: Role;
  mutedUntil: Date | null;
  banned: boolean;
  displayName: string;
  /** In the waiting room: not let in yet. */
  waiting: boolean;
  /** A guest (joined by code, no account). */
  guest?: boolean;
  /** round_robin: their share of the tutor's time (1-4). */
  weight?: number;
}

export interface LiveHand {
  userId: string;
  note: string | null;
  raisedAt: Date;
  raisedSeq: number;
}

/** What a snapshot and a resume need besides settings and members; loaded with them. */
export interface LiveWindow {
  /** The newest messages (all visibilities, tombstones included), oldest first. */
  messages: WireMessage[];
  /** How many messages the session has: all, and those everyone may see. */
  counts: { all: number; visible: number };
  /** Raised hands, in the order they were raised. */
  hands: Map<string, LiveHand>;
  /** The newest committed events, oldest first: a resume within them needs no query. */
  events: CommittedEvent[];
}

/** How many messages and events the live state keeps for snapshots and resumes. */
export const WINDOW_MESSAGES = 100;
export const WINDOW_EVENTS = 256;

export type ApplyResult = 'applied' | 'already_applied' | 'gap';

/**
 * What the hot path needs to know about one session, held in memory: its
 * settings, members, raised hands, a window of recent messages and events, and
 * the agent's queue. It changes in one way only: `apply`, over the same
 * committed durable events participants receive, in seq order. An event past
 * the next seq is a gap (another writer, a lost event): the owner throws this
 * state away and loads it again, never guesses.
 */
export class LiveSession {
  constructor(
    /** A private copy of the session row, kept current by `apply`. */
    readonly session: Session,
    readonly members: Map<string, LiveMember>,
    readonly window: LiveWindow = { messages: [], counts: { all: 0, visible: 0 }, hands: new Map(), events: [] },
    /** What the agent owes an answer, and who was answered when. */
    readonly queue: AgentQueue = new AgentQueue(),
  ) {}

  /**
   * Events after `seq`, when the window still holds all of them; null when it
   * does not reach back that far (the caller reads the database instead).
   */
  eventsAfter(seq: number): CommittedEvent[] | null {
    if (!this.reachesBack(seq)) return null;
    return this.window.events.filter((e) => e.seq > seq);
  }

  /** Whether the window holds every event after `seq`. */
  reachesBack(seq: number): boolean {
    if (seq >= this.lastSeq) return seq === this.lastSeq;
    const first = this.window.events[0];
    return first !== undefined && first.seq <= seq + 1;
  }

  /** The newest `limit` messages a viewer may see, oldest first, or null when the window holds too few. */
  recentMessages(limit: number, viewer: Viewer): { messages: WireMessage[]; hasMore: boolean; total: number } | null {
    const staff = isStaff(viewer.role);
    const visible: WireMessage[] = [];
    let own = 0; // the viewer's own held questions: counted for them only
    for (const m of this.window.messages) {
      const seen = viewMessage(m, viewer);
      if (!seen) continue;
      visible.push(seen);
      if (m.visibility !== 'all' && !staff) own++;
    }
    const total = staff ? this.window.counts.all : this.window.counts.visible + own;
    if (visible.length < Math.min(limit, total)) return null;
    const messages = visible.slice(-limit);
    return { messages, hasMore: total > messages.length, total };
  }

  get id(): string {
    return this.session.id;
  }

  /** A member's weight for round_robin (1 unless a moderator set it). */
  readonly weightOf = (authorId: string): number => this.members.get(authorId)?.weight ?? 1;

  /**
   * Replaces the window's copy of a message with a patched one (never edits
   * it in place: the copy is shared with events already sent).
   */
  private patchMessage(id: string, patch: Partial<WireMessage>): void {
    const messages = this.window.messages;
    const index = messages.findIndex((m) => m.id === id);
    if (index >= 0) messages[index] = patched(messages[index], patch);
  }

  get lastSeq(): number {
    return this.session.lastSeq;
  }

  apply(event: CommittedEvent): ApplyResult {
    if (event.seq <= this.session.lastSeq) return 'already_applied';
    if (event.seq !== this.session.lastSeq + 1) return 'gap';
    this.session.lastSeq = event.seq;
    const p = event.payload;
    const s = this.session;
    const w = this.window;
    w.events.push(event);
    if (w.events.length > WINDOW_EVENTS) w.events.splice(0, w.events.length - WINDOW_EVENTS);
    switch (event.type) {
      case 'member_updated':
        if (event.internal?.withdrawsQueue) this.queue.dismissAuthor(p.user_id as string);
        for (const q of event.internal?.restores ?? []) this.queue.enqueue(q);
        this.members.set(p.user_id as string, {
          guest: event.internal?.guest ?? this.members.get(p.user_id as string)?.guest,
          weight: typeof p.weight === 'number' ? p.weight : this.members.get(p.user_id as string)?.weight,
          role: p.role as Role,
          mutedUntil: typeof p.muted_until === 'string' ? new Date(p.muted_until) : null,
          banned: false,
          displayName:
            (p.display_name as string | undefined) ?? this.members.get(p.user_id as string)?.displayName ?? '',
          // Absent: as it was (a mute, say); the waiting room and being admitted say so.
          waiting:
            typeof p.waiting === 'boolean' ? p.waiting : (this.members.get(p.user_id as string)?.waiting ?? false),
        });
        break;
      case 'member_removed': {
        this.queue.dismissAuthor(p.user_id as string);
        const member = this.members.get(p.user_id as string);
        if (p.banned && member) this.members.set(p.user_id as string, { ...member, banned: true, mutedUntil: null });
        else this.members.delete(p.user_id as string);
        if (s.floorUserId === p.user_id) s.floorUserId = null;
        break;
      }
      case 'turn_granted':
        s.floorUserId = (p.user_id as string | null) ?? null;
        break;
      case 'session_updated': {
        const changes = (p.changes ?? {}) as Record<string, unknown>;
        // Switching to `moderated`: what was queued waits for approval too (leaving it approves nothing).
        if (event.internal?.holdsQueue)
          for (const id of this.queue.holdAll()) this.patchMessage(id, { approval: 'waiting' });
        // Resuming without answer_pending: what arrived during the pause was handled in person.
        const agent = changes.agent as { paused?: boolean } | undefined;
        if (agent?.paused === false && p.answer_pending === false) {
          for (const q of this.queue.queued()) if (q.seq > (s.agentPausedAtSeq ?? 0)) this.queue.dismiss(q.id);
        }
        applySettings(s, changes, event.seq);
        break;
      }
      case 'session_closed':
        if (event.internal?.clearsQueue)
          for (const id of this.queue.clear())
            this.patchMessage(id, { not_answered: 'session_closed', approval: undefined });
        w.hands.clear();
        s.status = 'closed';
        s.closedAt = event.at ?? new Date();
        s.floorUserId = null;
        break;
      case 'new_message': {
        const message = p.message as WireMessage;
        if (message.approved_by !== undefined) {
          // A held question revealed by its approval: it moves to this seq, and everyone may now read it.
          const index = w.messages.findIndex((m) => m.id === message.id);
          if (index >= 0) w.messages.splice(index, 1);
        } else {
          w.counts.all++;
        }
        w.messages.push(message);
        if (w.messages.length > WINDOW_MESSAGES) w.messages.splice(0, w.messages.length - WINDOW_MESSAGES);
        if (message.visibility === 'all') w.counts.visible++;
        const state = event.internal?.agentState ? QUESTION_STATE_OF_COLUMN[event.internal.agentState] : undefined;
        if (message.role === 'user' && message.author_id && (state === 'queued' || state === 'waiting_approval')) {
          this.queue.enqueue({
            id: message.id,
            authorId: message.author_id,
            authorName: message.author_name,
            seq: event.seq,
            state,
            ...(message.anonymous ? { anonymous: true } : {}),
            ...(message.votes ? { votes: message.votes } : {}),
          });
        }
        if (event.internal?.settles && message.reply_to) {
          const tokens = message.role === 'assistant' ? answerTokens(message.content.length) : 0;
          this.queue.settle(
            message.reply_to,
            event.internal.settles,
            event.seq,
            event.at?.getTime() ?? Date.now(),
            tokens,
            this.weightOf,
          );
        }
        break;
      }
      case 'message_deleted': {
        // The text leaves memory as it leaves the database: the message, and the event that carried it.
        const id = p.message_id as string;
        const index = w.messages.findIndex((m) => m.id === id);
        if (index >= 0) w.messages[index] = tombstone(w.messages[index]);
        this.queue.dismiss(id);
        for (const e of w.events) {
          const carried = e.type === 'new_message' ? (e.payload.message as WireMessage | undefined) : undefined;
          if (carried?.id === id) e.payload = { ...e.payload, message: tombstone(carried) };
        }
        break;
      }
      case 'hand_raised':
        w.hands.set(p.user_id as string, {
          userId: p.user_id as string,
          note: (p.note as string | undefined) ?? null,
          raisedAt: event.at ?? new Date(),
          raisedSeq: event.seq,
        });
        break;
      case 'hand_lowered':
        w.hands.delete(p.user_id as string);
        break;
      case 'moderation':
        if (p.action === 'approve_message') {
          this.queue.approve(p.message_id as string);
          this.patchMessage(p.message_id as string, { approval: undefined });
        }
        if (p.action === 'dismiss_message') {
          this.queue.dismiss(p.message_id as string);
          this.patchMessage(p.message_id as string, {
            approval: 'dismissed',
            ...(typeof p.reason === 'string' ? { dismiss_reason: p.reason } : {}),
          });
        }
        break;
      case 'votes_changed':
        this.queue.setVotes(p.message_id as string, p.votes as number);
        this.patchMessage(p.message_id as string, { votes: p.votes as number });
        break;
    }
    // What the server changed alongside the event and does not put on the wire.
    const internal = event.internal;
    if (internal?.joinCode !== undefined) s.joinCode = internal.joinCode;
    if (internal?.humanAnsweredWhilePaused !== undefined)
      s.humanAnsweredWhilePaused = internal.humanAnsweredWhilePaused;
    return 'applied';
  }
}

const tombstone = (message: WireMessage): WireMessage => ({ ...message, content: '', deleted: true });

/** A copy of `message` with `patch` applied; an undefined value removes the field. */
function patched(message: WireMessage, patch: Partial<WireMessage>): WireMessage {
  const next: Record<string, unknown> = { ...message, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete next[key];
  return next as unknown as WireMessage;
}

/** A `session_updated` event's `changes` (wire names, as PROTOCOL.md gives them) onto the row. */
function applySettings(s: Session, changes: Record<string, unknown>, seq: number) {
  if ('title' in changes) s.title = changes.title as string;
  if ('turn_policy' in changes) s.turnPolicy = changes.turn_policy as TurnPolicy;
  if ('auto_grant' in changes) s.autoGrant = changes.auto_grant as boolean;
  if ('guest_role' in changes) s.guestRole = changes.guest_role as Role;
  if ('locked' in changes) s.locked = changes.locked as boolean;
  if ('waiting_room' in changes) s.waitingRoom = changes.waiting_room as boolean;
  if ('anonymous_questions' in changes) s.anonymousQuestions = changes.anonymous_questions as boolean;
  if ('safety' in changes) s.safety = changes.safety;
  if ('minors' in changes) s.minors = changes.minors as boolean;
  if ('redact_personal_data' in changes) s.redactPersonalData = changes.redact_personal_data as boolean;
  if ('retention_days' in changes) s.retentionDays = (changes.retention_days as number | null) ?? null;
  if ('floor_user_id' in changes) s.floorUserId = (changes.floor_user_id as string | null) ?? null;
  if ('rate_limit' in changes) {
    const limit = changes.rate_limit as { messages: number; per_seconds: number } | null;
    s.rateLimitMessages = limit?.messages ?? null;
    s.rateLimitPerSeconds = limit?.per_seconds ?? null;
  }
  const agent = changes.agent as Record<string, unknown> | undefined;
  if (!agent) return;
  if ('instructions' in agent) s.agentInstructions = agent.instructions as string;
  if ('model' in agent) s.agentModel = (agent.model as string | null) ?? null;
  if ('responds_to' in agent) s.agentRespondsTo = agent.responds_to as RespondsTo;
  if ('name' in agent) s.agentName = agent.name as string;
  if ('language' in agent) s.agentLanguage = (agent.language as string | null) ?? null;
  if ('max_answer_tokens' in agent) s.maxAnswerTokens = (agent.max_answer_tokens as number | null) ?? null;
  if ('paused' in agent) {
    s.agentPaused = agent.paused as boolean;
    s.agentPausedAtSeq = s.agentPaused ? seq : null;
    if (s.agentPaused) s.humanAnsweredWhilePaused = false;
  }
}
