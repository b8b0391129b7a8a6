import type { DurableEvent } from '../contract/protocol.js';
import type { CommittedEvent } from './session-event-bus.js';

/** A committed event as one viewer receives it: private events become `hidden` for non-staff. */
export function toWireEvent(event: CommittedEvent, viewerIsStaff: boolean): DurableEvent {
  if (event.visibility === 'staff' && !viewerIsStaff) {
    return { type: 'hidden', session_id: event.sessionId, seq: event.seq };
  }
  return { ...event.payload, type: event.type, session_id: event.sessionId, seq: event.seq } as DurableEvent;
}
