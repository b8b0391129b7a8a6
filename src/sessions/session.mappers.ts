import type { MessageRecord as MessageRow, SessionRecord as SessionRow } from './records.js';
import { safetyOf } from '../safety/safety-settings.js';
import type { GuestRole, Role, WireMember, WireMessage, WireSession } from '../contract/protocol.js';

/**
 * Whitelisted output: raw rows never leave the server. The join code and the
 * tutor's instructions (where teachers keep answer keys) are for moderators.
 */
export function toWireSession(row: SessionRow, options: { moderator: boolean }): WireSession {
  return {
    id: row.id,
    title: row.title,
    status: row.status === 'closed' ? 'closed' : 'active',
    turn_policy: row.turnPolicy,
    auto_grant: row.autoGrant,
    agent: {
      name: row.agentName,
      instructions: options.moderator ? row.agentInstructions : '',
      model: row.agentModel,
      responds_to: row.agentRespondsTo,
      paused: row.agentPaused,
      max_answer_tokens: row.maxAnswerTokens,
      language: row.agentLanguage,
    },
    rate_limit:
      row.rateLimitMessages && row.rateLimitPerSeconds
        ? { messages: row.rateLimitMessages, per_seconds: row.rateLimitPerSeconds }
        : null,
    guest_role: row.guestRole as GuestRole,
    waiting_room: row.waitingRoom,
    anonymous_questions: row.anonymousQuestions,
    safety: safetyOf(row.safety),
    minors: row.minors,
    redact_personal_data: row.redactPersonalData,
    retention_days: row.retentionDays,
    join_code: options.moderator ? row.joinCode : null,
    locked: row.locked,
    floor_user_id: row.floorUserId,
    created_by: row.createdById,
    created_at: row.createdAt.toISOString(),
    closed_at: row.closedAt ? row.closedAt.toISOString() : null,
    last_seq: row.lastSeq,
  };
}

/** A member as the roster shows them (from a row or from the live state: the same fields). */
export function toWireMember(
  userId: string,
  m: { displayName: string; role: Role; mutedUntil: Date | null; waiting: boolean; guest?: boolean; weight?: number },
  online: boolean,
): WireMember {
  return {
    user_id: userId,
    display_name: m.displayName,
    role: m.role,
    muted_until: m.mutedUntil ? m.mutedUntil.toISOString() : null,
    online,
    ...(m.waiting ? { waiting: true } : {}),
    ...(m.guest ? { guest: true } : {}),
    ...(m.weight && m.weight !== 1 ? { weight: m.weight } : {}),
  };
}

export function toWireMessage(row: MessageRow): WireMessage {
  const deleted = row.deletedAt !== null;
  return {
    id: row.id,
    seq: row.seq,
    role: row.role,
    content: deleted ? '' : row.content,
    author_id: row.authorId,
    author_name: row.authorName,
    timestamp: row.createdAt.toISOString(),
    ...(row.replyTo.length ? { reply_to: row.replyTo } : {}),
    status: row.status,
    visibility: row.visibility === 'all' ? 'all' : 'staff',
    ...(row.visibility === 'held' ? { held: true } : {}),
    client_msg_id: row.clientMsgId,
    ...(deleted ? { deleted: true } : {}),
    ...(row.scheduleReason ? { schedule_reason: row.scheduleReason } : {}),
    ...(row.truncated ? { cut_off: 'max_answer_tokens' as const } : {}),
    ...(row.safety ? { safety: { status: row.safety } } : {}),
    ...questionFields(row),
  };
}

/** Where a question stands with a moderator and the class, as its wire fields say it. */
function questionFields(row: MessageRow): Partial<WireMessage> {
  if (row.role !== 'user') return {};
  return {
    ...(row.agentState === 'awaiting_approval' || row.agentState === 'withdrawn_held'
      ? { approval: 'waiting' as const }
      : {}),
    ...(row.agentState === 'dismissed'
      ? { approval: 'dismissed' as const, ...(row.dismissReason ? { dismiss_reason: row.dismissReason } : {}) }
      : {}),
    ...(row.agentState === 'closed' ? { not_answered: 'session_closed' as const } : {}),
    ...(row.votes > 0 ? { votes: row.votes } : {}),
    ...(row.anonymous ? { anonymous: true } : {}),
  };
}

export interface SessionAccess {
  session: SessionRow;
  /** Who is asking. */
  userId: string;
  /** The caller's effective role: admins act as moderators. */
  role: Role;
  /** A moderator's display screen (the projector): reads as the public, writes nothing. */
  display?: boolean;
  mutedUntil: Date | null;
  isAdmin: boolean;
}
