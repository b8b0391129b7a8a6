import { Injectable } from '@nestjs/common';
import type { Role } from '../contract/protocol.js';
import { PresenceRegistry } from '../sessions/presence.registry.js';
import { SessionEventBus } from '../sessions/session-event-bus.js';
import { TypingService } from './typing.service.js';

/** Presence events: joined on a user's first socket in a session, left when their last one goes. */
@Injectable()
export class PresenceService {
  constructor(
    private readonly registry: PresenceRegistry,
    private readonly bus: SessionEventBus,
    private readonly typing: TypingService,
  ) {}

  connect(sessionId: string, user: { id: string; displayName: string }, role: Role, socketId: string): void {
    if (this.registry.add(sessionId, user.id, user.displayName, socketId)) {
      this.bus.publishEphemeral(
        sessionId,
        { type: 'participant_joined', session_id: sessionId, user_id: user.id, name: user.displayName, role },
        { kind: 'others', userId: user.id },
      );
    }
  }

  disconnect(sessionId: string, userId: string, socketId: string): void {
    if (this.registry.remove(sessionId, userId, socketId)) this.left(sessionId, userId);
  }

  /** A removed user is gone from the session, whatever sockets they had. */
  removeUser(sessionId: string, userId: string): void {
    const sockets = this.registry.socketsOf(sessionId, userId);
    let last = false;
    for (const socketId of sockets) last = this.registry.remove(sessionId, userId, socketId) || last;
    if (last) this.left(sessionId, userId);
  }

  private left(sessionId: string, userId: string) {
    this.typing.stop(sessionId, userId);
    this.bus.publishEphemeral(sessionId, { type: 'participant_left', session_id: sessionId, user_id: userId });
  }
}
