// The room as the web client sees it: a pure reducer over the server's events.
// Snapshot, durable events (in seq order, from the SDK), resumes and ephemeral
// events go in; what the page shows comes out. No DOM, no sockets: unit-tested
// in `npm test`, driven by `use-room.ts` in the browser.
import type {
  DurableEvent,
  EphemeralEvent,
  ResumedState,
  Role,
  SessionStateEvent,
  WireAgentState,
  WireHand,
  WireMember,
  WireMessage,
  WireParticipant,
  WireQueueEntry,
  WireSession,
  SafetyFinding,
  SafetySeverity,
  FlagResolution,
} from '../../../../../sdk/roundtable-client.js';
import { formatNumber, t } from '../../../lib/i18n.js';

/** A safety flag as the moderator console shows it (from `safety_flag` events and GET /sessions/:id/flags). */
export interface FlagItem {
  flag_id: string;
  message_id: string;
  author_id: string | null;
  categories: SafetyFinding[];
  severity: SafetySeverity | null;
  action: 'flagged' | 'held' | 'not_checked';
  source: 'message' | 'answer';
  status: 'open' | FlagResolution;
  note: string | null;
  /** The message's text as the flag list gave it (the live message, when loaded, is newer). */
  content?: string;
  /** The seq it arrived at (REST flags: 0), to show the newest first. */
  seq: number;
}

export interface StreamingAnswer {
  message_id: string;
  triggered_by?: string;
  content: string;
}

export interface RoomState {
  session: WireSession;
  me: { user_id: string; role: Role };
  /** The last durable seq applied. */
  seq: number;
  /** The conversation, oldest first, by seq. */
  messages: WireMessage[];
  hasMore: boolean;
  members: Record<string, WireMember>;
  /** Whether `members` is the whole roster (staff); a contributor's lists staff, the muted and themselves. */
  membersComplete: boolean;
  participants: WireParticipant[];
  hands: WireHand[];
  queue: WireQueueEntry[];
  /** When the queue (and its wait estimates) arrived, this page's clock (ms): estimates count down from it. */
  queueAt: number;
  /** Why the first in line goes next (from the latest queue_updated). */
  nextReason?: string;
  agent: WireAgentState;
  /** The answer being written, shown until its `new_message` arrives. */
  streaming: StreamingAnswer | null;
  /** Who is typing now: user id -> name and when it was last refreshed (ms). */
  typing: Record<string, { name: string; at: number }>;
  /** Set when this user was removed from the session. */
  removed: { banned: boolean; by?: string } | null;
  /** The seq of the last join-code change (the new code itself reaches moderators over REST). */
  joinCodeChangedAt: number;
  /** Moderators: safety flags, by id (live events and the REST list merged). */
  flags: Record<string, FlagItem>;
}

export type RoomAction =
  | { kind: 'snapshot'; state: SessionStateEvent }
  | { kind: 'durable'; event: DurableEvent; now?: number }
  | { kind: 'resumed'; state: ResumedState }
  | { kind: 'ephemeral'; event: EphemeralEvent; now?: number }
  | { kind: 'history'; messages: WireMessage[]; hasMore: boolean }
  | { kind: 'flags'; flags: FlagItem[] }
  | { kind: 'typing_expired'; now: number };

/** A typing indicator not refreshed for this long is dropped (the server clears its own after 5 s). */
export const TYPING_STALE_MS = 6000;

export function roomFromSnapshot(state: SessionStateEvent): RoomState {
  const members: Record<string, WireMember> = {};
  for (const member of state.members ?? []) members[member.user_id] = member;
  return {
    session: state.session,
    me: state.you,
    seq: state.seq,
    messages: [...state.messages].sort((a, b) => a.seq - b.seq),
    hasMore: state.has_more,
    members,
    membersComplete: state.members_complete !== false,
    participants: state.participants,
    hands: state.hands,
    queue: state.queue,
    queueAt: Date.now(),
    agent: state.agent,
    streaming: streamingFrom(state.agent),
    typing: {},
    removed: null,
    joinCodeChangedAt: 0,
    flags: {},
  };
}

function withoutApproval(message: WireMessage): WireMessage {
  const { approval: _approval, dismiss_reason: _reason, ...rest } = message;
  return rest;
}

function streamingFrom(agent: WireAgentState): StreamingAnswer | null {
  if (!agent.message_id || (agent.status !== 'streaming' && agent.status !== 'thinking')) return null;
  return { message_id: agent.message_id, triggered_by: agent.triggered_by, content: agent.partial_content ?? '' };
}

/**
 * Inserts or replaces a message, keeping seq order. A held question that a
 * moderator approves comes again at the approval's seq: it moves there.
 */
function upsertMessage(messages: WireMessage[], message: WireMessage): WireMessage[] {
  const at = messages.findIndex((m) => m.id === message.id);
  if (at >= 0 && messages[at].seq === message.seq) return messages.map((m, i) => (i === at ? message : m));
  if (at >= 0) return [...messages.filter((m) => m.id !== message.id), message].sort((a, b) => a.seq - b.seq);
  const next = [...messages, message];
  if (messages.length > 0 && messages[messages.length - 1].seq > message.seq) next.sort((a, b) => a.seq - b.seq);
  return next;
}

export function nameOf(room: RoomState, userId: string | null | undefined): string {
  if (!userId) return t('room.someone');
  if (userId === 'agent') return room.session.agent.name;
  return (
    room.members[userId]?.display_name ?? room.participants.find((p) => p.user_id === userId)?.name ?? t('room.someone')
  );
}

function applyDurable(room: RoomState, event: DurableEvent, now: number): RoomState {
  const next: RoomState = { ...room, seq: Math.max(room.seq, event.seq) };
  switch (event.type) {
    case 'new_message': {
      next.messages = upsertMessage(room.messages, event.message);
      if (room.streaming?.message_id === event.message.id) next.streaming = null;
      if (event.message.author_id && room.typing[event.message.author_id]) {
        const { [event.message.author_id]: _gone, ...rest } = room.typing;
        next.typing = rest;
      }
      return next;
    }
    case 'message_deleted':
      next.messages = room.messages.map((m) => (m.id === event.message_id ? { ...m, content: '', deleted: true } : m));
      return next;
    case 'member_updated': {
      const previous = room.members[event.user_id];
      next.members = {
        ...room.members,
        [event.user_id]: {
          user_id: event.user_id,
          display_name: event.display_name ?? previous?.display_name ?? nameOf(room, event.user_id),
          role: event.role,
          muted_until: event.muted_until,
          online: previous?.online ?? room.participants.some((p) => p.user_id === event.user_id),
          // Staff only: someone in the waiting room (absent: as before; admitting says false).
          ...(((event as { waiting?: boolean }).waiting ?? previous?.waiting) ? { waiting: true } : {}),
          ...((event.guest ?? previous?.guest) ? { guest: true } : {}),
          ...((event.weight ?? previous?.weight) ? { weight: event.weight ?? previous?.weight } : {}),
        },
      };
      next.participants = room.participants.map((p) => (p.user_id === event.user_id ? { ...p, role: event.role } : p));
      if (event.user_id === room.me.user_id) next.me = { ...room.me, role: event.role };
      return next;
    }
    case 'member_removed': {
      const { [event.user_id]: _gone, ...members } = room.members;
      next.members = members;
      next.participants = room.participants.filter((p) => p.user_id !== event.user_id);
      next.hands = room.hands.filter((h) => h.user_id !== event.user_id);
      if (event.user_id === room.me.user_id) next.removed = { banned: event.banned };
      return next;
    }
    case 'hand_raised':
      if (room.hands.some((h) => h.user_id === event.user_id)) return next;
      next.hands = [
        ...room.hands,
        {
          user_id: event.user_id,
          name: nameOf(room, event.user_id),
          note: event.note ?? null,
          raised_at: new Date(now).toISOString(),
        },
      ];
      return next;
    case 'hand_lowered':
      next.hands = room.hands.filter((h) => h.user_id !== event.user_id);
      return next;
    case 'turn_granted':
      next.session = { ...room.session, floor_user_id: event.user_id };
      next.hands = room.hands.filter((h) => h.user_id !== event.user_id);
      return next;
    case 'session_updated': {
      const { agent: agentChanges, ...rest } = event.changes as Partial<WireSession> & {
        agent?: Partial<WireSession['agent']> & { instructions_changed?: boolean };
      };
      // Non-moderators are told only that the instructions changed, not what they say.
      const {
        instructions_changed: _changed,
        ...agent
      }: Partial<WireSession['agent']> & { instructions_changed?: boolean } = agentChanges ?? {};
      next.session = { ...room.session, ...rest, agent: { ...room.session.agent, ...agent }, last_seq: event.seq };
      if (agent?.paused === true) next.agent = { status: 'paused' };
      if (agent?.paused === false && room.agent.status === 'paused') next.agent = { status: 'idle' };
      return next;
    }
    case 'session_closed': {
      // What still waited ends unanswered; hands come down; nothing is live any more.
      const waiting = new Set([
        ...room.queue.map((q) => q.message_id),
        ...room.messages.filter((m) => m.approval === 'waiting').map((m) => m.id),
      ]);
      next.messages = room.messages.map((m) =>
        waiting.has(m.id) ? { ...withoutApproval(m), not_answered: 'session_closed' as const } : m,
      );
      next.session = { ...room.session, status: 'closed', closed_at: new Date(now).toISOString() };
      next.streaming = null;
      next.typing = {};
      next.queue = [];
      next.hands = [];
      return next;
    }
    case 'moderation':
      if (event.action === 'rotate_join_code' || event.action === 'disable_join_code')
        next.joinCodeChangedAt = event.seq;
      if (event.action === 'approve_message')
        next.messages = room.messages.map((m) => (m.id === event.message_id ? withoutApproval(m) : m));
      if (event.action === 'dismiss_message') {
        const reason = (event as { reason?: string }).reason;
        next.messages = room.messages.map((m) =>
          m.id === event.message_id
            ? { ...m, approval: 'dismissed' as const, ...(reason ? { dismiss_reason: reason } : {}) }
            : m,
        );
      }
      return next;
    case 'votes_changed':
      next.messages = room.messages.map((m) => (m.id === event.message_id ? { ...m, votes: event.votes } : m));
      next.queue = room.queue.map((q) => (q.message_id === event.message_id ? { ...q, votes: event.votes } : q));
      return next;
    case 'safety_flag':
      next.flags = {
        ...room.flags,
        [event.flag_id]: {
          flag_id: event.flag_id,
          message_id: event.message_id,
          author_id: event.author_id,
          categories: event.categories,
          severity: event.severity,
          action: event.action,
          source: event.source ?? 'message',
          status: 'open',
          note: null,
          seq: event.seq,
        },
      };
      return next;
    case 'safety_flag_resolved': {
      const flag = room.flags[event.flag_id];
      if (flag) next.flags = { ...room.flags, [event.flag_id]: { ...flag, status: event.status, note: event.note } };
      return next;
    }
    case 'hidden':
      return next;
  }
}

/** Arrivals and departures, each person as they are now: those who joined are added (or replaced), those who left removed. */
function presenceChanged(room: RoomState, joined: WireParticipant[], left: string[]): RoomState {
  const changed = new Set([...joined.map((p) => p.user_id), ...left]);
  let members = room.members;
  const setOnline = (userId: string, online: boolean) => {
    const member = members[userId];
    if (member && member.online !== online) members = { ...members, [userId]: { ...member, online } };
  };
  joined.forEach((p) => setOnline(p.user_id, true));
  left.forEach((userId) => setOnline(userId, false));
  let typing = room.typing;
  if (left.some((userId) => userId in typing)) {
    typing = { ...typing };
    for (const userId of left) delete typing[userId];
  }
  return {
    ...room,
    participants: [...room.participants.filter((p) => !changed.has(p.user_id)), ...joined],
    members,
    typing,
  };
}

function applyEphemeral(room: RoomState, event: EphemeralEvent, now: number): RoomState {
  switch (event.type) {
    case 'participant_joined':
      return presenceChanged(room, [{ user_id: event.user_id, name: event.name, role: event.role }], []);
    case 'participants_changed': // the connection joined with presence "batched"
      return presenceChanged(room, event.joined, event.left);
    case 'participant_left':
      return presenceChanged(room, [], [event.user_id]);
    case 'typing_indicator': {
      if (event.user_id === room.me.user_id) return room;
      const { [event.user_id]: _gone, ...typing } = room.typing;
      if (event.is_typing) typing[event.user_id] = { name: event.name ?? nameOf(room, event.user_id), at: now };
      return { ...room, typing };
    }
    case 'agent_status': {
      const agent: WireAgentState = {
        status: event.status,
        triggered_by: event.triggered_by,
        message_id: event.message_id,
      };
      let streaming = room.streaming;
      const answered = event.message_id ? room.messages.some((m) => m.id === event.message_id) : false;
      if ((event.status === 'thinking' || event.status === 'streaming') && event.message_id && !answered) {
        streaming =
          streaming?.message_id === event.message_id
            ? { ...streaming, triggered_by: event.triggered_by ?? streaming.triggered_by }
            : { message_id: event.message_id, triggered_by: event.triggered_by, content: '' };
      } else if (event.status === 'idle' || event.status === 'paused') {
        streaming = null;
      }
      return { ...room, agent, streaming };
    }
    case 'agent_delta': {
      if (room.messages.some((m) => m.id === event.message_id)) return room; // stored already
      const streaming =
        room.streaming?.message_id === event.message_id
          ? { ...room.streaming, content: room.streaming.content + event.delta }
          : { message_id: event.message_id, triggered_by: room.agent.triggered_by, content: event.delta };
      return {
        ...room,
        streaming,
        agent:
          room.agent.status === 'streaming'
            ? room.agent
            : { ...room.agent, status: 'streaming', message_id: event.message_id },
      };
    }
    case 'queue_updated':
      return { ...room, queue: event.queue, queueAt: now, nextReason: event.next_reason };
    case 'kicked':
      return { ...room, removed: { banned: event.banned ?? false, by: event.by } };
  }
}

export function roomReducer(room: RoomState, action: RoomAction): RoomState {
  switch (action.kind) {
    case 'snapshot':
      // A fresh snapshot replaces everything; a removal seen before stays true.
      return { ...roomFromSnapshot(action.state), removed: room.removed, flags: room.flags };
    case 'durable':
      if (action.event.seq <= room.seq) return room;
      return applyDurable(room, action.event, action.now ?? Date.now());
    case 'resumed': {
      const streaming = streamingFrom(action.state.agent);
      return {
        ...room,
        participants: action.state.participants,
        queue: action.state.queue,
        queueAt: Date.now(),
        agent: action.state.agent,
        // Deltas sent while offline were lost: the server's partial answer replaces ours.
        streaming: streaming && !room.messages.some((m) => m.id === streaming.message_id) ? streaming : null,
        typing: {},
      };
    }
    case 'ephemeral':
      return applyEphemeral(room, action.event, action.now ?? Date.now());
    case 'history': {
      const known = new Set(room.messages.map((m) => m.id));
      const older = action.messages.filter((m) => !known.has(m.id));
      return { ...room, messages: [...older, ...room.messages].sort((a, b) => a.seq - b.seq), hasMore: action.hasMore };
    }
    case 'flags': {
      // The REST list fills in what came before this page; what arrived live since is newer.
      const flags = { ...room.flags };
      for (const f of action.flags)
        flags[f.flag_id] = flags[f.flag_id] ? { ...f, ...flags[f.flag_id], content: f.content } : f;
      return { ...room, flags };
    }
    case 'typing_expired': {
      const typing = Object.fromEntries(
        Object.entries(room.typing).filter(([, t]) => action.now - t.at < TYPING_STALE_MS),
      );
      return Object.keys(typing).length === Object.keys(room.typing).length ? room : { ...room, typing };
    }
  }
}

/** What the agent is doing, in words: "thinking for Ada", "answering Ada", "paused". */
export function agentActivity(room: RoomState): string | null {
  const who = room.agent.triggered_by ? nameOf(room, room.agent.triggered_by) : null;
  switch (room.agent.status) {
    case 'thinking':
      return who ? t('agent.thinkingFor', { name: who }) : t('agent.thinking');
    case 'streaming':
      return who ? t('agent.answeringName', { name: who }) : t('agent.answering');
    case 'paused':
      return t('agent.paused');
    case 'idle':
      return null;
  }
}

export function isMuted(member: WireMember | undefined, now: number): boolean {
  return !!member?.muted_until && Date.parse(member.muted_until) > now;
}

/** A mute "until unmuted" ends in this year (docs/PROTOCOL.md). */
export const FOREVER_YEAR = 9999;

/**
 * Where my question stands: my first question in the agent's queue, its place
 * (1 = next) and the estimated wait left, counting down from when the queue
 * arrived. Null when I have nothing in the queue.
 */
export function myPlace(
  room: RoomState,
  now: number,
): { messageId: string; place: number; of: number; waitMs: number | null } | null {
  const mine = new Set(room.messages.filter((m) => m.author_id === room.me.user_id).map((m) => m.id));
  const index = room.queue.findIndex((q) => q.user_id === room.me.user_id || mine.has(q.message_id));
  if (index < 0) return null;
  const entry = room.queue[index];
  const waitMs = entry.wait_ms === undefined ? null : Math.max(0, entry.wait_ms - (now - room.queueAt));
  return { messageId: entry.message_id, place: index + 1, of: room.queue.length, waitMs };
}

/**
 * The scheduler's reason in words a student reads, in the page's language. The server says
 * it in English with bookkeeping ("round_robin: Ben had not been answered yet, the least
 * recently served of 3 waiting author(s); ..."): this reads which rule it was and for whom,
 * and says that ("Ben had not been answered yet"). The server's sentences are made in
 * src/turns/turn-scheduler.ts; src/turns/schedule-reason.spec.ts feeds every one of them
 * through here, so a new sentence the client cannot read fails a test. One it still cannot
 * read is shown as the server wrote it.
 */
export function reasonInWords(reason: string | undefined): string | null {
  if (!reason) return null;
  const reading = readReason(reason);
  if (reading) return reading;
  const text = reason.replace(/^[a-z_]+:\s*/, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const count = (digits: string) => Number(digits.replace(/,/g, ''));

/** The scheduler's English sentence, read into the catalogue's words; null when it is not one it knows. */
export function readReason(reason: string): string | null {
  let m: RegExpMatchArray | null;
  if ((m = reason.match(/^round_robin: (.+) had not been answered yet, the least recently served of \d+ waiting/s)))
    return t('reason.firstTime', { name: m[1] });
  if ((m = reason.match(/^round_robin: (.+) was last answered at seq \d+, the least recently served of \d+ waiting/s)))
    return t('reason.waitedLongest', { name: m[1] });
  if (
    (m = reason.match(
      /^round_robin: (.+) has had ([\d,]+) of the tutor's tokens, the fewest of (\d+) waiting \((.+): ([\d,]+)\); /s,
    ))
  )
    return t('reason.fewestTokens', {
      name: m[1],
      tokens: formatNumber(count(m[2])),
      other: m[4],
      otherTokens: formatNumber(count(m[5])),
    });
  if ((m = reason.match(/^round_robin: (.+) has had ([\d,]+) of the tutor's tokens, the only one waiting; /s)))
    return t('reason.onlyOne', { name: m[1], tokens: formatNumber(count(m[2])) });
  if (
    (m = reason.match(
      /^votes: (.+) was answered last and is not answered twice in a row while others wait; (.+)'s question has the most upvotes of the rest \((\d+)\)$/s,
    ))
  )
    return t('reason.votesNotTwice', { last: m[1], name: m[2], count: Number(m[3]) });
  if ((m = reason.match(/^votes: the most upvoted pending question \((\d+) upvotes?\); ties go to the oldest$/)))
    return t('reason.mostVotes', { count: Number(m[1]) });
  if (reason === 'fifo: the oldest pending message') return t('reason.askedFirst');
  if (reason === 'hand_raise: asked while holding the floor; oldest first') return t('reason.heldFloor');
  if (reason === 'moderated: approved by a moderator; oldest first') return t('reason.approved');
  if ((m = reason.match(/^merge: (\d+) pending message\(s\) from (.+) answered together$/s)))
    return t('reason.merged', { count: Number(m[1]), names: m[2] });
  return null;
}
