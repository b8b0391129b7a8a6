import { toModerateCommand } from '../moderation/moderate-command.js';
import { Inject, Injectable, Logger, ValidationPipe } from '@nestjs/common';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AuthUser } from '../auth/auth-user.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import {
  CLIENT_EVENTS,
  type Ack,
  type ClientEventName,
  type JoinAck,
  type PresenceMode,
  type WireMessage,
} from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { validationMessage } from '../common/error-mapping.js';
import { MAX_JSON_DEPTH, valueDepth } from '../common/input-limits.js';
import { ModerationService } from '../moderation/moderation.service.js';
import type { Permission } from '../permissions/permission-table.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { SessionAccessService } from '../sessions/session-access.service.js';
import { SessionLog } from '../sessions/session-log.service.js';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { MessageIntakeService } from '../turns/message-intake.service.js';
import { TurnsService } from '../turns/turns.service.js';
import { VotesService } from '../turns/votes.service.js';
import {
  HandInput,
  JoinInput,
  LoadHistoryInput,
  MessageInput,
  ModerateInput,
  SessionRefInput,
  UpvoteInput,
} from './dto/socket.inputs.js';
import { SharedLimiters } from '../persistence/shared-limiters.js';
import { PresenceService } from './presence.service.js';
import { roleRooms, rooms } from './rooms.js';
import { SnapshotService } from './snapshot.service.js';
import { toWireError } from './wire-error.js';
import { TypingService } from './typing.service.js';

/** What one client connection is to the session service, whatever carries it (Socket.IO or a plain WebSocket). */
export interface ChannelConnection {
  /** Unique among open connections: presence counts a person once across all of theirs. */
  readonly id: string;
  readonly user: AuthUser;
  /** Sessions this connection joined as a participant. */
  readonly sessions: Set<string>;
  /** Sessions it shows as a display screen (read-only, not a participant). */
  readonly displays: Set<string>;
  /** Joins rooms; may finish later (an adapter that joins asynchronously). */
  join(names: string[]): void | Promise<void>;
  leave(name: string): void | Promise<void>;
}

// A person may send at most this many events a second across all of their connections (the flood guard).
const EVENTS_PER_SECOND = 200;
// Typing indicators and hands are broadcast to everyone: per person and session, a few a second at most.
const TYPING_PER_SECOND = 4;
const HAND_TOGGLES_PER_MINUTE = 12;
// Upvotes are durable events for everyone: a class votes on a few questions a minute.
const UPVOTES_PER_MINUTE = 30;
const known = new Set<string>(CLIENT_EVENTS);
// What a display screen may not send: it only shows the room.
const WRITES = new Set<string>([
  'message',
  'typing_start',
  'typing_stop',
  'raise_hand',
  'lower_hand',
  'moderate',
  'upvote',
]);

/** Each event's input class (validated, unknown fields dropped) and the permission it needs (PROTOCOL.md section 3). */
const EVENTS: Record<
  ClientEventName,
  { input: new () => object; permission: Permission | ((payload: Record<string, unknown>) => Permission) }
> = {
  join: { input: JoinInput, permission: 'read' },
  leave: { input: SessionRefInput, permission: 'read' },
  message: { input: MessageInput, permission: (p) => (p.visibility === 'staff' ? 'write_note' : 'send_message') },
  typing_start: { input: SessionRefInput, permission: 'typing' },
  typing_stop: { input: SessionRefInput, permission: 'typing' },
  raise_hand: { input: HandInput, permission: 'raise_hand' },
  lower_hand: { input: HandInput, permission: 'raise_hand' },
  load_history: { input: LoadHistoryInput, permission: 'read' },
  moderate: { input: ModerateInput, permission: 'moderate' },
  upvote: { input: UpvoteInput, permission: 'upvote' },
};

const validation = new ValidationPipe({
  whitelist: true,
  transform: true,
  exceptionFactory: (errors) =>
    new DomainError(
      'bad_request',
      validationMessage({
        message: errors.flatMap((e) => Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` })),
      }),
    ),
});

/**
 * The session-facing service both transports call (issue: plain WebSocket): for one event
 * from one connection, the flood guard, validation, the permission table, the service call
 * and the ack, the same code whether the event came over Socket.IO or a plain WebSocket.
 * Broadcasting is the broadcaster's job; transports only carry frames.
 */
@Injectable()
export class SessionChannel {
  private readonly logger = new Logger('SessionChannel');
  private readonly flood = new RateLimiterMemory({ points: EVENTS_PER_SECOND, duration: 1 });
  private readonly typingLimit = new RateLimiterMemory({ points: TYPING_PER_SECOND, duration: 1 });
  // Per person, across every instance (a second tab on another instance does not double them).
  private readonly handLimit = () =>
    this.limiters.get('hand-toggles', { points: HAND_TOGGLES_PER_MINUTE, duration: 60 });
  private readonly voteLimit = () => this.limiters.get('upvotes', { points: UPVOTES_PER_MINUTE, duration: 60 });
  /** Open connections per person, both transports together (MAX_SOCKETS_PER_USER). */
  private readonly perUser = new Map<string, number>();

  constructor(
    private readonly access: SessionAccessService,
    private readonly snapshots: SnapshotService,
    private readonly presence: PresenceService,
    private readonly typing: TypingService,
    private readonly log: SessionLog,
    private readonly sessions: SessionsService,
    private readonly intake: MessageIntakeService,
    private readonly turns: TurnsService,
    private readonly moderation: ModerationService,
    private readonly live: LiveSessions,
    private readonly votes: VotesService,
    private readonly limiters: SharedLimiters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Counts a new connection of this person; refuses one past MAX_SOCKETS_PER_USER. */
  admit(user: AuthUser): void {
    const open = this.perUser.get(user.id) ?? 0;
    if (open >= this.config.limits.socketsPerUser) {
      throw new DomainError(
        'rate_limited',
        `too many connections: at most ${this.config.limits.socketsPerUser} at once per person`,
      );
    }
    this.perUser.set(user.id, open + 1);
  }

  /** A connection is gone: it leaves every session it was in. */
  disconnected(conn: ChannelConnection): void {
    for (const sessionId of conn.sessions) this.presence.disconnect(sessionId, conn.user.id, conn.id);
    conn.sessions.clear();
    conn.displays.clear();
    const open = (this.perUser.get(conn.user.id) ?? 1) - 1;
    if (open > 0) this.perUser.set(conn.user.id, open);
    else this.perUser.delete(conn.user.id);
  }

  /** One event, start to ack: never throws; the answer is the ack (PROTOCOL.md section 4). */
  async handle(conn: ChannelConnection, event: string, payload: unknown): Promise<Ack<Record<string, unknown>>> {
    try {
      return (await this.dispatch(conn, event, payload)) as Ack<Record<string, unknown>>;
    } catch (error) {
      return { ok: false, error: toWireError(error, this.logger, { conn: conn.id, user_id: conn.user.id, event }) };
    }
  }

  private async dispatch(conn: ChannelConnection, event: string, payload: unknown): Promise<unknown> {
    if (!known.has(event))
      throw new DomainError('bad_request', `unknown event ${JSON.stringify(String(event)).slice(0, 60)}`);
    if (valueDepth(payload) > MAX_JSON_DEPTH)
      throw new DomainError('bad_request', `the payload is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new DomainError('bad_request', 'the payload must be an object with a session_id');
    const raw = payload as Record<string, unknown>;
    if (WRITES.has(event) && typeof raw.session_id === 'string' && conn.displays.has(raw.session_id)) {
      throw new DomainError('forbidden', 'this screen is a display: it shows the room and cannot send');
    }
    try {
      await this.flood.consume(conn.user.id);
    } catch (refusal) {
      throw new DomainError(
        'rate_limited',
        'too many events: slow down',
        (refusal as { msBeforeNext?: number }).msBeforeNext ?? 1000,
      );
    }
    const spec = EVENTS[event as ClientEventName];
    // The permission first (a stranger learns nothing from validation messages), then the input.
    const permission = typeof spec.permission === 'function' ? spec.permission(raw) : spec.permission;
    const access = await this.access.authorize(conn.user, raw.session_id, permission);
    const input: unknown = await validation.transform(raw, { type: 'body', metatype: spec.input });
    switch (event as ClientEventName) {
      case 'join':
        return this.join(conn, input as JoinInput, access);
      case 'leave':
        return this.leave(conn, input as SessionRefInput);
      case 'message':
        return this.message(conn, input as MessageInput, access);
      case 'typing_start':
      case 'typing_stop':
        return this.typingEvent(conn, input as SessionRefInput, event === 'typing_start');
      case 'raise_hand':
        await this.limit(this.handLimit(), access.session.id, conn, 'hand raises');
        await this.turns.raiseHand(access.session.id, conn.user, (input as HandInput).note?.trim() || null);
        return { ok: true };
      case 'lower_hand':
        await this.limit(this.handLimit(), access.session.id, conn, 'hand raises');
        await this.turns.lowerHand(access.session.id, conn.user.id);
        return { ok: true };
      case 'load_history': {
        // A display screen pages back through what everyone may read, as it joined.
        const reader =
          conn.displays.has(access.session.id) && !conn.sessions.has(access.session.id)
            ? { ...access, display: true }
            : access;
        const { before_seq, limit } = input as LoadHistoryInput;
        return { ok: true, ...(await this.sessions.history(reader, before_seq, limit ?? 50)) };
      }
      case 'moderate': {
        const { session_id: _sessionId, ...fields } = input as ModerateInput;
        const action = toModerateCommand(fields);
        return { ok: true, ...(await this.moderation.moderate(conn.user, access, action)) };
      }
      case 'upvote':
        await this.limit(this.voteLimit(), access.session.id, conn, 'upvotes');
        return { ok: true, ...(await this.votes.upvote(conn.user, access, (input as UpvoteInput).message_id)) };
    }
  }

  private async join(conn: ChannelConnection, input: JoinInput, resolved: SessionAccess): Promise<JoinAck> {
    const sessionId = resolved.session.id;
    // A display screen (the projector) is a moderator's: it reads what everyone may read and nothing more.
    if (input.display && resolved.role !== 'moderator')
      throw new DomainError('forbidden', 'only a moderator can open a display screen');
    if (input.display ? conn.sessions.has(sessionId) : conn.displays.has(sessionId)) {
      throw new DomainError(
        'bad_request',
        'this connection already joined the session the other way: use one connection for a display',
      );
    }
    const access: SessionAccess = input.display ? { ...resolved, display: true } : resolved;
    const lastSeq = input.last_seq ?? undefined; // null means "no last_seq": a snapshot
    // In a cluster, the first join of a session on this instance reads who is on the others (once).
    const mirroring = this.presence.ready(sessionId);
    if (mirroring) await mirroring;
    const live = this.live.peek(sessionId);
    if (live && this.snapshots.canServeFromLive(access, live, lastSeq)) {
      // From here to the answer nothing awaits: joining the rooms and reading the live state sit at one
      // seq, so the next event is neither missed nor repeated, and no write waits for this join.
      const joined = conn.join(this.roomsFor(conn, access, input.presence));
      if (!(joined instanceof Promise)) {
        this.enter(conn, access);
        const queue = this.turns.queueOf(live);
        const resumed = lastSeq !== undefined ? this.snapshots.resumeFromLive(access, live, lastSeq, queue) : null;
        if (resumed) return { ok: true as const, resumed: true as const, ...resumed };
        return { ok: true as const, state: this.snapshots.snapshotFromLive(conn.user, access, live, queue)! };
      }
      await joined; // an adapter that joins rooms asynchronously: take the path below
    }
    // Between two writes of the session: the snapshot (or replay) read from the database and joining
    // the room sit at one seq (a session whose live state is not held here, or a long-ago last_seq).
    return this.log.exclusive(sessionId, async () => {
      await conn.join(this.roomsFor(conn, access, input.presence));
      this.enter(conn, access);
      if (lastSeq !== undefined) {
        const resumed = await this.snapshots.resume(access, lastSeq);
        if (resumed) return { ok: true as const, resumed: true as const, ...resumed };
      }
      return { ok: true as const, state: await this.snapshots.snapshot(conn.user, access) };
    });
  }

  private roomsFor(conn: ChannelConnection, access: SessionAccess, presence: PresenceMode = 'each'): string[] {
    const sessionId = access.session.id;
    const batched = presence === 'batched' ? [rooms.presenceBatched(sessionId)] : [];
    if (access.display) return [rooms.session(sessionId), rooms.nonStaff(sessionId), ...batched];
    return [
      rooms.session(sessionId),
      ...roleRooms(sessionId, access.role),
      rooms.user(sessionId, conn.user.id),
      ...batched,
    ];
  }

  private enter(conn: ChannelConnection, access: SessionAccess) {
    if (access.display) {
      conn.displays.add(access.session.id); // not a participant: no presence
      return;
    }
    conn.sessions.add(access.session.id);
    this.presence.connect(access.session.id, conn.user, access.role, conn.id);
  }

  private async leave(conn: ChannelConnection, input: SessionRefInput): Promise<Ack> {
    const sessionId = input.session_id;
    if (conn.displays.delete(sessionId)) {
      for (const room of [rooms.session(sessionId), rooms.nonStaff(sessionId), rooms.presenceBatched(sessionId)])
        await conn.leave(room);
    }
    if (conn.sessions.delete(sessionId)) {
      for (const room of [
        rooms.session(sessionId),
        rooms.staff(sessionId),
        rooms.nonStaff(sessionId),
        rooms.moderators(sessionId),
        rooms.user(sessionId, conn.user.id),
        rooms.presenceBatched(sessionId),
      ]) {
        await conn.leave(room);
      }
      this.presence.disconnect(sessionId, conn.user.id, conn.id);
    }
    return { ok: true };
  }

  private async message(
    conn: ChannelConnection,
    input: MessageInput,
    access: SessionAccess,
  ): Promise<Ack<{ message: WireMessage }>> {
    const message = await this.intake.post(conn.user, access, {
      content: input.content,
      clientMsgId: input.client_msg_id,
      visibility: input.visibility ?? 'all',
      anonymous: input.anonymous,
    });
    this.typing.stop(access.session.id, conn.user.id);
    return { ok: true, message };
  }

  private async typingEvent(conn: ChannelConnection, input: SessionRefInput, active: boolean): Promise<Ack> {
    if (!conn.sessions.has(input.session_id)) throw new DomainError('bad_request', 'join the session first');
    await this.limit(this.typingLimit, input.session_id, conn, 'typing indicators');
    if (active) this.typing.start(input.session_id, conn.user.id, conn.user.displayName);
    else this.typing.stop(input.session_id, conn.user.id);
    return { ok: true };
  }

  /** Per person and session: refuses with `rate_limited` past the limiter's allowance. */
  private async limit(
    limiter: RateLimiterAbstract | Promise<RateLimiterAbstract>,
    sessionId: string,
    conn: ChannelConnection,
    what: string,
  ) {
    try {
      await (await limiter).consume(`${sessionId}:${conn.user.id}`);
    } catch (refusal) {
      const retryAfterMs = (refusal as { msBeforeNext?: number }).msBeforeNext ?? 1000;
      throw new DomainError(
        'rate_limited',
        `too many ${what}: try again in ${Math.ceil(retryAfterMs / 1000)} s`,
        retryAfterMs,
      );
    }
  }
}
