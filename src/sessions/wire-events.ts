import type { DurableEvent, Role, WireMessage, WireQueueEntry } from '../contract/protocol.js';
import { isStaff } from '../permissions/permission-table.js';
import type { CommittedEvent } from './session-event-bus.js';

/**
 * Who is reading: what one person may see depends on their role and, for
 * their own held or anonymous questions, on who they are. A display screen
 * (the projector) reads as nobody in particular: `userId` null, not staff.
 */
export interface Viewer {
  userId: string | null;
  role: Role;
}

/** How peers see the author of a question asked anonymously to classmates. */
export const ANONYMOUS_AUTHOR_NAME = 'A student';

/** How the tutor, and the reasons the scheduler gives, name that author. */
export const ANONYMOUS_SPEAKER_NAME = 'a student (anonymous)';

/** The viewer of a display screen: everything public, nothing personal, nothing for staff. */
export const DISPLAY_VIEWER: Viewer = { userId: null, role: 'contributor' };

/** Whether a committed event carries something only moderators may read (the tutor's instructions). */
/** A durable event's fields besides type, session_id and seq, as its wire type gives them. */
export type PayloadOf<T extends CommittedEvent['type']> = Omit<
  Extract<DurableEvent, { type: T }>,
  'type' | 'session_id' | 'seq'
>;

/**
 * A committed event's payload, typed by its event type (undefined for another type). The log's
 * payloads are written by SessionLog.append from exactly these wire types, so this is where the
 * stored record becomes the contract's type, once, instead of a cast at every reader.
 */
export function payloadOf<T extends CommittedEvent['type']>(event: CommittedEvent, type: T): PayloadOf<T> | undefined {
  return event.type === type ? (event.payload as PayloadOf<T>) : undefined;
}

export function hasModeratorOnlyParts(event: CommittedEvent): boolean {
  const agent = (event.payload.changes as { agent?: Record<string, unknown> } | undefined)?.agent;
  return event.type === 'session_updated' && agent !== undefined && 'instructions' in agent;
}

/**
 * The one person besides staff (and besides everyone, for public events) whose
 * view of this event differs from their peers': the author of a held question
 * (who alone sees it), or of an anonymous one (who alone sees it named).
 */
export function personalAudienceOf(event: CommittedEvent): string | undefined {
  if (event.visibleTo) return event.visibleTo;
  const message = event.type === 'new_message' ? (event.payload.message as WireMessage | undefined) : undefined;
  return message?.anonymous && message.author_id ? message.author_id : undefined;
}

/**
 * A message as one viewer may read it, or null when they may not: private
 * notes and held questions reach staff and their author only, and an
 * anonymous question reaches peers as "A student".
 */
export function viewMessage(message: WireMessage, viewer: Viewer): WireMessage | null {
  if (viewer.role === 'moderator') return message;
  const own = viewer.userId !== null && message.author_id === viewer.userId;
  if (message.held && !own) return null; // held for approval: its author and moderators
  if (message.safety) {
    // What the safety check found is for moderators: its author reads a held message as held, nothing more.
    const { safety: _forModerators, ...rest } = message;
    return viewMessage(rest, viewer);
  }
  if (isStaff(viewer.role)) return message;
  if (message.visibility === 'staff' && !own) return null;
  if (message.anonymous && !own) return { ...message, author_id: null, author_name: ANONYMOUS_AUTHOR_NAME };
  return message;
}

/** The queue as one viewer reads it: other people's anonymous questions without their author. */
export function viewQueue(queue: Array<WireQueueEntry & { anonymous?: boolean }>, viewer: Viewer): WireQueueEntry[] {
  const staff = isStaff(viewer.role);
  return queue.map(({ anonymous, ...entry }) =>
    anonymous && !staff && entry.user_id !== viewer.userId ? { ...entry, user_id: null } : entry,
  );
}

/** Each committed event's wire form for every viewer who reads it unchanged, made on first use. */
const sharedForms = new WeakMap<CommittedEvent, DurableEvent>();

/**
 * A committed event as one viewer receives it: private events become `hidden`
 * for those who may not read them, anonymous questions lose their author for
 * peers, and the tutor's instructions (where teachers keep answer keys) reach
 * moderators only: others read `instructions_changed: true`.
 */
export function toWireEvent(event: CommittedEvent, viewer: Viewer): DurableEvent {
  const staff = isStaff(viewer.role);
  const named = viewer.userId !== null && viewer.userId === event.visibleTo;
  if (
    (event.visibility === 'staff' && !staff && !named) ||
    (event.visibility === 'moderators' && viewer.role !== 'moderator' && !named)
  ) {
    return { type: 'hidden', session_id: event.sessionId, seq: event.seq };
  }
  let payload = event.payload;
  if (viewer.role !== 'moderator' && hasModeratorOnlyParts(event)) {
    const changes = payload.changes as { agent: Record<string, unknown> };
    const { instructions: _hidden, ...agent } = changes.agent;
    payload = { ...payload, changes: { ...changes, agent: { ...agent, instructions_changed: true } } };
  }
  if (event.type === 'new_message' && viewer.role !== 'moderator') {
    const message = payload.message as WireMessage;
    const seen = viewMessage(message, viewer);
    if (seen !== message) payload = { ...payload, message: seen };
  }
  if (payload !== event.payload) return wireOf(event, payload);
  // Nothing in it is this viewer's alone: everyone who reads it reads this one object (a resume of
  // 100 events by 50 returning people makes 100 of them, not 5,000). Shared: never modified.
  let shared = sharedForms.get(event);
  if (!shared) sharedForms.set(event, (shared = wireOf(event, payload)));
  return shared;
}

/** A committed event on the wire, with the payload a viewer reads. */
const wireOf = (event: CommittedEvent, payload: CommittedEvent['payload']): DurableEvent =>
  ({ ...payload, type: event.type, session_id: event.sessionId, seq: event.seq }) as DurableEvent;

/** The viewer a resolved access reads as (a display screen reads as the public). */
export const viewerOf = (access: { userId: string; role: Role; display?: boolean }): Viewer =>
  access.display ? DISPLAY_VIEWER : { userId: access.userId, role: access.role };
