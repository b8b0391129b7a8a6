import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { BroadcastOperator, Server } from 'socket.io';
import type {
  ClientToServerEvents,
  KickedEvent,
  ParticipantJoinedEvent,
  ParticipantLeftEvent,
  ParticipantsChangedEvent,
  Role,
  ServerEvent,
  ServerEventType,
  ServerToClientEvents,
} from '../contract/protocol.js';
import { SessionEventBus, type CommittedEvent, type EphemeralPublication } from '../sessions/session-event-bus.js';
import {
  DISPLAY_VIEWER,
  hasModeratorOnlyParts,
  payloadOf,
  personalAudienceOf,
  toWireEvent,
  type Viewer,
} from '../sessions/wire-events.js';

import { PresenceService } from './presence.service.js';
import { allRoleRooms, roleRooms, rooms } from './rooms.js';
import { WsHub } from './ws-hub.js';

const STAFF: Viewer = { userId: null, role: 'observer' };
const MODERATOR: Viewer = { userId: null, role: 'moderator' };

export type RoundtableServer = Server<ClientToServerEvents, ServerToClientEvents>;
type PresenceEvent = ParticipantJoinedEvent | ParticipantLeftEvent;

/** From this many connections in a session, its presence changes go out at most this often. */
export const LARGE_ROOM = 100;
export const PRESENCE_BATCH_MS = 50;
type Broadcast = BroadcastOperator<ServerToClientEvents, unknown>;

/**
 * Socket.IO's typed emit for one wire event: the event's name is its `type` (PROTOCOL.md section
 * 4), and `ServerToClientEvents` maps each name to exactly that event, so the pair always agrees.
 * (TypeScript cannot correlate a union's name with its payload on its own; this signature says it.)
 */
const emitEvent = (target: Broadcast, event: ServerEvent): void => {
  (target.emit as (this: Broadcast, name: ServerEventType, payload: ServerEvent) => boolean).call(
    target,
    event.type,
    event,
  );
};

/**
 * Turns application events into emits, on Socket.IO's rooms and on the plain-WebSocket
 * hub's rooms alike: durable events to the session's room in seq order (private ones to
 * staff, `hidden` to the rest), ephemeral ones to their audience; role changes move live
 * connections between the staff and non-staff rooms; kicked users' connections leave.
 */
@Injectable()
export class RealtimeBroadcaster implements OnModuleDestroy {
  private server?: RoundtableServer;
  private readonly unsubscribe: Array<() => void> = [];
  /** Presence changes not sent yet, by session, in the order they happened, and how to call off their flush. */
  private readonly presence = new Map<string, { events: PresenceEvent[]; cancel: () => void }>();

  constructor(
    private readonly bus: SessionEventBus,
    private readonly presenceService: PresenceService,
    private readonly hub: WsHub,
  ) {}

  attach(server: RoundtableServer): void {
    this.server = server;
    this.unsubscribe.push(
      this.bus.onDurable((event) => this.durable(event)),
      this.bus.onEphemeral((publication) => this.ephemeral(publication)),
    );
  }

  onModuleDestroy() {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const { cancel } of this.presence.values()) cancel();
    this.presence.clear();
  }

  /** To everyone in `room` but those also in `except`. The event name is the payload's type (PROTOCOL.md section 4). */
  private emit(room: string, event: ServerEvent, except: string | string[] = []) {
    // Socket.IO encodes a packet even for an empty room: rooms with nobody here are skipped.
    if (this.server?.sockets.adapter.rooms.get(room)?.size) emitEvent(this.server.to(room).except(except), event);
    this.hub.emit(room, event, except);
  }

  /**
   * Whether anyone here, on either transport, is in the session. Every connection in a session is
   * in its session room (and its role and user rooms besides), so with nobody in it there is
   * nothing to send: in a cluster, most of the event stream is other instances' sessions.
   */
  private anyoneHere(sessionId: string): boolean {
    const room = rooms.session(sessionId);
    return Boolean(this.server?.sockets.adapter.rooms.get(room)?.size) || this.hub.has(room);
  }

  private durable(event: CommittedEvent) {
    if (!this.server || !this.anyoneHere(event.sessionId)) return;
    const sessionId = event.sessionId;
    const personal = personalAudienceOf(event);
    const mods = rooms.moderators(sessionId);
    if (event.visibility === 'moderators' && personal) {
      // A question held for approval: moderators and its author read it; everyone else, `hidden`.
      const author = rooms.user(sessionId, personal);
      this.emit(mods, toWireEvent(event, MODERATOR));
      this.emit(author, toWireEvent(event, { userId: personal, role: 'contributor' }), mods);
      this.emit(rooms.session(sessionId), toWireEvent(event, DISPLAY_VIEWER), [mods, author]);
    } else if (event.visibility === 'moderators') {
      // For moderators alone (a safety flag, a held tutor answer): everyone else reads `hidden`.
      this.emit(mods, toWireEvent(event, MODERATOR));
      this.emit(rooms.session(sessionId), toWireEvent(event, DISPLAY_VIEWER), mods);
    } else if (personal) {
      // An anonymous question: staff read who asked, its author reads it as theirs, peers read "A student".
      const author = rooms.user(sessionId, personal);
      this.emit(rooms.staff(sessionId), toWireEvent(event, MODERATOR));
      this.emit(author, toWireEvent(event, { userId: personal, role: 'contributor' }), rooms.staff(sessionId));
      this.emit(rooms.nonStaff(sessionId), toWireEvent(event, DISPLAY_VIEWER), author);
    } else if (event.visibility === 'staff') {
      this.emit(rooms.staff(sessionId), toWireEvent(event, STAFF));
      this.emit(rooms.nonStaff(sessionId), toWireEvent(event, DISPLAY_VIEWER));
    } else if (hasModeratorOnlyParts(event)) {
      // The tutor's instructions: in full to moderators, without them to everyone else.
      this.emit(mods, toWireEvent(event, MODERATOR));
      this.emit(rooms.session(sessionId), toWireEvent(event, DISPLAY_VIEWER), mods);
    } else {
      this.emit(rooms.session(sessionId), toWireEvent(event, MODERATOR));
    }
    const updated = payloadOf(event, 'member_updated');
    if (updated) this.moveRooms(sessionId, updated.user_id, updated.role);
    const removed = payloadOf(event, 'member_removed');
    if (removed) this.removeSockets(sessionId, removed.user_id, Boolean(removed.banned), removed.by);
  }

  /** A new role takes effect on the user's open connections at once, on both transports. */
  private moveRooms(sessionId: string, userId: string, role: Role) {
    const next = roleRooms(sessionId, role);
    const leave = allRoleRooms(sessionId).filter((room) => !next.includes(room));
    const userRoom = this.server!.in(rooms.user(sessionId, userId));
    userRoom.socketsJoin(next);
    userRoom.socketsLeave(leave);
    for (const member of this.hub.in(rooms.user(sessionId, userId))) {
      this.hub.join(member, next);
      for (const room of leave) this.hub.leave(member, room);
    }
  }

  private removeSockets(sessionId: string, userId: string, banned: boolean, by: string | undefined) {
    const userRoom = rooms.user(sessionId, userId);
    const kicked: KickedEvent = { type: 'kicked', session_id: sessionId, banned, ...(by ? { by } : {}) };
    this.emit(userRoom, kicked);
    this.server!.in(userRoom).socketsLeave([
      rooms.session(sessionId),
      rooms.staff(sessionId),
      rooms.nonStaff(sessionId),
      rooms.moderators(sessionId),
      rooms.presenceBatched(sessionId),
      userRoom,
    ]);
    for (const member of this.hub.in(userRoom)) member.removed(banned);
    this.presenceService.removeUser(sessionId, userId);
  }

  private ephemeral({ sessionId, event, audience }: EphemeralPublication) {
    if (!this.server || !this.anyoneHere(sessionId)) return;
    if (event.type === 'participant_joined' || event.type === 'participant_left')
      return this.queuePresence(sessionId, event);
    switch (audience.kind) {
      case 'session':
        return this.emit(rooms.session(sessionId), event);
      case 'staff':
        return this.emit(rooms.staff(sessionId), event);
      case 'non_staff':
        return this.emit(rooms.nonStaff(sessionId), event);
      case 'user':
        return this.emit(rooms.user(sessionId, audience.userId), event);
      case 'others':
        // Everyone in the session but that user's own sockets.
        return this.emit(rooms.session(sessionId), event, rooms.user(sessionId, audience.userId));
    }
  }

  /** How many connections, on either transport, are in a room here. */
  private sizeOf(room: string): number {
    return (this.server?.sockets.adapter.rooms.get(room)?.size ?? 0) + this.hub.size(room);
  }

  /**
   * Presence changes wait for the end of this turn of the event loop (in a large room, up to
   * PRESENCE_BATCH_MS), then go out together: a class arriving at once is otherwise one frame per
   * arrival to everyone already there, n² in all.
   */
  private queuePresence(sessionId: string, event: PresenceEvent) {
    let pending = this.presence.get(sessionId);
    if (!pending) {
      const flush = () => this.flushPresence(sessionId);
      let cancel: () => void;
      if (this.sizeOf(rooms.session(sessionId)) >= LARGE_ROOM) {
        const timer = setTimeout(flush, PRESENCE_BATCH_MS);
        cancel = () => clearTimeout(timer);
      } else {
        const immediate = setImmediate(flush);
        cancel = () => clearImmediate(immediate);
      }
      this.presence.set(sessionId, (pending = { events: [], cancel }));
    }
    pending.events.push(event);
  }

  /**
   * Connections that asked for each change get them in order, each from the people who were here
   * when it happened: a later arrival's snapshot already counted it, so the arrivals of this batch
   * do not get the changes before their own. Those that joined with `presence: "batched"` get one
   * `participants_changed`: each person as they are now, which every snapshot since agrees with.
   */
  private flushPresence(sessionId: string) {
    const events = this.presence.get(sessionId)?.events;
    this.presence.delete(sessionId);
    if (!events?.length || !this.server || !this.anyoneHere(sessionId)) return;
    const session = rooms.session(sessionId);
    const batched = rooms.presenceBatched(sessionId);
    // Only the plain-WebSocket hub's connections and Socket.IO's outside the batched room take each change.
    if (this.sizeOf(session) > (this.server.sockets.adapter.rooms.get(batched)?.size ?? 0)) {
      const excepts: string[][] = new Array<string[]>(events.length);
      const laterArrivals: string[] = [];
      for (let i = events.length - 1; i >= 0; i--) {
        const room = rooms.user(sessionId, events[i].user_id);
        excepts[i] = [batched, room, ...laterArrivals];
        if (events[i].type === 'participant_joined') laterArrivals.push(room);
      }
      events.forEach((event, i) => this.emit(session, event, excepts[i]));
    }
    const now = new Map<string, PresenceEvent>();
    for (const event of events) {
      now.delete(event.user_id); // in the order of their last change
      now.set(event.user_id, event);
    }
    const changed: ParticipantsChangedEvent = {
      type: 'participants_changed',
      session_id: sessionId,
      joined: [],
      left: [],
    };
    for (const event of now.values()) {
      if (event.type === 'participant_joined')
        changed.joined.push({ user_id: event.user_id, name: event.name, role: event.role });
      else changed.left.push(event.user_id);
    }
    this.emit(batched, changed);
  }
}
