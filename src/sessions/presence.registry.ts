import { Injectable } from '@nestjs/common';

interface Presence {
  name: string;
  sockets: Set<string>;
}

/**
 * Who is connected to which session, by socket. Two tabs of one user are one
 * participant: joined on the first socket, left when the last one goes.
 * In a cluster it also mirrors who is connected to the other instances (`elsewhere`),
 * kept by the shared presence (realtime/shared-presence.ts), so that "who is here" is
 * read from memory on every instance.
 */
@Injectable()
export class PresenceRegistry {
  private readonly sessions = new Map<string, Map<string, Presence>>();
  private readonly elsewhere = new Map<string, Map<string, string>>();

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

  /** Online here or (in a cluster) on another instance; with a socket id, whether that socket of theirs is here. */
  has(sessionId: string, userId: string, socketId?: string): boolean {
    const presence = this.sessions.get(sessionId)?.get(userId);
    if (socketId) return Boolean(presence?.sockets.has(socketId));
    return Boolean(presence) || Boolean(this.elsewhere.get(sessionId)?.has(userId));
  }

  /** Everyone online in the session, on any instance, once each. */
  online(sessionId: string): Array<{ userId: string; name: string }> {
    const here = [...(this.sessions.get(sessionId)?.entries() ?? [])].map(([userId, p]) => ({ userId, name: p.name }));
    const others = this.elsewhere.get(sessionId);
    if (!others) return here;
    const seen = new Set(here.map((p) => p.userId));
    for (const [userId, name] of others) if (!seen.has(userId)) here.push({ userId, name });
    return here;
  }

  /** Whether anyone is connected to the session on this instance. */
  hasLocal(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  /** This instance's participants, by session (the shared presence's heartbeat). */
  local(): Array<{ sessionId: string; userIds: string[] }> {
    return [...this.sessions].map(([sessionId, users]) => ({ sessionId, userIds: [...users.keys()] }));
  }

  /** Whether the mirror of the other instances is loaded for this session. */
  mirrored(sessionId: string): boolean {
    return this.elsewhere.has(sessionId);
  }

  /** The whole cluster's participants of a session, as read from the shared store. */
  mirror(sessionId: string, everyone: Map<string, string>): void {
    this.elsewhere.set(sessionId, everyone);
  }

  /** A participant_joined or participant_left heard from any instance. */
  mirrorJoined(sessionId: string, userId: string, name: string): void {
    this.elsewhere.get(sessionId)?.set(userId, name);
  }

  mirrorLeft(sessionId: string, userId: string): void {
    this.elsewhere.get(sessionId)?.delete(userId);
  }

  /** Sessions mirrored but no longer used here stop being mirrored. */
  unmirrorIdle(): void {
    for (const sessionId of this.elsewhere.keys()) if (!this.sessions.has(sessionId)) this.elsewhere.delete(sessionId);
  }

  socketsOf(sessionId: string, userId: string): string[] {
    return [...(this.sessions.get(sessionId)?.get(userId)?.sockets ?? [])];
  }
}
