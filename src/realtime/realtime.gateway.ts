import { Inject, Logger, type OnModuleDestroy, UseFilters, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MAX_JSON_DEPTH, valueDepth } from '../common/input-limits.js';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Socket } from 'socket.io';
import type { AuthUser } from '../auth/auth-user.js';
import { TokenRevocations } from '../auth/token-revocations.js';
import { TokenService } from '../auth/token.service.js';
import { CLIENT_EVENTS, type Ack, type JoinAck, type WireMessage } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { validationMessage } from '../common/error-mapping.js';
import { ModerationService } from '../moderation/moderation.service.js';
import { isStaff } from '../permissions/permission-table.js';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { SessionLog } from '../sessions/session-log.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { MessageIntakeService } from '../turns/message-intake.service.js';
import { TurnsService } from '../turns/turns.service.js';
import { SlowConsumerGuard } from './slow-consumers.js';
import { HandInput, JoinInput, LoadHistoryInput, MessageInput, ModerateInput, SessionRefInput, UpvoteInput } from './dto/socket.inputs.js';
import { VotesService } from '../turns/votes.service.js';
import { PresenceService } from './presence.service.js';
import { RealtimeBroadcaster, type RoundtableServer } from './realtime.broadcaster.js';
import { rooms } from './rooms.js';
import { SnapshotService } from './snapshot.service.js';
import { SocketExceptionFilter } from './socket-exception.filter.js';
import { SocketAccess, SocketPermission, SocketSessionGuard } from './socket-session.guard.js';
import { TypingService } from './typing.service.js';
import { connectionId } from './connection-id.js';

interface SocketData {
  user: AuthUser;
  /** Sessions this socket has joined as a participant. */
  sessions: Set<string>;
  /** Sessions this socket shows as a display screen (read-only, not a participant). */
  displays: Set<string>;
}
type RoundtableSocket = Socket & { data: SocketData };

const socketValidation = new ValidationPipe({
  whitelist: true,
  transform: true,
  exceptionFactory: (errors) =>
    new DomainError(
      'bad_request',
      validationMessage({ message: errors.flatMap((e) => Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` })) }),
    ),
});

// One person may not flood the server, however many sockets they open: events beyond this are refused.
const EVENTS_PER_SECOND = 200;
// Typing indicators and hands are broadcast to everyone: per person and session, a few a second at most.
const TYPING_PER_SECOND = 4;
const HAND_TOGGLES_PER_MINUTE = 12;
// Upvotes are durable events for everyone: a class votes on a few questions a minute.
const UPVOTES_PER_MINUTE = 30;
const known = new Set<string>(CLIENT_EVENTS);
// What a display screen may not send: it only shows the room.
const WRITES = new Set<string>(['message', 'typing_start', 'typing_stop', 'raise_hand', 'lower_hand', 'moderate', 'upvote']);

/**
 * The Socket.IO gateway: authenticates the handshake, validates every
 * payload, checks the permission table (SocketSessionGuard), calls one
 * service, answers the ack. Broadcasting is the broadcaster's job.
 */
@WebSocketGateway({ maxHttpBufferSize: 256 * 1024 })
@UseFilters(SocketExceptionFilter)
@UsePipes(socketValidation)
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('RealtimeGateway');
  private readonly flood = new RateLimiterMemory({ points: EVENTS_PER_SECOND, duration: 1 });
  private readonly typingLimit = new RateLimiterMemory({ points: TYPING_PER_SECOND, duration: 1 });
  private readonly handLimit = new RateLimiterMemory({ points: HAND_TOGGLES_PER_MINUTE, duration: 60 });
  private readonly voteLimit = new RateLimiterMemory({ points: UPVOTES_PER_MINUTE, duration: 60 });
  private unsubscribeRevocations?: () => void;
  private slowConsumers?: SlowConsumerGuard;
  /** Open sockets per user, capped (MAX_SOCKETS_PER_USER). */
  private readonly socketsPerUser = new Map<string, number>();

  @WebSocketServer() server!: RoundtableServer;

  constructor(
    private readonly tokens: TokenService,
    private readonly broadcaster: RealtimeBroadcaster,
    private readonly snapshots: SnapshotService,
    private readonly presence: PresenceService,
    private readonly typing: TypingService,
    private readonly log: SessionLog,
    private readonly sessions: SessionsService,
    private readonly intake: MessageIntakeService,
    private readonly turns: TurnsService,
    private readonly moderation: ModerationService,
    private readonly live: LiveSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly revocations: TokenRevocations,
    private readonly votes: VotesService,
  ) {}

  onModuleDestroy() {
    this.unsubscribeRevocations?.();
    this.slowConsumers?.stop();
  }

  afterInit(server: RoundtableServer) {
    this.broadcaster.attach(server);
    this.slowConsumers = new SlowConsumerGuard(this.config.limits.socketBufferBytes);
    this.slowConsumers.start(server);
    // Revoked tokens: the person's open sockets close now (a token is checked when a socket connects).
    this.unsubscribeRevocations = this.revocations.onRevoked((userId) => server.in(rooms.person(userId)).disconnectSockets(true));
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.tokens
        .verify(token)
        .then((user) => {
          const open = this.socketsPerUser.get(user.id) ?? 0;
          if (open >= this.config.limits.socketsPerUser) {
            this.logger.log({ conn: connectionId(socket), user_id: user.id, msg: `connection refused: ${open} open already` });
            next(new Error(`too many connections: at most ${this.config.limits.socketsPerUser} at once per person`));
            return;
          }
          this.socketsPerUser.set(user.id, open + 1);
          socket.data = { user, sessions: new Set<string>(), displays: new Set<string>() } satisfies SocketData;
          this.logger.debug({ conn: connectionId(socket), user_id: user.id, msg: 'connected' });
          next();
        })
        .catch(() => {
          this.logger.debug({ conn: connectionId(socket), msg: 'connection refused: no valid token' });
          next(new Error('unauthorized'));
        });
    });
  }

  handleConnection(socket: RoundtableSocket) {
    void socket.join(rooms.person(socket.data.user.id));
    socket.use((packet, next) => {
      const [event] = packet;
      const ack = typeof packet[packet.length - 1] === 'function' ? (packet[packet.length - 1] as (a: unknown) => void) : undefined;
      if (typeof event !== 'string' || !known.has(event)) {
        ack?.({ ok: false, error: { code: 'bad_request', message: `unknown event ${JSON.stringify(String(event)).slice(0, 60)}` } });
        return;
      }
      if (valueDepth(packet.slice(1)) > MAX_JSON_DEPTH) {
        ack?.({ ok: false, error: { code: 'bad_request', message: `the payload is nested too deeply (at most ${MAX_JSON_DEPTH} levels)` } });
        return;
      }
      const sessionId = (packet[1] as { session_id?: unknown } | undefined)?.session_id;
      if (WRITES.has(event) && typeof sessionId === 'string' && socket.data.displays.has(sessionId)) {
        ack?.({ ok: false, error: { code: 'forbidden', message: 'this screen is a display: it shows the room and cannot send' } });
        return;
      }
      this.flood
        .consume(socket.data.user.id)
        .then(() => next())
        .catch((result: { msBeforeNext?: number }) =>
          ack?.({
            ok: false,
            error: { code: 'rate_limited', message: 'too many events: slow down', retry_after_ms: result.msBeforeNext ?? 1000 },
          }),
        );
    });
  }

  handleDisconnect(socket: RoundtableSocket) {
    const data = socket.data as SocketData | undefined;
    if (!data?.user) return;
    this.logger.debug({ conn: connectionId(socket), user_id: data.user.id, msg: 'disconnected' });
    for (const sessionId of data.sessions) this.presence.disconnect(sessionId, data.user.id, socket.id);
    data.sessions.clear();
    data.displays.clear();
    const open = (this.socketsPerUser.get(data.user.id) ?? 1) - 1;
    if (open > 0) this.socketsPerUser.set(data.user.id, open);
    else this.socketsPerUser.delete(data.user.id);
  }

  @SubscribeMessage('join')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('read')
  async join(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: JoinInput, @SocketAccess() resolved: SessionAccess): Promise<JoinAck> {
    const sessionId = resolved.session.id;
    // A display screen (the projector) is a moderator's: it reads what everyone may read and nothing more.
    if (input.display && resolved.role !== 'moderator') throw new DomainError('forbidden', 'only a moderator can open a display screen');
    if (input.display ? socket.data.sessions.has(sessionId) : socket.data.displays.has(sessionId)) {
      throw new DomainError('bad_request', 'this connection already joined the session the other way: use one connection for a display');
    }
    const access: SessionAccess = input.display ? { ...resolved, display: true } : resolved;
    const lastSeq = input.last_seq ?? undefined; // null means "no last_seq": a snapshot
    const live = this.live.peek(sessionId);
    if (live && this.snapshots.canServeFromLive(access, live, lastSeq)) {
      // From here to the answer nothing awaits: joining the rooms and reading the live state sit at one
      // seq, so the next event is neither missed nor repeated, and no write waits for this join.
      const joined = socket.join(this.roomsFor(socket, access));
      if (!(joined instanceof Promise)) {
        this.enter(socket, access);
        const queue = this.turns.queueOf(live);
        const resumed = lastSeq !== undefined ? this.snapshots.resumeFromLive(access, live, lastSeq, queue) : null;
        if (resumed) return { ok: true as const, resumed: true as const, ...resumed };
        return { ok: true as const, state: this.snapshots.snapshotFromLive(socket.data.user, access, live, queue)! };
      }
      await joined; // an adapter that joins rooms asynchronously: take the path below
    }
    // Between two writes of the session: the snapshot (or replay) read from the database and joining
    // the room sit at one seq (a session whose live state is not held here, or a long-ago last_seq).
    return this.log.exclusive(sessionId, async () => {
      await socket.join(this.roomsFor(socket, access));
      this.enter(socket, access);
      if (lastSeq !== undefined) {
        const resumed = await this.snapshots.resume(access, lastSeq);
        if (resumed) return { ok: true as const, resumed: true as const, ...resumed };
      }
      return { ok: true as const, state: await this.snapshots.snapshot(socket.data.user, access) };
    });
  }

  private roomsFor(socket: RoundtableSocket, access: SessionAccess): string[] {
    const sessionId = access.session.id;
    if (access.display) return [rooms.session(sessionId), rooms.nonStaff(sessionId)];
    return [
      rooms.session(sessionId),
      isStaff(access.role) ? rooms.staff(sessionId) : rooms.nonStaff(sessionId),
      ...(access.role === 'moderator' ? [rooms.moderators(sessionId)] : []),
      rooms.user(sessionId, socket.data.user.id),
    ];
  }

  private enter(socket: RoundtableSocket, access: SessionAccess) {
    if (access.display) {
      socket.data.displays.add(access.session.id); // not a participant: no presence
      return;
    }
    socket.data.sessions.add(access.session.id);
    this.presence.connect(access.session.id, socket.data.user, access.role, socket.id);
  }

  @SubscribeMessage('leave')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('read')
  async leave(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: SessionRefInput): Promise<Ack> {
    const sessionId = input.session_id;
    if (socket.data.displays.delete(sessionId)) {
      for (const room of [rooms.session(sessionId), rooms.nonStaff(sessionId)]) await socket.leave(room);
    }
    if (socket.data.sessions.delete(sessionId)) {
      for (const room of [rooms.session(sessionId), rooms.staff(sessionId), rooms.nonStaff(sessionId), rooms.moderators(sessionId), rooms.user(sessionId, socket.data.user.id)]) {
        await socket.leave(room);
      }
      this.presence.disconnect(sessionId, socket.data.user.id, socket.id);
    }
    return { ok: true };
  }

  @SubscribeMessage('message')
  @UseGuards(SocketSessionGuard)
  @SocketPermission((payload) => (payload.visibility === 'staff' ? 'write_note' : 'send_message'))
  async message(
    @ConnectedSocket() socket: RoundtableSocket,
    @MessageBody() input: MessageInput,
    @SocketAccess() access: SessionAccess,
  ): Promise<Ack<{ message: WireMessage }>> {
    const message = await this.intake.post(socket.data.user, access, {
      content: input.content,
      clientMsgId: input.client_msg_id,
      visibility: input.visibility ?? 'all',
      anonymous: input.anonymous,
    });
    this.typing.stop(access.session.id, socket.data.user.id);
    return { ok: true, message };
  }

  @SubscribeMessage('typing_start')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('typing')
  async typingStart(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: SessionRefInput): Promise<Ack> {
    this.requireJoined(socket, input.session_id);
    await this.limit(this.typingLimit, input.session_id, socket, 'typing indicators');
    this.typing.start(input.session_id, socket.data.user.id, socket.data.user.displayName);
    return { ok: true };
  }

  @SubscribeMessage('typing_stop')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('typing')
  async typingStop(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: SessionRefInput): Promise<Ack> {
    this.requireJoined(socket, input.session_id);
    await this.limit(this.typingLimit, input.session_id, socket, 'typing indicators');
    this.typing.stop(input.session_id, socket.data.user.id);
    return { ok: true };
  }

  @SubscribeMessage('raise_hand')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('raise_hand')
  async raiseHand(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: HandInput): Promise<Ack> {
    await this.limit(this.handLimit, input.session_id, socket, 'hand raises');
    await this.turns.raiseHand(input.session_id, socket.data.user, input.note?.trim() || null);
    return { ok: true };
  }

  @SubscribeMessage('lower_hand')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('raise_hand')
  async lowerHand(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: HandInput): Promise<Ack> {
    await this.limit(this.handLimit, input.session_id, socket, 'hand raises');
    await this.turns.lowerHand(input.session_id, socket.data.user.id);
    return { ok: true };
  }

  @SubscribeMessage('load_history')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('read')
  async loadHistory(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: LoadHistoryInput, @SocketAccess() access: SessionAccess) {
    // A display screen pages back through what everyone may read, as it joined.
    const reader = socket.data.displays.has(access.session.id) && !socket.data.sessions.has(access.session.id) ? { ...access, display: true } : access;
    const page = await this.sessions.history(reader, input.before_seq, input.limit ?? 50);
    return { ok: true as const, ...page };
  }

  @SubscribeMessage('moderate')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('moderate')
  async moderate(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: ModerateInput, @SocketAccess() access: SessionAccess) {
    const { session_id: _sessionId, ...action } = input;
    const result = await this.moderation.moderate(socket.data.user, access, action);
    return { ok: true as const, ...result };
  }

  @SubscribeMessage('upvote')
  @UseGuards(SocketSessionGuard)
  @SocketPermission('upvote')
  async upvote(@ConnectedSocket() socket: RoundtableSocket, @MessageBody() input: UpvoteInput, @SocketAccess() access: SessionAccess): Promise<Ack<{ votes: number }>> {
    await this.limit(this.voteLimit, input.session_id, socket, 'upvotes');
    return { ok: true, ...(await this.votes.upvote(socket.data.user, access, input.message_id)) };
  }

  /** Per person and session: refuses with `rate_limited` past the limiter's allowance. */
  private async limit(limiter: RateLimiterMemory, sessionId: string, socket: RoundtableSocket, what: string) {
    try {
      await limiter.consume(`${sessionId}:${socket.data.user.id}`);
    } catch (refusal) {
      const retryAfterMs = (refusal as { msBeforeNext?: number }).msBeforeNext ?? 1000;
      throw new DomainError('rate_limited', `too many ${what}: try again in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs);
    }
  }

  private requireJoined(socket: RoundtableSocket, sessionId: string) {
    if (!socket.data.sessions.has(sessionId)) throw new DomainError('bad_request', 'join the session first');
  }
}
