import type { MessageRole, MessageStatus, RespondsTo, Role, SafetySeverity, TurnPolicy } from '../contract/protocol.js';

/**
 * The sessions module's rows as the rest of the server sees them: plain objects with typed
 * enum-like fields, no Prisma types. The repositories return these (a Prisma row is assignable
 * to them only while the schema agrees, so a drift fails the typecheck there, not at run time).
 */

export type SessionStatus = 'active' | 'closed';

/** A message's audience: everyone, staff only (a private note), or moderators and its author (held). */
export type MessageVisibility = 'all' | 'staff' | 'held';

/**
 * Where a message stands with the tutor. AgentQueue (agent-queue.ts) owns the transitions of
 * the live ones (awaiting_approval, pending, answering); the rest are where they end.
 */
export type AgentState =
  | 'none'
  | 'pending'
  | 'answering'
  | 'answered'
  | 'awaiting_approval'
  | 'dismissed'
  | 'skipped'
  | 'failed'
  | 'closed'
  | 'withdrawn'
  | 'withdrawn_held'
  | 'safety_hold';

/** What the safety check decided about a message. */
export type MessageSafety = 'flagged' | 'held' | 'not_checked';

export type { SafetySeverity };

export interface SessionRecord {
  id: string;
  title: string;
  status: SessionStatus;
  turnPolicy: TurnPolicy;
  autoGrant: boolean;
  agentName: string;
  agentInstructions: string;
  agentModel: string | null;
  agentRespondsTo: RespondsTo;
  agentLanguage: string | null;
  agentPaused: boolean;
  agentPausedAtSeq: number | null;
  humanAnsweredWhilePaused: boolean;
  agentLeaseOwner: string | null;
  agentLeaseUntil: Date | null;
  agentLeaseGeneration: number;
  rateLimitMessages: number | null;
  rateLimitPerSeconds: number | null;
  guestRole: Role;
  waitingRoom: boolean;
  anonymousQuestions: boolean;
  maxAnswerTokens: number | null;
  /** The per-category safety modes as stored; read through safety/safety-settings.ts `safetyOf`. */
  safety: unknown;
  minors: boolean;
  redactPersonalData: boolean;
  retentionDays: number | null;
  joinCode: string | null;
  locked: boolean;
  floorUserId: string | null;
  lastSeq: number;
  createdById: string;
  createdAt: Date;
  closedAt: Date | null;
}

export interface MemberRecord {
  sessionId: string;
  userId: string;
  role: Role;
  mutedUntil: Date | null;
  banned: boolean;
  waiting: boolean;
  weight: number;
  joinedAt: Date;
}

export interface MessageRecord {
  id: string;
  sessionId: string;
  seq: number;
  role: MessageRole;
  content: string;
  authorId: string | null;
  authorName: string;
  authorRole: Role | null;
  visibility: MessageVisibility;
  clientMsgId: string | null;
  replyTo: string[];
  status: MessageStatus;
  agentState: AgentState;
  scheduleReason: string | null;
  answeredSeq: number | null;
  anonymous: boolean;
  votes: number;
  dismissReason: string | null;
  truncated: boolean;
  safety: MessageSafety | null;
  heldAgentState: AgentState | null;
  createdAt: Date;
  deletedAt: Date | null;
  deletedById: string | null;
}

/** What the tutor's prompt reads of a message. */
export type AgentHistoryRecord = Pick<
  MessageRecord,
  'id' | 'role' | 'content' | 'authorId' | 'authorName' | 'authorRole' | 'anonymous' | 'status'
>;

/** What a new message row is given; the rest takes the column defaults. */
export type NewMessage = Pick<MessageRecord, 'id' | 'sessionId' | 'seq' | 'role' | 'content' | 'authorName'> &
  Partial<Omit<MessageRecord, 'id' | 'sessionId' | 'seq' | 'role' | 'content' | 'authorName'>>;

/** The columns of a message other modules may change. */
export type MessageChanges = Partial<Omit<MessageRecord, 'id' | 'sessionId' | 'createdAt'>>;

/** The columns of a session other modules may change (never its id, seq or lease). */
export type SessionChanges = Partial<
  Omit<
    SessionRecord,
    'id' | 'lastSeq' | 'createdById' | 'createdAt' | 'agentLeaseOwner' | 'agentLeaseUntil' | 'agentLeaseGeneration'
  >
>;

export type MemberChanges = Partial<Pick<MemberRecord, 'role' | 'mutedUntil' | 'banned' | 'waiting' | 'weight'>>;

/**
 * What a deleted question's agent_state becomes: one still waiting (queued, for approval, or held
 * by the safety check) is dismissed; one answered or skipped keeps its state.
 */
export function agentStateAfterDeletion(agentState: AgentState): { agentState?: AgentState } {
  return ['pending', 'awaiting_approval', 'safety_hold'].includes(agentState) ? { agentState: 'dismissed' } : {};
}
