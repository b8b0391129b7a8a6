import { Injectable } from '@nestjs/common';

interface Presence {
  name: string;
  sockets: Set<string>;
}

/**
 * Who is connected to which session, by socket. Two tabs of one user are one
 * participant: joined on the first socket, left when the last one goes.
 */
@Injectable()
export class PresenceRegistry {
  private readonly sessions = new Map<string, Map<string, Presence>>();

  /** Returns true when this is the user's first socket in the session. */
  add(sessionId: string, userId: string, name: string, socketId: string): boolean {
    let users = this.sessions.get(sessionId);
    if (!users) this.sessions.set(sessionId, (users = new Map()));
    let presence = users.get(userId);
    const first = !presence;
    if (!presence) users.set(userId, (presence = { name, sockets: new Set() }));
    presence.sockets.add(socketId);
    return first;
  }

  /** Returns true when that was the user's last socket in the session. */
  remove(sessionId: string, userId: string, socketId: string): boolean {
    const users = this.sessions.get(sessionId);
    const presence = users?.get(userId);
    if (!users || !presence || !presence.sockets.delete(socketId)) return false;
    if (presence.sockets.size > 0) return false;
    users.delete(userId);
    if (users.size === 0) this.sessions.delete(sessionId);
    return true;
  }

  has(sessionId: string, userId: string, socketId?: string): boolean {
    const presence = this.sessions.get(sessionId)?.get(userId);
    return socketId ? Boolean(presence?.sockets.has(socketId)) : Boolean(presence);
  }

  online(sessionId: string): Array<{ userId: string; name: string }> {
    return [...(this.sessions.get(sessionId)?.entries() ?? [])].map(([userId, p]) => ({ userId, name: p.name }));
  }

  socketsOf(sessionId: string, userId: string): string[] {
    return [...(this.sessions.get(sessionId)?.get(userId)?.sockets ?? [])];
  }
}
