import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { TokenRevocations } from '../auth/token-revocations.js';
import { TokenService } from '../auth/token.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { connectionId } from './connection-id.js';
import { RealtimeBroadcaster, type RoundtableServer } from './realtime.broadcaster.js';
import { rooms } from './rooms.js';
import { SessionChannel, type ChannelConnection } from './session-channel.js';
import { SlowConsumerGuard } from './slow-consumers.js';

interface SocketData {
  /** What the session service knows of this socket (its person is `conn.user`). */
  conn: ChannelConnection;
}
type RoundtableSocket = Socket & { data: SocketData };

/**
 * The Socket.IO transport: authenticates the handshake, then hands every event, with its
 * payload, to the session service (SessionChannel) and answers the ack with what it says.
 * The plain-WebSocket transport (ws-transport.ts) calls the same service; broadcasting is
 * the broadcaster's job.
 */
@WebSocketGateway({ maxHttpBufferSize: 256 * 1024 })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('RealtimeGateway');
  private unsubscribeRevocations?: () => void;
  private slowConsumers?: SlowConsumerGuard;

  @WebSocketServer() server!: RoundtableServer;

  constructor(
    private readonly tokens: TokenService,
    private readonly broadcaster: RealtimeBroadcaster,
    private readonly channel: SessionChannel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly revocations: TokenRevocations,
  ) {}

  onModuleDestroy() {
    this.unsubscribeRevocations?.();
    this.slowConsumers?.stop();
  }

  /**
   * A stopping instance: every Socket.IO connection's transport is closed, which a client takes
   * for a dropped network ("transport close") and reconnects, to whichever instance answers, and
   * resumes with last_seq. (A server-side disconnect would tell it not to come back.)
   */
  drain(): void {
    for (const socket of this.server?.of('/').sockets.values() ?? []) socket.conn.close();
  }

  afterInit(server: RoundtableServer) {
    this.broadcaster.attach(server);
    this.slowConsumers = new SlowConsumerGuard(this.config.limits.socketBufferBytes);
    this.slowConsumers.start(server);
    // Revoked tokens: the person's open sockets close now (a token is checked when a socket connects).
    this.unsubscribeRevocations = this.revocations.onRevoked((userId) =>
      server.in(rooms.person(userId)).disconnectSockets(true),
    );
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.tokens
        .verify(token)
        .then((user) => {
          try {
            this.channel.admit(user);
          } catch (refused) {
            this.logger.log({ conn: connectionId(socket), user_id: user.id, msg: 'connection refused: too many open' });
            next(new Error((refused as DomainError).message));
            return;
          }
          const data: SocketData = {
            conn: {
              id: connectionId(socket),
              user,
              sessions: new Set(),
              displays: new Set(),
              join: (names) => socket.join(names),
              leave: (name) => socket.leave(name),
            },
          };
          socket.data = data;
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
    void socket.join(rooms.person(socket.data.conn.user.id));
    // Every packet, known event or not, goes to the session service; its answer is the ack.
    socket.use((packet) => {
      const [event, payload] = packet;
      const last = packet[packet.length - 1];
      const ack = typeof last === 'function' ? (last as (answer: unknown) => void) : undefined;
      void this.channel
        .handle(socket.data.conn, String(event), typeof payload === 'function' ? undefined : payload)
        .then((answer) => ack?.(answer));
    });
  }

  handleDisconnect(socket: RoundtableSocket) {
    const data = socket.data as SocketData | undefined;
    if (!data?.conn) return;
    this.logger.debug({ conn: connectionId(socket), user_id: data.conn.user.id, msg: 'disconnected' });
    this.channel.disconnected(data.conn);
  }
}
