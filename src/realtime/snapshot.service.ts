import { Injectable } from '@nestjs/common';
import { AgentRunner } from '../agent/agent-runner.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import {
  SNAPSHOT_MESSAGES,
  type ResumedState,
  type Role,
  type SessionStateEvent,
  type WireMember,
  type WireParticipant,
} from '../contract/protocol.js';
import { isStaff } from '../permissions/permission-table.js';
import type { LiveSession } from '../sessions/live-session.js';
import { toWireEvent, viewerOf, viewQueue } from '../sessions/wire-events.js';
import { PresenceRegistry } from '../sessions/presence.registry.js';
import { toWireMember, type SessionAccess } from '../sessions/session.mappers.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { TurnsService, type QueueItem } from '../turns/turns.service.js';

/** A client further behind than this gets a fresh snapshot instead of a replay. */
export const MAX_RESUME_EVENTS = 500;

/**
 * Whether a snapshot's `members` lists this member for a viewer. Staff see the whole roster; anyone
 * else sees those a room shows apart (staff, the muted) and themselves, not every plain
 * contributor: a lecture filling up would otherwise send its whole roster in every snapshot, n² in all.
 */
function inRosterOf(
  viewer: { staff: boolean; userId: string },
  userId: string,
  m: { role: Role; mutedUntil: Date | null },
  now: number,
): boolean {
  return (
    viewer.staff ||
    userId === viewer.userId ||
    m.role !== 'contributor' ||
    (m.mutedUntil !== null && m.mutedUntil.getTime() > now)
  );
}

/** A client at `lastSeq` can be replayed to `current` (not from the future, not too far behind). */
const replayable = (current: number, lastSeq: number) => lastSeq <= current && current - lastSeq <= MAX_RESUME_EVENTS;

/** Everything a participant needs to render the room at one seq. */
@Injectable()
export class SnapshotService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly live: LiveSessions,
    private readonly presence: PresenceRegistry,
    private readonly turns: TurnsService,
    private readonly agent: AgentRunner,
  ) {}

  async participants(
    sessionId: string,
    viewer: Role,
  ): Promise<{ participants: WireParticipant[]; members: Awaited<ReturnType<SessionsService['members']>> }> {
    const members = await this.sessions.members(sessionId, viewer);
    const roles = new Map(members.map((m) => [m.user_id, m.role]));
    const participants = this.presence
      .online(sessionId)
      .map((p) => ({ user_id: p.userId, name: p.name, role: roles.get(p.userId) ?? 'moderator' }));
    return { participants, members };
  }

  async snapshot(user: AuthUser, access: SessionAccess): Promise<SessionStateEvent> {
    const sessionId = access.session.id;
    // The live state as of now: the access was resolved before this request waited for its turn.
    const session = (await this.live.get(sessionId))?.session ?? access.session;
    const current = { ...access, session };
    const staff = isStaff(access.role) && !access.display;
    const [history, total, { participants, members }, hands, queue] = await Promise.all([
      this.sessions.history(current, undefined, SNAPSHOT_MESSAGES),
      this.sessions.totalMessages(current),
      this.participants(sessionId, viewerOf(access).role),
      this.turns.handsOf(sessionId),
      this.turns.queue(sessionId),
    ]);
    return {
      type: 'session_state',
      session_id: sessionId,
      session: this.sessions.view(session, access),
      you: { user_id: user.id, role: access.role, ...(access.display ? { display: true } : {}) },
      seq: session.lastSeq,
      messages: history.messages.reverse(), // oldest first, as they are shown
      total_messages: total,
      has_more: history.has_more,
      participants,
      hands,
      queue: viewQueue(queue, viewerOf(access)),
      agent: this.agent.stateOf(session),
      members: members.filter((m) =>
        inRosterOf(
          { staff, userId: user.id },
          m.user_id,
          { role: m.role, mutedUntil: m.muted_until ? new Date(m.muted_until) : null },
          Date.now(),
        ),
      ),
      members_complete: staff,
    };
  }

  /**
   * Every durable event after `lastSeq`, with the ephemeral state a returning
   * client cannot replay (who is here, the agent, the queue); null when too far
   * behind (or ahead) to replay, and a snapshot serves better.
   */
  async resume(access: SessionAccess, lastSeq: number): Promise<ResumedState | null> {
    const session = (await this.live.get(access.session.id))?.session ?? access.session;
    if (!replayable(session.lastSeq, lastSeq)) return null;
    const [{ events }, { participants }, queue] = await Promise.all([
      this.sessions.events({ ...access, session }, lastSeq, MAX_RESUME_EVENTS),
      this.participants(session.id, viewerOf(access).role),
      this.turns.queue(session.id),
    ]);
    return { events, participants, queue: viewQueue(queue, viewerOf(access)), agent: this.agent.stateOf(session) };
  }

  /** Whether the live state alone can answer this join (no query): a snapshot, or a resume within its window. */
  canServeFromLive(access: SessionAccess, live: LiveSession, lastSeq: number | undefined): boolean {
    if (lastSeq !== undefined && replayable(live.lastSeq, lastSeq)) return live.reachesBack(lastSeq);
    return live.recentMessages(SNAPSHOT_MESSAGES, viewerOf(access)) !== null;
  }

  /**
   * The snapshot from the session's live state, with no query and no await:
   * called right after the socket joined its rooms, it sits at one seq with
   * them. Null when the live window holds too few messages (then the database serves).
   */
  snapshotFromLive(
    user: AuthUser,
    access: SessionAccess,
    live: LiveSession,
    queue: QueueItem[],
  ): SessionStateEvent | null {
    const staff = isStaff(access.role) && !access.display;
    const recent = live.recentMessages(SNAPSHOT_MESSAGES, viewerOf(access));
    if (!recent) return null;
    const hands = [...live.window.hands.values()]
      .sort((a, b) => a.raisedSeq - b.raisedSeq)
      .map((h) => ({
        user_id: h.userId,
        name: live.members.get(h.userId)?.displayName ?? 'someone',
        note: h.note,
        raised_at: h.raisedAt.toISOString(),
      }));
    return {
      type: 'session_state',
      session_id: live.id,
      session: this.sessions.view(live.session, access),
      you: { user_id: user.id, role: access.role, ...(access.display ? { display: true } : {}) },
      seq: live.lastSeq,
      messages: recent.messages,
      total_messages: recent.total,
      has_more: recent.hasMore,
      participants: this.participantsFromLive(live),
      hands,
      queue: viewQueue(queue, viewerOf(access)),
      agent: this.agent.stateOf(live.session),
      members: this.membersFromLive(live, { staff, userId: user.id }),
      members_complete: staff,
    };
  }

  /**
   * A resume from the live state's window of recent events, with no query and
   * no await. `undefined` when the window does not reach back to `lastSeq` but
   * the database might (the caller replays from there); null when a snapshot serves better.
   */
  resumeFromLive(
    access: SessionAccess,
    live: LiveSession,
    lastSeq: number,
    queue: QueueItem[],
  ): ResumedState | null | undefined {
    if (!replayable(live.lastSeq, lastSeq)) return null;
    const events = live.eventsAfter(lastSeq);
    if (!events) return undefined;
    const viewer = viewerOf(access);
    return {
      events: events.map((e) => toWireEvent(e, viewer)),
      participants: this.participantsFromLive(live),
      queue: viewQueue(queue, viewer),
      agent: this.agent.stateOf(live.session),
    };
  }

  private membersFromLive(live: LiveSession, viewer: { staff: boolean; userId: string }): WireMember[] {
    const members: WireMember[] = [];
    const now = Date.now();
    for (const [userId, m] of live.members) {
      if (m.banned || (m.waiting && !viewer.staff) || !inRosterOf(viewer, userId, m, now)) continue;
      members.push(toWireMember(userId, m, this.presence.has(live.id, userId)));
    }
    return members;
  }

  private participantsFromLive(live: LiveSession): WireParticipant[] {
    return this.presence
      .online(live.id)
      .map((p) => ({ user_id: p.userId, name: p.name, role: live.members.get(p.userId)?.role ?? 'moderator' }));
  }
}
