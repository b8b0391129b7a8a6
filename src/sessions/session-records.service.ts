import { Injectable } from '@nestjs/common';
import type { DbTransaction } from '../persistence/transaction.js';
import { AgentLeasesRepository } from './agent-leases.repository.js';
import { MessagesRepository } from './messages.repository.js';
import type {
  AgentHistoryRecord,
  AgentState,
  MemberChanges,
  MessageChanges,
  MessageRecord,
  NewMessage,
  SessionChanges,
  SessionRecord,
} from './records.js';
import { SessionsRepository, type MemberWithName } from './sessions.repository.js';

/*
 * The sessions module owns the sessions, members, messages, message_votes and session_events
 * tables. Other modules read and change them through these two services, never through the
 * repositories (the lint config enforces it). A change goes inside a `SessionLog.write`
 * transaction, whose `tx` the `…In`/write methods take: there is no form that silently opens a
 * connection of its own.
 */

/** Sessions and their members, for other modules. */
@Injectable()
export class SessionRecords {
  constructor(private readonly sessions: SessionsRepository) {}

  findIn(tx: DbTransaction, id: string): Promise<SessionRecord | null> {
    return this.sessions.findByIdIn(tx, id);
  }

  update(tx: DbTransaction, id: string, changes: SessionChanges): Promise<SessionRecord> {
    return this.sessions.update(tx, id, changes);
  }

  member(sessionId: string, userId: string): Promise<MemberWithName | null> {
    return this.sessions.findMemberWithName(sessionId, userId);
  }

  memberIn(tx: DbTransaction, sessionId: string, userId: string): Promise<MemberWithName | null> {
    return this.sessions.findMemberWithNameIn(tx, sessionId, userId);
  }

  /** Members not banned, in the order they joined. */
  members(sessionId: string): Promise<MemberWithName[]> {
    return this.sessions.listMembers(sessionId);
  }

  /** Members whose timed mute is still recorded (to announce its end, also after a restart). */
  timedMutes() {
    return this.sessions.listTimedMutes();
  }

  isGuestOf(tx: DbTransaction, userId: string, sessionId: string): Promise<boolean> {
    return this.sessions.isGuestOf(tx, userId, sessionId);
  }

  upsertMember(
    tx: DbTransaction,
    sessionId: string,
    userId: string,
    data: Parameters<SessionsRepository['upsertMember']>[3],
  ) {
    return this.sessions.upsertMember(tx, sessionId, userId, data);
  }

  updateMember(tx: DbTransaction, sessionId: string, userId: string, changes: MemberChanges) {
    return this.sessions.updateMember(tx, sessionId, userId, changes);
  }

  removeMember(tx: DbTransaction, sessionId: string, userId: string): Promise<void> {
    return this.sessions.deleteMember(tx, sessionId, userId);
  }
}

/** Messages, for other modules. */
@Injectable()
export class MessageRecords {
  constructor(private readonly messages: MessagesRepository) {}

  find(id: string): Promise<MessageRecord | null> {
    return this.messages.findById(id);
  }

  findIn(tx: DbTransaction, id: string): Promise<MessageRecord | null> {
    return this.messages.findByIdIn(tx, id);
  }

  create(tx: DbTransaction, data: NewMessage): Promise<MessageRecord> {
    return this.messages.create(tx, data);
  }

  /** One multi-row insert (the group commit's). */
  createMany(tx: DbTransaction, rows: MessageRecord[]): Promise<void> {
    return this.messages.createMany(tx, rows);
  }

  findByClientMsgIds(
    tx: DbTransaction,
    keys: Array<{ sessionId: string; authorId: string; clientMsgId: string }>,
  ): Promise<MessageRecord[]> {
    return this.messages.findByClientMsgIds(tx, keys);
  }

  update(tx: DbTransaction, id: string, changes: MessageChanges): Promise<MessageRecord> {
    return this.messages.update(tx, id, changes);
  }

  updateMany(tx: DbTransaction, ids: string[], changes: MessageChanges): Promise<void> {
    return this.messages.updateMany(tx, ids, changes);
  }

  withAgentStateIn(tx: DbTransaction, sessionId: string, states: AgentState[]): Promise<MessageRecord[]> {
    return this.messages.withAgentStateIn(tx, sessionId, states);
  }

  withdrawWaitingOf(tx: DbTransaction, sessionId: string, authorId: string): Promise<MessageRecord[]> {
    return this.messages.withdrawWaitingOf(tx, sessionId, authorId);
  }

  restoreWithdrawnOf(tx: DbTransaction, sessionId: string, authorId: string): Promise<MessageRecord[]> {
    return this.messages.restoreWithdrawnOf(tx, sessionId, authorId);
  }

  dismissWaitingOf(tx: DbTransaction, sessionId: string, authorId: string): Promise<void> {
    return this.messages.dismissWaitingOf(tx, sessionId, authorId);
  }

  addVote(tx: DbTransaction, messageId: string, userId: string): Promise<number | null> {
    return this.messages.addVote(tx, messageId, userId);
  }

  /** The latest messages the agent may see, oldest first. */
  recentForAgent(sessionId: string, limit: number): Promise<AgentHistoryRecord[]> {
    return this.messages.recentForAgent(sessionId, limit);
  }

  /** Sessions that have messages the agent still owes an answer. */
  sessionsWithPending(): Promise<string[]> {
    return this.messages.sessionsWithPending();
  }
}

/** The tutor's lease per session and the answers it guards, for the agent module (see AgentLeasesRepository). */
@Injectable()
export class AgentLeases {
  constructor(private readonly leases: AgentLeasesRepository) {}

  /** Takes or renews this instance's lease: its generation (the fence) and whether it changed hands now; null while another holds it. */
  acquireLease(
    sessionId: string,
    owner: string,
    ttlMs: number,
  ): Promise<{ generation: number; taken: boolean } | null> {
    return this.leases.acquireLease(sessionId, owner, ttlMs);
  }

  acquireLeaseAndMark(
    sessionId: string,
    owner: string,
    ttlMs: number,
    ids: string[],
  ): Promise<{ generation: number; taken: boolean } | null> {
    return this.leases.acquireLeaseAndMark(sessionId, owner, ttlMs, ids);
  }

  leaseOf(sessionId: string): Promise<{ owner: string; until: Date } | null> {
    return this.leases.leaseOf(sessionId);
  }

  renewLease(sessionId: string, owner: string, generation: number, ttlMs: number): Promise<boolean> {
    return this.leases.renewLease(sessionId, owner, generation, ttlMs);
  }

  holdsLease(tx: DbTransaction, sessionId: string, owner: string, generation: number): Promise<boolean> {
    return this.leases.holdsLease(tx, sessionId, owner, generation);
  }

  requeueAnswering(sessionId: string): Promise<number> {
    return this.leases.requeueAnswering(sessionId);
  }

  releaseLease(sessionId: string, owner: string): Promise<void> {
    return this.leases.releaseLease(sessionId, owner);
  }

  orphanedAnswers(owner: string): Promise<string[]> {
    return this.leases.orphanedAnswers(owner);
  }

  releaseLeasesOf(owner: string): Promise<string[]> {
    return this.leases.releaseLeasesOf(owner);
  }

  requeueInterrupted(owner: string): Promise<number> {
    return this.leases.requeueInterrupted(owner);
  }

  markAnswering(ids: string[]): Promise<void> {
    return this.leases.markAnswering(ids);
  }
}
