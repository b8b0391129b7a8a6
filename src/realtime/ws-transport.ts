import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AuthUser } from '../auth/auth-user.js';
import { TokenRevocations } from '../auth/token-revocations.js';
import { TokenService } from '../auth/token.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MODERATE_ACTIONS, type ErrorCode, type WireError } from '../contract/protocol.js';
import { isUuid } from '../common/ids.js';
import { originAllowed } from './lean-io.adapter.js';
import { rooms } from './rooms.js';
import { SessionChannel, type ChannelConnection } from './session-channel.js';
import { SLOW_CONSUMER_SWEEP_MS } from './slow-consumers.js';
import { WsHub, type HubMember } from './ws-hub.js';

/** The endpoint: `GET /ws/collaborative/:session_id`, upgraded on the HTTP server's own port. */
export const WS_PATH = /^\/ws\/collaborative\/([^/?#]+)\/?$/;
/** The same payload cap as Socket.IO's: a bigger frame closes the connection with 1009. */
export const WS_MAX_FRAME_BYTES = 256 * 1024;

/** Close codes (docs/PROTOCOL.md, "Plain WebSocket"). */
export const WS_CLOSE = {
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooMany: 4429,
  removed: 4410,
  internal: 1011,
  restart: 1012,
} as const;

const CLOSE_OF: Partial<Record<ErrorCode, number>> = {
  bad_request: WS_CLOSE.badRequest,
  unauthorized: WS_CLOSE.unauthorized,
  forbidden: WS_CLOSE.forbidden,
  not_member: WS_CLOSE.forbidden,
  not_found: WS_CLOSE.notFound,
  rate_limited: WS_CLOSE.tooMany,
};

interface Client extends HubMember {
  conn: ChannelConnection;
  sessionId: string;
  alive: boolean;
}

/** A close reason is at most 123 bytes. */
const reason = (text: string) => Buffer.from(text).subarray(0, 120).toString();

/**
 * Bots and tools in any language (issue: plain WebSocket): JSON frames with a `type`, the
 * same events, order and rules as Socket.IO. Everything a frame asks goes to the same
 * session service as a Socket.IO event (SessionChannel); everything the session emits
 * reaches this connection through the hub's rooms, as the broadcaster emits it.
 */
@Injectable()
export class WsTransport implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WsTransport');
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES, clientTracking: false });
  private readonly clients = new Set<Client>();
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private ticks = 0;
  private unsubscribe?: () => void;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: TokenService,
    private readonly channel: SessionChannel,
    private readonly hub: WsHub,
    private readonly revocations: TokenRevocations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.unsubscribe = this.revocations.onRevoked((userId) => {
      for (const client of this.clients)
        if (client.conn.user.id === userId)
          client.ws.close(WS_CLOSE.unauthorized, 'the access token was revoked: sign in again');
    });
    this.timer = setInterval(() => this.sweep(), SLOW_CONSUMER_SWEEP_MS);
    this.timer.unref();
  }

  /**
   * A stop: every client is told to reconnect (1012, service restart) and resumes elsewhere with
   * last_seq. Before the HTTP server closes, which waits for every upgraded socket to end; a
   * client that does not finish the closing handshake within a second is cut.
   */
  beforeApplicationShutdown() {
    return this.drain();
  }

  /** Closes every plain-WebSocket client with 1012 (idempotent). */
  drain(): Promise<void> {
    this.draining ??= this.closeAll();
    return this.draining;
  }

  private async closeAll() {
    clearInterval(this.timer);
    this.unsubscribe?.();
    const open = [...this.clients];
    for (const client of open) client.ws.close(WS_CLOSE.restart, 'the server is restarting: reconnect with last_seq');
    if (open.length === 0) return;
    await Promise.race([
      Promise.all(open.map((c) => new Promise((resolve) => c.ws.once('close', resolve)))),
      new Promise((resolve) => setTimeout(resolve, 1000)),
    ]);
    for (const client of open) client.ws.terminate();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/socket.io/')) return; // Socket.IO's own
    const match = WS_PATH.exec(url.pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!originAllowed(req.headers.origin, req.headers.host, this.config.corsOrigins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.open(ws, req, decodeURIComponent(match[1]), url));
  }

  private async open(ws: WebSocket, req: IncomingMessage, sessionId: string, url: URL) {
    const header = req.headers.authorization;
    const token = url.searchParams.get('token') ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
    let user: AuthUser;
    try {
      user = await this.tokens.verify(token);
    } catch {
      ws.close(
        WS_CLOSE.unauthorized,
        token ? 'the token is not valid' : 'a token is required: ?token= or Authorization: Bearer',
      );
      return;
    }
    if (!isUuid(sessionId)) {
      ws.close(WS_CLOSE.notFound, 'no such session');
      return;
    }
    const lastSeqText = url.searchParams.get('last_seq');
    const lastSeq = lastSeqText === null ? undefined : Number(lastSeqText);
    if (lastSeq !== undefined && (!Number.isInteger(lastSeq) || lastSeq < 0 || lastSeq > 2_147_483_647)) {
      ws.close(WS_CLOSE.badRequest, 'last_seq must be a whole number of at least 0');
      return;
    }
    try {
      this.channel.admit(user);
    } catch (refused) {
      ws.close(WS_CLOSE.tooMany, reason((refused as Error).message));
      return;
    }
    const id = `ws-${randomUUID()}`;
    const client: Client = {
      ws,
      sessionId,
      alive: true,
      rooms: new Set(),
      conn: undefined as unknown as ChannelConnection,
      removed: (banned) =>
        ws.close(
          WS_CLOSE.removed,
          banned ? 'you were banned from this session' : 'a moderator removed you from this session',
        ),
    };
    client.conn = {
      id,
      user,
      sessions: new Set(),
      displays: new Set(),
      join: (names) => this.hub.join(client, names),
      leave: (name) => this.hub.leave(client, name),
    };
    this.clients.add(client);
    this.hub.join(client, [rooms.person(user.id)]);
    ws.on('pong', () => (client.alive = true));
    ws.on('close', () => {
      this.clients.delete(client);
      this.hub.leaveAll(client);
      this.channel.disconnected(client.conn);
      this.logger.debug({ conn: id, user_id: user.id, msg: 'disconnected' });
    });
    ws.on('error', () => undefined); // a bad frame (1009, 1002) closes the socket; 'close' cleans up
    ws.on('message', (data, isBinary) => void this.frame(client, data, isBinary));
    this.logger.debug({ conn: id, user_id: user.id, msg: 'connected (plain WebSocket)' });

    const answer = await this.channel.handle(client.conn, 'join', {
      session_id: sessionId,
      ...(lastSeq !== undefined ? { last_seq: lastSeq } : {}),
    });
    if (!answer.ok) {
      ws.close(CLOSE_OF[answer.error.code] ?? WS_CLOSE.internal, reason(answer.error.message));
      return;
    }
    if ('state' in answer) {
      this.send(client, { ...(answer.state as object), type: 'session_state' });
    } else {
      const {
        events,
        ok: _ok,
        resumed: _resumed,
        ...now
      } = answer as unknown as { events: object[]; ok: true; resumed: true };
      for (const event of events) this.send(client, event);
      this.send(client, { type: 'resumed', session_id: sessionId, ...now });
    }
  }

  private async frame(client: Client, data: RawData, isBinary: boolean) {
    let frame: unknown;
    try {
      frame = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
    } catch {
      return this.send(client, {
        type: 'error',
        error: { code: 'bad_request', message: 'the frame is not valid JSON' } satisfies WireError,
      });
    }
    if (
      typeof frame !== 'object' ||
      frame === null ||
      Array.isArray(frame) ||
      typeof (frame as { type?: unknown }).type !== 'string'
    ) {
      return this.send(client, {
        type: 'error',
        error: { code: 'bad_request', message: 'a frame is a JSON object with a string "type"' } satisfies WireError,
      });
    }
    const { type, request_id: requestId, ...rest } = frame as Record<string, unknown> & { type: string };
    const echo =
      typeof requestId === 'string' || typeof requestId === 'number'
        ? { request_id: typeof requestId === 'string' ? requestId.slice(0, 100) : requestId }
        : {};
    let answer: unknown;
    if ((MODERATE_ACTIONS as readonly string[]).includes(type)) {
      // A moderation action may be its own frame type: {"type": "cancel_agent"} is {"type": "moderate", "action": "cancel_agent"}.
      answer = await this.channel.handle(client.conn, 'moderate', {
        ...rest,
        action: type,
        session_id: client.sessionId,
      });
    } else if (type === 'join' || type === 'leave') {
      answer = {
        ok: false,
        error: {
          code: 'bad_request',
          message: 'this connection is for the session in its URL: open another connection for another session',
        } satisfies WireError,
      };
    } else {
      // session_id is the URL's; a message without client_msg_id gets one, so the simplest client works.
      const payload: Record<string, unknown> = { ...rest, session_id: client.sessionId };
      if (type === 'message' && payload.client_msg_id === undefined) payload.client_msg_id = randomUUID();
      answer = await this.channel.handle(client.conn, type, payload);
    }
    this.send(client, { type: 'ack', ...echo, ...(answer as object) });
  }

  private send(client: Client, frame: object) {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(frame));
  }

  /** Once a second: cut a client that stopped reading; every WS_PING_INTERVAL_MS (25 s), ping, and drop one that missed the last ping. */
  private sweep() {
    const ping =
      ++this.ticks % Math.max(1, Math.round(this.config.limits.wsPingIntervalMs / SLOW_CONSUMER_SWEEP_MS)) === 0;
    for (const client of this.clients) {
      if (client.ws.bufferedAmount > this.config.limits.socketBufferBytes) {
        this.logger.warn({
          conn: client.conn.id,
          pending_bytes: client.ws.bufferedAmount,
          msg: 'plain WebSocket stopped reading; closed',
        });
        client.ws.terminate();
        continue;
      }
      if (!ping) continue;
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}
