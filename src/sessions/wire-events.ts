import type { DurableEvent, Role } from '../contract/protocol.js';
import { isStaff } from '../permissions/permission-table.js';
import type { CommittedEvent } from './session-event-bus.js';

/** Whether a committed event carries something only moderators may read (the tutor's instructions). */
export function hasModeratorOnlyParts(event: CommittedEvent): boolean {
  const agent = (event.payload.changes as { agent?: Record<string, unknown> } | undefined)?.agent;
  return event.type === 'session_updated' && agent !== undefined && 'instructions' in agent;
}

/**
 * A committed event as one viewer receives it: private events become `hidden`
 * for non-staff, and the tutor's instructions (where teachers keep answer keys)
 * reach moderators only: others read `instructions_changed: true`.
 */
export function toWireEvent(event: CommittedEvent, viewer: Role): DurableEvent {
  if (event.visibility === 'staff' && !isStaff(viewer)) {
    return { type: 'hidden', session_id: event.sessionId, seq: event.seq };
  }
  let payload = event.payload;
  if (viewer !== 'moderator' && hasModeratorOnlyParts(event)) {
    const changes = payload.changes as { agent: Record<string, unknown> };
    const { instructions: _hidden, ...agent } = changes.agent;
    payload = { ...payload, changes: { ...changes, agent: { ...agent, instructions_changed: true } } };
  }
  return { ...payload, type: event.type, session_id: event.sessionId, seq: event.seq } as DurableEvent;
}
