import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable, type Observable } from 'rxjs';
import type { ServerOptions, Socket } from 'socket.io';
import { connectionId } from './connection-id.js';

/**
 * Whether a handshake may proceed, by its Origin: no Origin (an SDK, a bot, a tool) is left to the
 * token; a browser page may connect from the server's own origin or one listed in CORS_ORIGINS.
 * WebSocket upgrades are not covered by CORS, so this is checked for every transport.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** How long a transport may stay open without connecting to the namespace. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Socket.IO for Nest with one plain listener per event and socket. Nest's own
 * IoAdapter builds an rxjs chain (fromEvent → mergeMap → takeUntil) and a
 * subscription for every gateway handler on every socket: with 9 handlers that
 * was about 29 KB of the 54 KB each idle participant cost. Behaviour is the
 * same: the handler's result answers the ack (or is emitted when it is an
 * `{event, data}`), a failure is logged and the event stays live.
 */
export class LeanIoAdapter extends IoAdapter {
  private readonly log = new Logger('LeanIoAdapter');

  constructor(
    app: INestApplicationContext,
    private readonly corsOrigins: readonly string[] = [],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions) {
    return super.createIOServer(port, {
      ...options,
      // A connection that opens the transport but never connects to the namespace (no token, or
      // nothing at all) is closed after this long; a silent one misses its pings and is closed
      // within pingInterval + pingTimeout (25 s + 20 s, Socket.IO's defaults).
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Upgrades for other paths (the plain-WebSocket endpoint, /ws/collaborative/...) are not engine.io's to close.
      destroyUpgrade: false,
      // Cross-origin browser pages only from the listed origins; the same origin needs no CORS headers.
      cors: this.corsOrigins.length > 0 ? { origin: [...this.corsOrigins], credentials: true } : undefined,
      allowRequest: (req, callback) => {
        const allowed = originAllowed(req.headers.origin, req.headers.host, this.corsOrigins);
        callback(allowed ? null : 'origin not allowed', allowed);
      },
    } as ServerOptions);
  }

  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>) {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...payload: unknown[]) => {
        const { data, ack } = this.mapPayload(payload) as { data: unknown; ack?: (response: unknown) => void };
        let result: Observable<unknown>;
        try {
          result = transform(callback(data, ack));
        } catch (error) {
          this.log.error({ conn: connectionId(socket), event: message, err: error });
          return;
        }
        if (!isObservable(result)) return;
        result.subscribe({
          next: (response) => {
            if (response === null || response === undefined) return;
            const emitted = response as { event?: string; data?: unknown };
            if (emitted.event) {
              socket.emit(emitted.event, emitted.data);
              return;
            }
            if (!isAckHandledManually && typeof ack === 'function') ack(response);
          },
          error: (error: unknown) => this.log.error({ conn: connectionId(socket), event: message, err: error }),
        });
      });
    }
  }
}
