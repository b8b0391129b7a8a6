import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';

/** A plain-WebSocket connection in the hub: its socket and the rooms it is in. */
export interface HubMember {
  readonly ws: WebSocket;
  readonly rooms: Set<string>;
  /** Called when the server removes it from the session (kicked, banned, erased): the transport closes it. */
  removed(banned: boolean): void;
}

/**
 * Rooms for plain-WebSocket connections, mirroring Socket.IO's: the broadcaster emits to a
 * room name on both, with the same `except` rule, so a Socket.IO and a WebSocket participant
 * of one session receive the same events, in the same order, each as their role may read them.
 */
@Injectable()
export class WsHub {
  private readonly members = new Map<string, Set<HubMember>>();

  join(member: HubMember, names: string[]): void {
    for (const name of names) {
      member.rooms.add(name);
      let set = this.members.get(name);
      if (!set) this.members.set(name, (set = new Set()));
      set.add(member);
    }
  }

  leave(member: HubMember, name: string): void {
    member.rooms.delete(name);
    const set = this.members.get(name);
    set?.delete(member);
    if (set?.size === 0) this.members.delete(name);
  }

  leaveAll(member: HubMember): void {
    for (const name of [...member.rooms]) this.leave(member, name);
  }

  /** Everyone in `room` but those also in one of `except`; the frame is serialized once. */
  emit(room: string, event: object, except: string | string[] = []): void {
    const set = this.members.get(room);
    if (!set || set.size === 0) return;
    const skip = new Set<HubMember>();
    for (const name of typeof except === 'string' ? [except] : except)
      for (const member of this.members.get(name) ?? []) skip.add(member);
    let frame: string | undefined;
    for (const member of set) {
      if (skip.has(member)) continue;
      if (member.ws.readyState !== member.ws.OPEN) continue;
      frame ??= JSON.stringify(event);
      member.ws.send(frame);
    }
  }

  /** Whether anyone is in a room. */
  has(room: string): boolean {
    return this.size(room) > 0;
  }

  /** How many are in a room. */
  size(room: string): number {
    return this.members.get(room)?.size ?? 0;
  }

  /** The members in a room, now (a role change moves them; a removal closes them). */
  in(room: string): HubMember[] {
    return [...(this.members.get(room) ?? [])];
  }
}
