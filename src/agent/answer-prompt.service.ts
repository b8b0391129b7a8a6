import { Injectable } from '@nestjs/common';
import type { Role, TurnPolicy } from '../contract/protocol.js';
import type { LiveSession } from '../sessions/live-session.js';
import { PresenceRegistry } from '../sessions/presence.registry.js';
import { MessageRecords } from '../sessions/session-records.service.js';
import { ANONYMOUS_SPEAKER_NAME } from '../sessions/wire-events.js';
import type { Batch } from '../turns/turn-scheduler.js';
import {
  ANONYMOUS_HANDLE,
  buildPrompt,
  handlesFor,
  ROSTER_LIMIT,
  type PromptMessage,
  type Speaker,
} from './prompt-builder.js';

const HISTORY_LIMIT = 200;
const TOKEN_BUDGET = 12_000;

/** Gathers what one answer's prompt is made of (prompt-builder.ts lays it out). */
@Injectable()
export class AnswerPrompt {
  constructor(
    private readonly messages: MessageRecords,
    private readonly presence: PresenceRegistry,
  ) {}

  /**
   * The prompt for one batch: the recent conversation as the tutor may read it, who is here (the
   * members from the live state), the session's rules.
   */
  async build(live: LiveSession, batch: Batch, policy: TurnPolicy) {
    const { session } = live;
    const history = await this.messages.recentForAgent(session.id, HISTORY_LIMIT);
    const memberRoles = new Map<string, Role>();
    for (const [userId, member] of live.members) if (!member.banned) memberRoles.set(userId, member.role);
    const online = this.presence.online(session.id);
    const handles = handlesFor([
      ...history.flatMap((m) => (m.authorId && !m.anonymous ? [m.authorId] : [])),
      ...online.map((p) => p.userId),
    ]);
    const speaker = (m: (typeof history)[number]): Speaker | undefined =>
      // Asked anonymously to classmates: the tutor reads no name and no handle that could lead to one.
      m.authorId && m.anonymous
        ? { handle: ANONYMOUS_HANDLE, role: m.authorRole ?? 'contributor', name: ANONYMOUS_SPEAKER_NAME }
        : m.authorId
          ? {
              handle: handles.get(m.authorId)!,
              // The role the server recorded when they wrote; older rows fall back to today's membership.
              role: m.authorRole ?? memberRoles.get(m.authorId) ?? 'former member',
              name: m.authorName,
            }
          : undefined;
    // Who is here now, moderators first, bounded: a room that 300 guests passed through costs nothing extra.
    const rank = (role: Role | undefined) => (role === 'moderator' ? 0 : role === 'contributor' ? 1 : 2);
    const present = online
      .filter((p) => memberRoles.has(p.userId))
      .map((p) => ({ handle: handles.get(p.userId)!, role: memberRoles.get(p.userId)!, name: p.name }))
      .sort((a, b) => rank(a.role) - rank(b.role) || a.name.localeCompare(b.name));
    const batchIds = new Set(batch.messages.map((m) => m.id));
    const toPrompt = (m: (typeof history)[number]): PromptMessage => ({
      id: m.id,
      role: m.role,
      speaker: speaker(m),
      content: m.content,
      status: m.status,
    });
    return buildPrompt({
      agentName: session.agentName,
      instructions: session.agentInstructions,
      roster: { present: present.slice(0, ROSTER_LIMIT), more: Math.max(0, present.length - ROSTER_LIMIT) },
      history: history.map(toPrompt),
      batch: history.filter((m) => batchIds.has(m.id)).map(toPrompt),
      merge: policy === 'merge',
      humanAnsweredWhilePaused: session.humanAnsweredWhilePaused,
      language: session.agentLanguage,
      minors: session.minors,
      redactPersonalData: session.redactPersonalData,
      tokenBudget: TOKEN_BUDGET,
    });
  }
}
