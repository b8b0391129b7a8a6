import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';
import { jsonOnlyParser } from './json-only-parser.js';

/**
 * Whether a handshake may proceed, by its Origin: no Origin (an SDK, a bot, a tool) is left to the
 * token; a browser page may connect from the server's own origin or one listed in CORS_ORIGINS.
 * WebSocket upgrades are not covered by CORS, so this is checked for every transport.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
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
 * Socket.IO for Nest, with the handshake rules (origins, CORS, the connect deadline). The gateway
 * hands every packet to the session service itself (one `socket.use`), so there are no per-event
 * handlers to bind: Nest's own binding, an rxjs chain per handler and socket, is not needed.
 */
export class LeanIoAdapter extends IoAdapter {
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
      // Everything the server sends is JSON: no search for binary data in every packet (json-only-parser.ts).
      parser: jsonOnlyParser,
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

  override bindMessageHandlers(): void {
    // Nothing to bind: see the class comment (RealtimeGateway.handleConnection).
  }
}
